import { describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM helpers of the benchmark, without type declarations
import { cpuChart, median, percentile } from '../../bench/stats.mjs';

describe('benchmark statistics', () => {
  it('percentile and median', () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(sorted, 50)).toBe(50);
    expect(percentile(sorted, 99)).toBe(99);
    expect(percentile([7], 99)).toBe(7);
    expect(Number.isNaN(percentile([], 50))).toBe(true);
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
  });

  it('draws one bar per row, escaped, with values and ratios', () => {
    const svg = cpuChart(
      [
        { name: 'requestforge <bearer>', cpuUs: 10, cpuRatio: 0.5 },
        { name: 'undici Pool.request', cpuUs: 20, cpuRatio: 1 },
      ],
      'machine & node',
    );
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.match(/<rect x="250"/g)).toHaveLength(2);
    expect(svg).toContain('requestforge &lt;bearer&gt;');
    expect(svg).toContain('10.0 µs (0.50×)');
    expect(svg).toContain('machine &amp; node');
  });
});
