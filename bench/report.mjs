// The benchmark's report: one markdown text from one run's results, written to
// bench/results/latest.md (with latest.json and the CPU chart) and between the README's
// `<!-- bench:start -->` and `<!-- bench:end -->` markers.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { FLOOR_AGAIN, FLOOR_AUTH_ONLY } from './clients.mjs';
import { cpuChart, formatRatio } from './stats.mjs';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const fmt = (n, digits = 0) =>
  Number.isFinite(n)
    ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })
    : '—';
const bold = (name) => (name.startsWith('requestforge') ? `**${name}**` : name);
const ratio = (summary) => formatRatio(summary);
const table = (head, lines) =>
  [`| ${head.join(' | ')} |`, `|${head.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`, ...lines].join(
    '\n',
  );

/** The floor that sends the credential alone (no user agent, no accept-encoding), against the floor. */
function authOnly(cpuOf) {
  const floor = cpuOf(FLOOR_AUTH_ONLY);
  return floor === undefined
    ? ''
    : ` The floor with the authorization header alone reads ${ratio(floor)}: what the user agent and accept-encoding headers cost.`;
}

/** The figures the performance issue asks for, each with its bound. */
function mustShow(r) {
  const cpuOf = (name) => r.rows.find((row) => row.name === name)?.ratios?.cpuUs;
  const c500 = r.latency.byConcurrency.find((c) => c.concurrency === 500);
  const p99Of = (name) => c500?.rows.find((row) => row.name === name)?.ratios?.p99;
  const check = (summary, bound) => (summary === undefined ? '' : summary.median <= bound ? ' ✓' : ' ✗');
  return [
    `- Client CPU per request, median of paired rounds, as a ratio to the floor: bearer GET ${ratio(cpuOf('requestforge bearer'))} (bound 1.10×${check(cpuOf('requestforge bearer'), 1.1)}), managed-token GET ${ratio(cpuOf('requestforge managed token'))} (1.10×${check(cpuOf('requestforge managed token'), 1.1)}), retry + logging ${ratio(cpuOf('requestforge token+retry+logging'))} (1.25×${check(cpuOf('requestforge token+retry+logging'), 1.25)}).${cpuOf(FLOOR_AGAIN) ? ` The floor against a second floor client reads ${ratio(cpuOf(FLOOR_AGAIN))}: how far this run's medians move with nothing changed.` : ''}${authOnly(cpuOf)}`,
    `- p99 at concurrency 500 as a ratio to raw undici's: bearer ${ratio(p99Of('requestforge bearer'))}${check(p99Of('requestforge bearer'), 1)}, managed token ${ratio(p99Of('requestforge managed token'))}${check(p99Of('requestforge managed token'), 1)}.`,
    `- 2-second tokens, a ${r.refresh.endpointMs} ms token endpoint, ${r.refresh.workers} workers, ${r.refresh.seconds} s: **${r.refresh.waits}** requests waited for a renewal; ${r.refresh.renewals} renewals took ${r.refresh.tokenCalls} token requests.`,
  ].join('\n');
}

function cpuTable(r) {
  return table(
    [
      'client',
      'requests/s',
      'client CPU µs/request',
      'CPU ratio to counterpart (range)',
      'req/s ratio',
      'p50 ms',
      'p99 ms',
      'counterpart',
    ],
    r.rows.map((row) =>
      row.ratios === undefined
        ? `| ${row.name} | ${fmt(row.rps)} | ${fmt(row.cpuUs, 1)} | 1.00× (reference) | 1.00× | ${fmt(row.p50, 2)} | ${fmt(row.p99, 2)} | — |`
        : `| ${bold(row.name)} | ${fmt(row.rps)} | ${fmt(row.cpuUs, 1)} | ${ratio(row.ratios.cpuUs)} | ${fmt(row.ratios.rps.median, 2)}× | ${fmt(row.p50, 2)} | ${fmt(row.p99, 2)} | ${row.counterpart} |`,
    ),
  );
}

function latencyTable(r) {
  const lines = [];
  for (const { concurrency, rows } of r.latency.byConcurrency) {
    for (const row of rows) {
      const q = row.ratios;
      lines.push(
        `| ${concurrency} | ${bold(row.name)} | ${fmt(row.p50, 2)} | ${fmt(row.p99, 2)} | ${fmt(row.p999, 2)} | ${q ? ratio(q.p50) : 'reference'} | ${q ? ratio(q.p99) : 'reference'} | ${q ? ratio(q.p999) : 'reference'} |`,
      );
    }
  }
  return table(
    [
      'concurrency',
      'client',
      'p50 ms',
      'p99 ms',
      'p99.9 ms',
      'p50 ratio',
      'p99 ratio (range)',
      'p99.9 ratio',
    ],
    lines,
  );
}

