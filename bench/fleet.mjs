// `npm run bench:fleet`: a fleet on a real Redis topology. FLEET_WORKERS processes (16) × FLEET_CALLERS
// callers (50) send requests with a managed token that lives FLEET_TOKEN_S seconds (6) for
// FLEET_EXPIRIES lifetimes (5), optionally through a failover in the middle. Reports token requests
// per renewal round (goal: exactly 1), failed requests (goal: 0), latency p99 overall and around
// renewals, and Redis storage commands per request (goal: well below 1, tokens are served from memory).
//
// Environment: FLEET_TOPOLOGY=cluster|sentinel|single (cluster), FLEET_FAILOVER=1 (kill the primary
// owning the token's slot; on Sentinel, SENTINEL FAILOVER), FLEET_CLIENT=ioredis|node-redis (ioredis),
// FLEET_THINK_MS (1000: each caller's pause between requests), FLEET_STORAGE_TIMEOUT_MS (2000, the default).
// Needs redis-server and redis-cli (Debian: apt-get install redis-server). Run with tsx (the
// topology helpers are the test suite's).
import { fork } from 'node:child_process';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import Redis from 'ioredis';
import { startRedisCluster, startRedisSentinel } from '../test/support/redis-topologies.ts';
import { percentile } from './stats.mjs';

const WORKERS = Number(process.env.FLEET_WORKERS ?? 16);
const CALLERS = Number(process.env.FLEET_CALLERS ?? 50);
const TOKEN_S = Number(process.env.FLEET_TOKEN_S ?? 6);
const EXPIRIES = Number(process.env.FLEET_EXPIRIES ?? 5);
const TOPOLOGY = process.env.FLEET_TOPOLOGY ?? 'cluster';
const FAILOVER = process.env.FLEET_FAILOVER === '1';
const CLIENT = process.env.FLEET_CLIENT ?? 'ioredis';
const THINK_MS = Number(process.env.FLEET_THINK_MS ?? 1000);
const STORAGE_TIMEOUT_MS = Number(process.env.FLEET_STORAGE_TIMEOUT_MS ?? 2000);
const TOKEN_KEY = 'requestforge:auth_token:fleet'; // the workers' `cacheKey` under the default prefix
const STORAGE_COMMANDS = ['get', 'set', 'eval', 'evalsha', 'del', 'exists'];

