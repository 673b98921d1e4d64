// `npm run bench`: every client against one keep-alive loopback server in another process, in
// paired rounds: each row right before or after its raw-undici counterpart (alternating), ratios
// are medians of the per-round ratios with their range. Then latency at concurrency 1/50/500,
// large transfers, cold start, idle memory, HTTP/2, the token scenarios and a soak. One run writes
// bench/results/ and the README's benchmark section (bench/report.mjs).
// Environment: BENCH_ROUNDS (7), BENCH_REQUESTS (16000 per row per round), BENCH_SLICES (4: a
// round's CPU measurement of a row and of its counterpart, cut into slices taken in turn),
// BENCH_CONCURRENCY (50), BENCH_LATENCY_REQUESTS (4000), BENCH_H2_CONCURRENCY (100),
// BENCH_TOKEN_SECONDS (10), BENCH_SOAK (200000), BENCH_PIN=1 (client on CPU 0, server on CPU 1), BENCH_WRITE=0 (print only).
import { execFileSync, fork, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { clients, counterpartOf, FLOOR, HEAVY } from './clients.mjs';
import { drive, timed } from './drive.mjs';
import { http2Scenario } from './http2.mjs';
import { latencyScenario } from './latency.mjs';
import { pairedRounds } from './paired.mjs';
import { renderMarkdown, writeResults } from './report.mjs';
import { soakScenario } from './soak.mjs';
import { coldStartScenario, idleMemoryScenario } from './startup.mjs';
import { percentile } from './stats.mjs';
import { coldCacheScenario, tokenCounter, tokenRefreshScenario } from './tokens.mjs';
import { transferScenario } from './transfers.mjs';

const env = (name, fallback) => Number(process.env[name] ?? fallback);
const ROUNDS = env('BENCH_ROUNDS', 7);
const REQUESTS = env('BENCH_REQUESTS', 16_000);
const CONCURRENCY = env('BENCH_CONCURRENCY', 50);
const CPU_SLICES = env('BENCH_SLICES', 4);
const LATENCY_REQUESTS = env('BENCH_LATENCY_REQUESTS', 4_000);
const H2_CONCURRENCY = env('BENCH_H2_CONCURRENCY', 100);
const TOKEN_SECONDS = env('BENCH_TOKEN_SECONDS', 10);
const SOAK = env('BENCH_SOAK', 200_000);
const WRITE = process.env.BENCH_WRITE !== '0';
const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const started = performance.now();

// BENCH_PIN=1 pins the client to CPU 0 and the server to CPU 1 (Linux, taskset).
const canPin = (() => {
  if (os.platform() !== 'linux' || os.cpus().length < 2 || process.env.BENCH_PIN !== '1') return false;
  try {
    execFileSync('taskset', ['-c', '0', 'true']);
    return true;
  } catch {
    return false;
  }
})();
if (canPin && process.env.BENCH_PINNED !== '1') {
  const run = spawnSync(
    'taskset',
    ['-c', '0', process.execPath, ...process.execArgv, ...process.argv.slice(1)],
    { stdio: 'inherit', env: { ...process.env, BENCH_PINNED: '1' } },
  );
  process.exit(run.status ?? 1);
}
const pinned = process.env.BENCH_PINNED === '1';

const server = fork(
  here('./server.mjs'),
  [],
  pinned ? { execPath: 'taskset', execArgv: ['-c', '1', process.execPath] } : {},
);
const { port, tlsPort } = await new Promise((resolve) => server.on('message', resolve));
const origin = `http://127.0.0.1:${port}`;
const tlsOrigin = `https://127.0.0.1:${tlsPort}`;
const tokenCalls = tokenCounter(origin);
const log = (text) => process.stdout.write(`${text}\n`);
const step = (text) => log(`[${((performance.now() - started) / 1000).toFixed(0)} s] ${text}`);

const names = Object.keys(clients);
const instances = Object.fromEntries(names.map((name) => [name, clients[name](origin)]));
// The CPU measurements alternate between two instances of every client: identical clients in one
// process differ by a few percent in cost (their sockets, their place in memory), and which one
// is cheaper changes from run to run. Each pair of slices (one ABBA) uses one instance of each
// side, so every round's ratio averages both.
const twins = Object.fromEntries(names.map((name) => [name, clients[name](origin)]));
log(
  `requestforge benchmark — ${os.cpus()[0]?.model ?? 'cpu'} × ${os.cpus().length}, Node ${process.version}, ${ROUNDS} rounds${pinned ? ', client on CPU 0, server on CPU 1' : ''}`,
);
for (const name of names) {
  for (const client of [instances[name], twins[name]]) {
    client.begin?.();
    await drive(client.request, HEAVY.has(name) ? 500 : 2_000, CONCURRENCY);
    client.end?.();
  }
}
await tokenCalls(true);

// CPU per request: every row next to its floor (the same request through Agent.dispatch), each
// round's measurement of the two cut into CPU_SLICES slices taken in turn.
async function measureCpu(name, row, slices, round, slice) {
  const client = ((Math.floor(slice / 2) + round) % 2 === 0 ? instances : twins)[name];
  const requests = Math.ceil((HEAVY.has(row) ? Math.ceil(REQUESTS / 4) : REQUESTS) / slices);
  const latencies = new Float64Array(requests);
  // A client may switch something process-wide on only for its own measurement (instrumentation).
  client.begin?.();
  const { wallMs, cpuMs } = await timed(() => drive(client.request, requests, CONCURRENCY, latencies));
  client.end?.();
  return { requests, wallMs, cpuMs, latencies };
}
function combineCpu(slices) {
  let requests = 0;
  let wallMs = 0;
  let cpuMs = 0;
  for (const slice of slices) {
    requests += slice.requests;
    wallMs += slice.wallMs;
    cpuMs += slice.cpuMs;
  }
  const sorted = new Float64Array(requests);
  let at = 0;
  for (const slice of slices) {
    sorted.set(slice.latencies, at);
    at += slice.requests;
  }
  sorted.sort();
  return {
    rps: (requests / wallMs) * 1000,
    cpuUs: (cpuMs * 1000) / requests,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
  };
}
step('CPU per request');
const cpu = await pairedRounds({
  rounds: ROUNDS,
  slices: CPU_SLICES,
  rows: names.filter((name) => counterpartOf(name) !== name),
  counterpartOf,
  measure: measureCpu,
  combine: combineCpu,
  onRound: (round) => step(`  round ${round + 1}/${ROUNDS}`),
});
const steadyTokenCalls = await tokenCalls();
for (const name of names) await twins[name].close();
const rows = names.map((name) => ({
  name,
  counterpart: counterpartOf(name),
  ...cpu.medians[name],
  ratios: cpu.ratios[name],
}));

step('latency at concurrency 1, 50, 500');
const latency = await latencyScenario(instances, { rounds: ROUNDS, requests: LATENCY_REQUESTS });
for (const name of names) await instances[name].close();

step('50 MiB downloads, 10 MB upload');
const transfers = await transferScenario(origin, { rounds: ROUNDS });
step('cold start, idle memory');
const coldStart = await coldStartScenario(origin, { rounds: ROUNDS });
const idle = await idleMemoryScenario(origin, { rounds: Math.min(ROUNDS, 3) });
step('HTTP/2');
const h2 = await http2Scenario(tlsOrigin, {
  rounds: ROUNDS,
  requests: REQUESTS,
  concurrency: H2_CONCURRENCY,
});
step('token scenarios');
const cold = await coldCacheScenario(origin);
const refresh = await tokenRefreshScenario(origin, { seconds: TOKEN_SECONDS });
step('soak');
const soak = await soakScenario(origin, { requests: SOAK, concurrency: CONCURRENCY });
server.kill();

const fmt = (n, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const results = {
  date: new Date().toISOString().slice(0, 10),
  machine: `${os.cpus()[0]?.model ?? 'unknown CPU'} × ${os.cpus().length} cores, ${fmt(os.totalmem() / 2 ** 30)} GiB, ${os.platform()} ${os.release()}`,
  versions: `Node ${process.version}, undici ${JSON.parse(readFileSync(here('../node_modules/undici/package.json'), 'utf8')).version}`,
  settings: {
    rounds: ROUNDS,
    requests: REQUESTS,
    slices: CPU_SLICES,
    concurrency: CONCURRENCY,
    pinned,
    floor: FLOOR,
  },
  rows,
  steadyTokenCalls,
  latency,
  transfers,
  coldStart,
  idle,
  http2: h2,
  cold,
  refresh,
  soak,
  minutes: (performance.now() - started) / 60_000,
};
const markdown = renderMarkdown(results);
log(`\n${markdown}`);
step('done');
if (WRITE) {
  writeResults(results, markdown);
  log('bench/results/ and README.md updated.');
}
