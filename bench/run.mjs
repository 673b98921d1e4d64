// `npm run bench`: every client against one keep-alive loopback server in another process,
// in alternating rounds, reporting medians of paired ratios to raw undici measured in the same run.
// Environment: BENCH_ROUNDS (7), BENCH_REQUESTS (4000 per client per measurement), BENCH_CONCURRENCY (50),
// BENCH_SOAK (200000), BENCH_WRITE=0 to skip writing results and the README.
import { execFileSync, fork, spawnSync } from 'node:child_process';
import diagnosticsChannel from 'node:diagnostics_channel';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { clients, managedTokenClient, tlsClients } from './clients.mjs';
import { cpuChart, median, percentile } from './stats.mjs';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 4_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 50);
const SOAK = Number(process.env.BENCH_SOAK ?? 200_000);
const WRITE = process.env.BENCH_WRITE !== '0';
const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const gc = globalThis.gc ?? (() => undefined);

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
    {
      stdio: 'inherit',
      env: { ...process.env, BENCH_PINNED: '1' },
    },
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
const { HttpClient, HttpClientConfigBuilder } = await import('../dist/index.js');

async function tokenCalls(reset = false) {
  const response = await fetch(`${origin}/stats`, { method: reset ? 'POST' : 'GET' });
  return (await response.json()).tokenCalls;
}