const listen = (server) =>
  new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${server.address().port}`)),
  );

// The token endpoint (50 ms per answer) and the API (200 for a known, unexpired token, else 401).
const tokenRequests = [];
const issued = new Map();
let minted = 0;
const tokenServer = http.createServer((req, res) => {
  req.resume();
  tokenRequests.push(Date.now());
  const accessToken = `fleet-${++minted}`;
  issued.set(accessToken, Date.now() + TOKEN_S * 1000);
  setTimeout(() => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ access_token: accessToken, token_type: 'Bearer', expires_in: TOKEN_S }));
  }, 50);
});
const apiServer = http.createServer((req, res) => {
  req.resume();
  const expiresAt = issued.get(String(req.headers.authorization ?? '').slice('Bearer '.length));
  res.writeHead(expiresAt !== undefined && Date.now() < expiresAt + 1000 ? 200 : 401);
  res.end();
});
const [tokenUrl, apiUrl] = await Promise.all([listen(tokenServer), listen(apiServer)]);
// Interrupted: stop every process this run started (workers die with their IPC channel).
let stop = async () => undefined;
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    stop().finally(() => process.exit(130));
  });
}

// The topology; `servers` lists the redis-server processes whose command counts matter.
let topology;
let servers;
let failover;
if (TOPOLOGY === 'cluster') {
  const cluster = await startRedisCluster();
  topology = { kind: 'cluster', seeds: cluster.seeds };
  servers = cluster.nodes;
  failover = async () => {
    const victim = await cluster.primaryFor(TOKEN_KEY);
    await victim.kill();
    await cluster.healthy();
    return `killed the primary on port ${victim.port} owning ${TOKEN_KEY}; replica promoted`;
  };
  stop = () => cluster.stop();
} else if (TOPOLOGY === 'sentinel') {
  const sentinel = await startRedisSentinel();
  topology = {
    kind: 'sentinel',
    name: sentinel.name,
    sentinels: sentinel.sentinels.map(({ host, port }) => ({ host, port })),
  };
  servers = sentinel.servers;
  failover = async () => {
    const { from, to } = await sentinel.failover();
    return `SENTINEL FAILOVER: primary ${from} → ${to}`;
  };
  stop = () => sentinel.stop();
} else {
  const { startRedis } = await import('../test/support/redis-server.ts');
  const single = await startRedis();
  if (!single) throw new Error('redis-server is not installed');
  topology = { kind: 'single', port: single.port };
  servers = [{ port: single.port, alive: true }];
  failover = async () => 'no failover on a single Redis';
  stop = () => single.stop();
}

/** Storage commands per live server, with its role (one connection per server, opened once). */
const statsConnections = new Map(
  servers.map((server) => [
    server,
    new Redis(server.port, '127.0.0.1', { maxRetriesPerRequest: 0, retryStrategy: () => null }).on(
      'error',
      () => undefined,
    ),
  ]),
);
async function commandStats() {
  const stats = new Map();
  for (const [server, connection] of statsConnections) {
    if (!server.alive) continue;
    const [role] = await connection.role();
    const text = await connection.info('commandstats');
    let calls = 0;
    for (const [, name, count] of text.matchAll(/^cmdstat_([a-z|]+):calls=(\d+)/gm)) {
      if (STORAGE_COMMANDS.includes(name)) calls += Number(count);
    }
    stats.set(server.port, { role, calls });
  }
  return stats;
}
/** Commands clients sent between two snapshots: counted on primaries only (replicas replay them). */
function commandsBetween(before, after) {
  let total = 0;
  for (const [port, end] of after) {
    const start = before.get(port) ?? { role: end.role, calls: 0 };
    if (start.role === 'master' || end.role === 'master') total += end.calls - start.calls;
  }
  return total;
}

const workerFile = fileURLToPath(new URL('./fleet-worker.mjs', import.meta.url));
const config = {
  topology,
  client: CLIENT,
  tokenUrl: `${tokenUrl}/token`,
  apiUrl,
  callers: CALLERS,
  thinkMs: THINK_MS,
  storageTimeoutMs: STORAGE_TIMEOUT_MS,
};
const workers = Array.from({ length: WORKERS }, () =>
  fork(workerFile, [], {
    // Plain node: the workers run the built package (tsx would resolve `requestforge` to src/).
    execArgv: [],
    env: { ...process.env, FLEET_CONFIG: JSON.stringify(config) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  }),
);
const next = (worker, cmd) =>
  new Promise((resolve) =>
    worker.on('message', function on(m) {
      if (m.cmd === cmd) {
        worker.off('message', on);
        resolve(m);
      }
    }),
  );
await Promise.all(workers.map((w) => next(w, 'ready')));

const durationMs = EXPIRIES * TOKEN_S * 1000;
const stats0 = await commandStats();
const startedAt = Date.now();
const until = startedAt + durationMs;
const ran = Promise.all(
  workers.map((w) => {
    const done = next(w, 'ran');
    w.send({ cmd: 'run', until });
    return done;
  }),
);
let stats1 = stats0;
let event = 'none';
let eventAt;
if (FAILOVER) {
  await new Promise((resolve) => setTimeout(resolve, startedAt + durationMs * 0.4 - Date.now()));
  stats1 = await commandStats();
  eventAt = Date.now();
  event = await failover();
}
const results = await ran;
const stats2 = await commandStats();

// Renewal rounds: token requests less than half a lifetime apart belong to one round.
const rounds = [];
for (const time of tokenRequests) {
  const round = rounds.at(-1);
  if (round && time - round.at(-1) < (TOKEN_S * 1000) / 2) round.push(time);
  else rounds.push([time]);
}
const windows = tokenRequests.map((time) => [time - 100, time + 500]);
const reports = await Promise.all(
  workers.map((w) => {
    const done = next(w, 'report');
    w.send({ cmd: 'report', windows });
    return done;
  }),
);
const all = reports.flatMap((r) => r.latencies).sort((a, b) => a - b);
const around = reports.flatMap((r) => r.around).sort((a, b) => a - b);
const requests = results.reduce((sum, r) => sum + r.requests, 0);
const failed = results.reduce((sum, r) => sum + r.failures, 0);
const commands = FAILOVER
  ? commandsBetween(stats0, stats1) + commandsBetween(stats1, stats2)
  : commandsBetween(stats0, stats2);

const fmt = (ms) => `${ms.toFixed(1)} ms`;
console.log(
  `fleet: ${WORKERS} processes × ${CALLERS} callers, ${TOPOLOGY} (${CLIENT}), token lifetime ${TOKEN_S} s, ${EXPIRIES} lifetimes (${durationMs / 1000} s)`,
);
console.log(`event: ${event}${eventAt ? ` at +${((eventAt - startedAt) / 1000).toFixed(1)} s` : ''}`);
const kinds = {};
for (const kind of results.flatMap((r) => r.failureKinds)) kinds[kind] = (kinds[kind] ?? 0) + 1;
const slow = all.filter((ms) => ms > 1000).length;
console.log(
  `requests: ${requests} (${Math.round(requests / (durationMs / 1000))}/s), failed: ${failed}${failed ? ` ${JSON.stringify(kinds)}` : ''}; slower than 1 s: ${slow} (${((100 * slow) / all.length).toFixed(2)} %)`,
);
console.log(
  `token requests: ${tokenRequests.length} in ${rounds.length} renewal rounds; per round: ${rounds.map((r) => r.length).join(' ')}`,
);
console.log(`  at: ${tokenRequests.map((t) => `+${((t - startedAt) / 1000).toFixed(2)}s`).join(' ')}`);
console.log(
  `latency: p50 ${fmt(percentile(all, 50))}, p99 ${fmt(percentile(all, 99))}, max ${fmt(all.at(-1))}; around renewals (${around.length} requests): p99 ${fmt(percentile(around, 99))}`,
);
console.log(
  `redis storage commands (GET/SET/EVAL/DEL/EXISTS on primaries, INFO commandstats): ${commands} = ${(commands / requests).toFixed(5)} per request`,
);

await Promise.all(
  workers.map(
    (w) =>
      new Promise((resolve) => {
        w.once('exit', resolve);
        w.send({ cmd: 'exit' });
      }),
  ),
);
for (const connection of statsConnections.values()) connection.disconnect();
await stop();
tokenServer.close();
apiServer.close();