function capabilities(r) {
  const row = (name) => r.rows.find((x) => x.name === name);
  const lines = [];
  const gzip = row('requestforge gzip JSON GET');
  if (gzip)
    lines.push(
      `| gzip JSON (\`withDecompression\`, on by default) | ${fmt(gzip.cpuUs, 1)} µs | ${ratio(gzip.ratios.cpuUs)} | ${gzip.counterpart} |`,
    );
  const h2 = r.http2.rows.find((x) => x.name === 'requestforge withHttp2()');
  if (h2)
    lines.push(
      `| HTTP/2 (\`withHttp2\`, TLS, concurrency ${r.http2.concurrency}) | ${fmt(h2.cpuUs, 1)} µs | ${ratio(h2.ratios.cpuUs)} | ${h2.counterpart} |`,
    );
  const otel = row('requestforge managed token + otel (no SDK)');
  if (otel)
    lines.push(
      `| OpenTelemetry instrumentation, no SDK (\`requestforge/otel\`) | ${fmt(otel.cpuUs, 1)} µs | ${ratio(otel.ratios.cpuUs)} | ${otel.counterpart} |`,
    );
  const dpop = r.rows.find((x) => x.name.includes('DPoP'));
  const managed = row('requestforge managed token');
  lines.push(
    dpop
      ? `| DPoP-bound tokens (an ES256 proof per send) | ${fmt(dpop.cpuUs, 1)} µs | ${ratio(dpop.ratios.cpuUs)} | ${dpop.counterpart}${managed ? `; ${fmt(dpop.cpuUs / managed.cpuUs, 2)}× the managed bearer token` : ''} |`
      : '| DPoP-bound tokens | — | not in this build | — |',
  );
  return table(
    ['capability', 'client CPU per request', 'CPU ratio to counterpart (range)', 'counterpart'],
    lines,
  );
}

