// Pure helpers for the benchmark: percentiles, medians, and the SVG chart.

export function percentile(sorted, p) {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index];
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const escapeXml = (text) => String(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A horizontal bar chart of client CPU per request (lower is better). */
export function cpuChart(rows, subtitle) {
  const barHeight = 24;
  const gap = 8;
  const left = 250;
  const width = 860;
  const top = 58;
  const max = Math.max(...rows.map((row) => row.cpuUs));
  const scale = (width - left - 150) / max;
  const height = top + rows.length * (barHeight + gap) + 20;
  const color = (name) =>
    name.startsWith('requestforge') ? '#2563eb' : name.startsWith('undici') ? '#6b7280' : '#f59e0b';
  const bars = rows
    .map((row, i) => {
      const y = top + i * (barHeight + gap);
      const w = Math.max(2, row.cpuUs * scale);
      const ratio = row.cpuRatio === undefined ? '' : ` (${row.cpuRatio.toFixed(2)}×)`;
      return [
        `<text x="${left - 10}" y="${y + barHeight * 0.7}" text-anchor="end" font-size="13">${escapeXml(row.name)}</text>`,
        `<rect x="${left}" y="${y}" width="${w.toFixed(1)}" height="${barHeight}" rx="3" fill="${color(row.name)}"/>`,
        `<text x="${left + w + 6}" y="${y + barHeight * 0.7}" font-size="12">${row.cpuUs.toFixed(1)} µs${escapeXml(ratio)}</text>`,
      ].join('');
    })
    .join('\n  ');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, -apple-system, Segoe UI, sans-serif">
  <rect width="100%" height="100%" fill="#ffffff"/>
  <text x="20" y="26" font-size="16" font-weight="600">Client CPU per request (lower is better; ratio to the floor, undici Agent.dispatch)</text>
  <text x="20" y="46" font-size="12" fill="#555">${escapeXml(subtitle)}</text>
  ${bars}
</svg>
`;
}

/** The median of per-round ratios and their range over the rounds (`undefined` without any). */
export function ratioSummary(ratios) {
  if (ratios.length === 0) return undefined;
  return { median: median(ratios), min: Math.min(...ratios), max: Math.max(...ratios) };
}

/** `1.03× (0.98–1.10)`: a ratio summary as the tables print it; `—` without one. */
export function formatRatio(summary) {
  if (summary === undefined) return '—';
  const f = (n) => n.toFixed(2);
  return summary.min === summary.max
    ? `${f(summary.median)}×`
    : `${f(summary.median)}× (${f(summary.min)}–${f(summary.max)})`;
}