async function drive(request, total, concurrency, latencies) {
  let next = 0;
  const worker = async () => {
    while (next < total) {
      const index = next++;
      const started = performance.now();
      await request();
      if (latencies) latencies[index] = performance.now() - started;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

async function measure(client) {
  const latencies = new Float64Array(REQUESTS);
  gc();
  // A client may switch something process-wide on only for its own measurement (instrumentation).
  client.begin?.();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await drive(client.request, REQUESTS, CONCURRENCY, latencies);
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  client.end?.();
  const sorted = latencies.sort();
  return {
    rps: (REQUESTS / wallMs) * 1000,
    cpuUs: (cpu.user + cpu.system) / REQUESTS,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
  };
}

const log = (text) => process.stdout.write(`${text}\n`);
const names = Object.keys(clients);
const instances = Object.fromEntries(names.map((name) => [name, clients[name](origin)]));

log(
  `requestforge benchmark — ${os.cpus()[0]?.model ?? 'cpu'} × ${os.cpus().length}, Node ${process.version}`,
);
log(
  `${ROUNDS} rounds × ${REQUESTS} requests per client, concurrency ${CONCURRENCY}, ~1 KiB JSON body parsed${pinned ? ', client on CPU 0, server on CPU 1' : ''}\n`,
);

for (const name of names) {
  instances[name].begin?.();
  await drive(instances[name].request, 2_000, CONCURRENCY);
  instances[name].end?.();
}
await tokenCalls(true);

// Each client is measured right next to its floor (raw undici), in alternating order, so the
// paired ratio cancels whatever the machine was doing at that moment.
const floorFor = (name) =>
  name.includes('POST')
    ? 'undici Pool.request POST'
    : name.includes('gunzip') || name.includes('gzip')
      ? 'undici Pool.request + gunzip'
      : 'undici Pool.request';
const samples = Object.fromEntries(names.map((name) => [name, []]));
const ratios = Object.fromEntries(names.map((name) => [name, { cpu: [], rps: [] }]));
const contenders = names.filter((name) => name !== floorFor(name));
for (let round = 0; round < ROUNDS; round++) {
  const order = contenders.map((_, i) => contenders[(i + round) % contenders.length]);
  for (const name of order) {
    const floorName = floorFor(name);
    const floorFirst = round % 2 === 0;
    const first = await measure(instances[floorFirst ? floorName : name]);
    const second = await measure(instances[floorFirst ? name : floorName]);
    const [floor, own] = floorFirst ? [first, second] : [second, first];
    samples[floorName].push(floor);
    samples[name].push(own);
    ratios[name].cpu.push(own.cpuUs / floor.cpuUs);
    ratios[name].rps.push(own.rps / floor.rps);
  }
  process.stdout.write(`round ${round + 1}/${ROUNDS} done\r`);
}
const steadyTokenCalls = await tokenCalls();
for (const name of names) await instances[name].close();

const rows = names.map((name) => {
  const own = samples[name];
  const isFloor = name === floorFor(name);
  return {
    name,
    floor: floorFor(name),
    rps: median(own.map((s) => s.rps)),
    cpuUs: median(own.map((s) => s.cpuUs)),
    p50: median(own.map((s) => s.p50)),
    p99: median(own.map((s) => s.p99)),
    cpuRatio: isFloor ? 1 : median(ratios[name].cpu),
    rpsRatio: isFloor ? 1 : median(ratios[name].rps),
    cpuRatioRange: isFloor ? undefined : [Math.min(...ratios[name].cpu), Math.max(...ratios[name].cpu)],
  };
});

// Token scenario 1: 1,000 concurrent requests on a cold cache.
async function coldStart() {
  await tokenCalls(true);
  const { client, close } = managedTokenClient(origin, { query: '?delay=50' });
  const started = performance.now();
  const responses = await Promise.all(Array.from({ length: 1000 }, () => client.get('/items')));
  const ms = performance.now() - started;
  const ok = responses.filter((r) => r.statusCode === 200).length;
  await close();
  return { requests: 1000, ok, tokenCalls: await tokenCalls(), msToAll200: ms };
}

// Token scenario 2: 2-second tokens renewed ahead under steady load; p99 around renewals.
async function refreshAhead(durationMs = 8_000) {
  await tokenCalls(true);
  const { client, manager, close } = managedTokenClient(origin, { query: '?expires_in=2&delay=20' });
  await client.get('/items');
  const renewals = [];
  const onRefresh = () => renewals.push(performance.now());
  diagnosticsChannel.subscribe('requestforge:token:refresh', onRefresh);
  const samplesLocal = [];
  const started = performance.now();
  const worker = async () => {
    while (performance.now() - started < durationMs) {
      const t = performance.now();
      const response = await client.get('/items');
      if (response.statusCode !== 200) throw new Error(`status ${response.statusCode}`);
      samplesLocal.push([t, performance.now() - t]);
    }
  };
  await Promise.all(Array.from({ length: 10 }, worker));
  diagnosticsChannel.unsubscribe('requestforge:token:refresh', onRefresh);
  const all = samplesLocal.map(([, ms]) => ms).sort((a, b) => a - b);
  const near = samplesLocal
    .filter(([t]) => renewals.some((r) => t >= r - 50 && t <= r + 250))
    .map(([, ms]) => ms)
    .sort((a, b) => a - b);
  const result = {
    seconds: durationMs / 1000,
    requests: samplesLocal.length,
    tokenCalls: await tokenCalls(),
    backgroundRefreshes: manager.stats.backgroundRefreshes,
    p99Ms: percentile(all, 99),
    p99NearRenewalMs: percentile(near, 99),
    maxMs: all.at(-1),
  };
  await close();
  return result;
}

// Soak: 200,000 requests on one client; memory and handles before and after.
async function soak() {
  const handles = () => process.getActiveResourcesInfo().filter((kind) => kind !== 'TTYWrap').length;
  gc();
  const before = { rssMb: process.memoryUsage().rss / 2 ** 20, handles: handles() };
  const client = new HttpClient(
    new HttpClientConfigBuilder()
      .withBaseUrl(origin)
      .withBearerToken('soak')
      .withConnections(CONCURRENCY)
      .build(),
  );
  await drive(async () => (await client.get('/items')).json(), 20_000, CONCURRENCY);
  gc();
  const warm = process.memoryUsage().rss / 2 ** 20;
  const started = performance.now();
  await drive(async () => (await client.get('/items')).json(), SOAK, CONCURRENCY);
  const seconds = (performance.now() - started) / 1000;
  gc();
  const afterRss = process.memoryUsage().rss / 2 ** 20;
  await client.close();
  await new Promise((resolve) => setTimeout(resolve, 100));
  gc();
  return {
    requests: SOAK,
    seconds,
    rssBeforeMb: before.rssMb,
    rssWarmMb: warm,
    rssAfterMb: afterRss,
    handlesBefore: before.handles,
    handlesAfterClose: handles(),
  };
}

// HTTP/2 vs HTTP/1.1 on TLS at concurrency 100: requestforge and undici's own allowH2 Agent.
async function http2Scenario() {
  const H2_CONCURRENCY = Number(process.env.BENCH_H2_CONCURRENCY ?? 100);
  const factories = tlsClients(readFileSync(here('../test/fixtures/ca.crt')));
  const names = Object.keys(factories);
  const made = Object.fromEntries(names.map((name) => [name, factories[name](tlsOrigin)]));
  for (const name of names) await drive(made[name].request, 1_000, H2_CONCURRENCY);
  const runs = Object.fromEntries(names.map((name) => [name, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const name of names.map((_, i) => names[(i + round) % names.length])) {
      gc();
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      await drive(made[name].request, REQUESTS, H2_CONCURRENCY);
      const wallMs = performance.now() - t0;
      const cpu = process.cpuUsage(cpu0);
      runs[name].push({ rps: (REQUESTS / wallMs) * 1000, cpuUs: (cpu.user + cpu.system) / REQUESTS });
    }
  }
  for (const name of names) await made[name].close();
  return {
    concurrency: H2_CONCURRENCY,
    rows: names.map((name) => ({
      name,
      rps: median(runs[name].map((r) => r.rps)),
      cpuUs: median(runs[name].map((r) => r.cpuUs)),
    })),
  };
}

const h2 = await http2Scenario();
const cold = await coldStart();
const ahead = await refreshAhead();
const soaked = await soak();
server.kill();

const fmt = (n, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const machine = `${os.cpus()[0]?.model ?? 'unknown CPU'} × ${os.cpus().length} cores, ${fmt(os.totalmem() / 2 ** 30, 0)} GiB, ${os.platform()} ${os.release()}`;
const versions = `Node ${process.version}, undici ${JSON.parse(readFileSync(here('../node_modules/undici/package.json'), 'utf8')).version}`;
const table = [
  '| client | requests/s | client CPU µs/request | CPU ratio (range) | req/s ratio | p50 ms | p99 ms |',
  '|---|---:|---:|---:|---:|---:|---:|',
  ...rows.map(
    (r) =>
      `| ${r.name.startsWith('requestforge') ? `**${r.name}**` : r.name} | ${fmt(r.rps)} | ${fmt(r.cpuUs, 1)} | ${fmt(r.cpuRatio, 2)}×${r.cpuRatioRange ? ` (${fmt(r.cpuRatioRange[0], 2)}–${fmt(r.cpuRatioRange[1], 2)})` : ''} | ${fmt(r.rpsRatio, 2)}× | ${fmt(r.p50, 2)} | ${fmt(r.p99, 2)} |`,
  ),
].join('\n');
const markdown = `Measured ${new Date().toISOString().slice(0, 10)} on ${machine}; ${versions}.
${ROUNDS} rounds; in each, every client ran ${fmt(REQUESTS)} requests right before or after raw undici (alternating), at concurrency ${CONCURRENCY}, keep-alive, a ~1 KiB JSON body parsed,
server in a separate process${pinned ? ' (client pinned to CPU 0, server to CPU 1)' : ''}. Ratios are medians of per-round ratios to raw \`undici\` \`Pool.request\` measured in the same round
(the POST rows to a raw \`Pool.request\` POST); the range shows the lowest and highest round. Reproduce with \`npm run bench\`.

${table}

Token scenarios: 1,000 concurrent requests on a cold cache made **${cold.tokenCalls}** token call (all ${fmt(cold.ok)} answered 200 in ${fmt(cold.msToAll200)} ms, with a 50 ms token endpoint);
in steady state the managed-token clients made **${steadyTokenCalls}** token calls over ${fmt(ROUNDS * REQUESTS * 2)} requests.
With 2-second tokens renewed ahead under load for ${ahead.seconds} s: ${ahead.tokenCalls} token calls (${ahead.backgroundRefreshes} in the background), p99 ${fmt(ahead.p99Ms, 2)} ms overall and ${fmt(ahead.p99NearRenewalMs, 2)} ms around renewals, max ${fmt(ahead.maxMs, 2)} ms.

HTTP/2 vs HTTP/1.1 on TLS (server speaks both), concurrency ${h2.concurrency}, ${fmt(REQUESTS)} requests per client per round, medians of ${ROUNDS} rounds:

| client | requests/s | client CPU µs/request |
|---|---:|---:|
${h2.rows.map((r) => `| ${r.name.startsWith('requestforge') ? `**${r.name}**` : r.name} | ${fmt(r.rps)} | ${fmt(r.cpuUs, 1)} |`).join('\n')}

Soak: ${fmt(soaked.requests)} requests on one client in ${fmt(soaked.seconds, 1)} s; RSS ${fmt(soaked.rssBeforeMb)} MiB before, ${fmt(soaked.rssWarmMb)} MiB after warm-up, ${fmt(soaked.rssAfterMb)} MiB after the soak; active handles ${soaked.handlesBefore} before, ${soaked.handlesAfterClose} after \`close()\`.
`;

log(`\n${markdown}`);
if (WRITE) {
  mkdirSync(here('./results'), { recursive: true });
  writeFileSync(
    here('./results/latest.json'),
    `${JSON.stringify({ machine, versions, rows, http2: h2, cold, steadyTokenCalls, ahead, soak: soaked }, null, 2)}\n`,
  );
  writeFileSync(here('./results/latest.md'), markdown);
  const chartRows = rows.filter((r) => !r.name.includes('POST')).sort((a, b) => a.cpuUs - b.cpuUs);
  writeFileSync(
    here('./results/cpu-per-request.svg'),
    cpuChart(chartRows, `${machine}; ${versions}; GET, ~1 KiB JSON`),
  );
  const readmePath = here('../README.md');
  const readme = readFileSync(readmePath, 'utf8');
  const start = '<!-- bench:start -->';
  const end = '<!-- bench:end -->';
  if (readme.includes(start) && readme.includes(end)) {
    const block = `${start}\n![Client CPU per request](bench/results/cpu-per-request.svg)\n\n${markdown}${end}`;
    writeFileSync(
      readmePath,
      readme.slice(0, readme.indexOf(start)) + block + readme.slice(readme.indexOf(end) + end.length),
    );
    log('README.md updated.');
  }
}