/** The report of one run, as markdown. */
export function renderMarkdown(r) {
  const { settings: s } = r;
  const t = r.transfers;
  return `Measured ${r.date} on ${r.machine}; ${r.versions}; ${s.rounds} rounds, ${fmt(r.minutes, 1)} min.
Every row is measured right before or after its raw-undici counterpart (alternating) in each round; ratios are medians of the
per-round ratios, with the lowest and highest round in brackets; no GC is forced before a CPU measurement. The CPU reference is the floor: undici's \`Agent.dispatch\` with a
bare handler and one \`JSON.parse\` (\`bench/floor.mjs\`), for the same request: the raw-undici rows send the headers requestforge sends
(\`user-agent\`, \`accept-encoding\`, \`authorization\`). Loopback, keep-alive, server in a separate process${s.pinned ? ' (client pinned to CPU 0, server to CPU 1)' : ''}.
Reproduce with \`npm run bench\`.

${mustShow(r)}

**Client CPU per request** — concurrency ${s.concurrency}, ${fmt(s.requests)} requests per row per round (a quarter for the rows at several times the floor)${(s.slices ?? 1) > 1 ? `, in ${s.slices} slices taken in turn with the counterpart's (ABBA…)` : ''}, a ~1 KiB JSON body parsed:

${cpuTable(r)}

**Latency** — per row per round, ${r.latency.byConcurrency.map((c) => `${fmt(c.requests ?? r.latency.requests)} requests at concurrency ${c.concurrency}`).join(', ')} (at least 40 per worker), ratios to raw undici's \`Pool.request\`:

${latencyTable(r)}

**Large bodies** — ${t.mb} MiB downloads and a ${fmt(t.uploadMb, 1)} MB JSON upload, one connection, per transfer:

${table(
  ['transfer', 'ms', 'client CPU ms', 'time ratio (range)', 'CPU ratio (range)', 'counterpart (ms, CPU ms)'],
  t.rows.map(
    (x) =>
      `| ${bold(x.name)} | ${fmt(x.wallMs, 1)} | ${fmt(x.cpuMs, 1)} | ${ratio(x.ratios.wallMs)} | ${ratio(x.ratios.cpuMs)} | ${x.counterpart} (${fmt(x.counterpartWallMs, 1)}, ${fmt(x.counterpartCpuMs, 1)}) |`,
  ),
)}

**Start-up and idle memory** — cold start to the first response (a fresh process: Node's start-up, loading the client, one request):
requestforge ${fmt(r.coldStart.requestforgeMs)} ms, raw undici ${fmt(r.coldStart.undiciMs)} ms (${ratio(r.coldStart.ratio)}).
Heap and external memory per idle client (${r.idle.count} clients, each used once, one keep-alive connection each):

${table(
  ['client', 'KiB per idle client', 'ratio to an undici Pool (range)'],
  r.idle.rows.map(
    (x) => `| ${bold(x.name)} | ${fmt(x.bytes / 1024, 1)} | ${x.ratio ? ratio(x.ratio) : 'reference'} |`,
  ),
)}

**New capabilities**, each as a ratio to its raw-undici counterpart:

${capabilities(r)}

HTTP/2 against HTTP/1.1 on TLS (the server speaks both), concurrency ${r.http2.concurrency}:

${table(
  ['client', 'requests/s', 'client CPU µs/request', 'CPU ratio (range)', 'counterpart'],
  r.http2.rows.map(
    (x) =>
      `| ${bold(x.name)} | ${fmt(x.rps)} | ${fmt(x.cpuUs, 1)} | ${x.ratios ? ratio(x.ratios.cpuUs) : 'reference'} | ${x.counterpart ?? '—'} |`,
  ),
)}

**Tokens** — 1,000 concurrent requests on a cold cache made **${r.cold.tokenCalls}** token request (all ${fmt(r.cold.ok)} answered 200 in ${fmt(r.cold.msToAll200)} ms, 50 ms token endpoint);
in steady state the managed-token rows made **${r.steadyTokenCalls}** token requests.
2-second tokens, a ${r.refresh.endpointMs} ms token endpoint, ${r.refresh.workers} workers for ${r.refresh.seconds} s (${fmt(r.refresh.requests)} requests): **${r.refresh.waits}** waited for a renewal,
${r.refresh.renewals} renewals (${r.refresh.backgroundRenewals} in the background) took ${r.refresh.tokenCalls} token requests (${fmt(r.refresh.tokenCallsPerRenewal, 2)} per renewal);
p99 ${fmt(r.refresh.p99Ms, 2)} ms (max ${fmt(r.refresh.maxMs, 2)} ms), raw undici with a static token under the same load ${fmt(r.refresh.rawUndiciP99Ms, 2)} ms.

Soak: ${fmt(r.soak.requests)} requests on one client in ${fmt(r.soak.seconds, 1)} s; RSS ${fmt(r.soak.rssBeforeMb)} MiB before, ${fmt(r.soak.rssWarmMb)} MiB after warm-up, ${fmt(r.soak.rssAfterMb)} MiB after the soak; active handles ${r.soak.handlesBefore} before, ${r.soak.handlesAfterClose} after \`close()\`.
`;
}

/** Writes bench/results/ and the README's benchmark section from one run. */
export function writeResults(results, markdown) {
  mkdirSync(here('./results'), { recursive: true });
  writeFileSync(here('./results/latest.json'), `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(here('./results/latest.md'), markdown);
  const chartRows = results.rows
    .filter((r) => !r.name.includes('POST') && !r.name.includes('gzip') && !r.name.includes('gunzip'))
    .map((r) => ({ name: r.name, cpuUs: r.cpuUs, cpuRatio: r.ratios?.cpuUs.median ?? 1 }))
    .sort((a, b) => a.cpuUs - b.cpuUs);
  writeFileSync(
    here('./results/cpu-per-request.svg'),
    cpuChart(chartRows, `${results.machine}; ${results.versions}; GET, ~1 KiB JSON`),
  );
  const readmePath = here('../README.md');
  const readme = readFileSync(readmePath, 'utf8');
  const start = '<!-- bench:start -->';
  const end = '<!-- bench:end -->';
  if (!readme.includes(start) || !readme.includes(end)) return;
  const block = `${start}\n![Client CPU per request](bench/results/cpu-per-request.svg)\n\n${markdown}${end}`;
  writeFileSync(
    readmePath,
    readme.slice(0, readme.indexOf(start)) + block + readme.slice(readme.indexOf(end) + end.length),
  );
}
