// One process of the fleet simulation (bench/fleet.mjs): a TokenManager on RedisTokenStorage
// (the built package) behind an HttpClient, with FLEET_CALLERS callers sending requests in a
// closed loop until told to stop. Reports every request's latency and whether it failed.
import Redis, { Cluster } from 'ioredis';
import { createCluster, createSentinel } from 'redis';
import {
  ClientCredentialsTokenProvider,
  HttpClient,
  HttpClientConfigBuilder,
  TokenManager,
} from '../dist/index.js';
import { RedisTokenStorage } from '../dist/redis.js';

const config = JSON.parse(process.env.FLEET_CONFIG);
const { topology } = config;

async function connect() {
  if (config.client === 'node-redis') {
    const client =
      topology.kind === 'cluster'
        ? createCluster({
            rootNodes: topology.seeds.map(({ host, port }) => ({ url: `redis://${host}:${port}` })),
          })
        : createSentinel({ name: topology.name, sentinelRootNodes: topology.sentinels });
    client.on('error', () => undefined);
    await client.connect();
    return { client, close: () => client.destroy() };
  }
  const client =
    topology.kind === 'cluster'
      ? new Cluster(topology.seeds, { redisOptions: { maxRetriesPerRequest: 1 } })
      : topology.kind === 'sentinel'
        ? new Redis({ sentinels: topology.sentinels, name: topology.name, maxRetriesPerRequest: 1 })
        : new Redis(topology.port, '127.0.0.1', { maxRetriesPerRequest: 1 });
  client.on('error', () => undefined);
  // Connected before the run starts, as a service would be before it takes traffic.
  await new Promise((resolve) => client.once('ready', resolve));
  return { client, close: () => client.disconnect() };
}

const redis = await connect();
const provider = new ClientCredentialsTokenProvider({
  tokenUrl: config.tokenUrl,
  clientId: 'fleet-client',
  clientSecret: 'fleet-secret',
  serviceName: 'fleet',
});
const manager = new TokenManager(provider, new RedisTokenStorage({ client: redis.client }), {
  logger: {
    warn: (m) => process.env.FLEET_DEBUG && console.error(m),
    info: (m) => process.env.FLEET_DEBUG && console.error(m),
  },
  storageTimeoutMs: config.storageTimeoutMs,
  // A fixed key, chosen on purpose: the coordinator finds the primary owning the token by it.
  cacheKey: 'auth_token:fleet',
});
const api = new HttpClient(
  new HttpClientConfigBuilder().withBaseUrl(config.apiUrl).withTokenAuth(manager).build(),
);

const starts = [];
const latencies = [];
let failures = 0;
const failureKinds = [];

async function caller(until) {
  while (Date.now() < until) {
    const startedAt = Date.now();
    const started = performance.now();
    try {
      const response = await api.get('/api');
      if (response.statusCode !== 200)
        throw Object.assign(new Error('status'), { code: `status ${response.statusCode}` });
    } catch (error) {
      failures++;
      // What failed, and whether the request spent longer in flight than a token's safety margin.
      const slow = performance.now() - started > 1000 ? ' after > 1 s' : '';
      failureKinds.push(`${error.code ?? String(error.message).slice(0, 40)}${slow}`);
    }
    starts.push(startedAt);
    latencies.push(performance.now() - started);
    await new Promise((resolve) => setTimeout(resolve, config.thinkMs));
  }
}

process.on('message', async (message) => {
  if (message.cmd === 'run') {
    await Promise.all(Array.from({ length: config.callers }, () => caller(message.until)));
    process.send({ cmd: 'ran', requests: latencies.length, failures, failureKinds, stats: manager.stats });
  } else if (message.cmd === 'report') {
    // Latencies of requests started around a renewal (windows from the token endpoint's log).
    const around = [];
    starts.forEach((start, i) => {
      if (message.windows.some(([from, to]) => start >= from && start <= to)) around.push(latencies[i]);
    });
    process.send({ cmd: 'report', latencies: latencies.map((l) => Math.round(l * 100) / 100), around });
  } else if (message.cmd === 'exit') {
    await api.close();
    await provider.close();
    await redis.close();
    process.exit(0);
  }
});
process.send({ cmd: 'ready' });
