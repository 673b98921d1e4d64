// A fleet sharing one token through a Redis Cluster, with both Redis clients people use: ioredis
// `Cluster` and node-redis `createCluster`. Every command of RedisTokenStorage touches one key and
// is routed by it; the '{rf}' hash tag in keyPrefix keeps all of this storage's keys in one slot.
// A local 3-primary cluster started from redis-server stands in for ElastiCache / Memorystore
// (docs/deployment.md); the example says so and stops when redis-server or redis-cli is missing.
import { Cluster } from 'ioredis';
import { createCluster } from 'redis';
import { ClientCredentialsTokenProvider, TokenManager } from 'requestforge';
import { RedisTokenStorage } from 'requestforge/redis';
import { redisCli, startRedisCluster, topologiesRun } from '../test/support/redis-topologies';
import { exampleAuth } from './support/stand-ins';

if (!topologiesRun) {
  console.log('skipped: this example needs redis-server and redis-cli (apt-get install redis-server)');
  process.exit(0);
}
const cluster = await startRedisCluster({ primaries: 3, replicas: 0 }); // stands in for your cluster
const auth = await exampleAuth(); // stands in for https://auth.example.com

const ioredis = new Cluster(cluster.seeds.map(({ host, port }) => ({ host, port })));
const nodeRedis = createCluster({
  rootNodes: cluster.seeds.map(({ host, port }) => ({ url: `redis://${host}:${port}` })),
});
await nodeRedis.connect();

const providers: ClientCredentialsTokenProvider[] = [];
function fleetProcess(client: Cluster | typeof nodeRedis) {
  const provider = new ClientCredentialsTokenProvider({
    tokenUrl: `${auth.url}/oauth/token`,
    clientId: 'your-client-id',
    clientSecret: 'your-client-secret',
    serviceName: 'api-service',
  });
  providers.push(provider);
  return new TokenManager(provider, new RedisTokenStorage({ client, keyPrefix: '{rf}' }));
}

// Four processes, two on each client, 25 callers each, racing on a cold cluster.
const managers = [
  fleetProcess(ioredis),
  fleetProcess(ioredis),
  fleetProcess(nodeRedis),
  fleetProcess(nodeRedis),
];
const tokens = await Promise.all(managers.flatMap((m) => Array.from({ length: 25 }, () => m.getToken())));
console.log(
  `100 callers in 4 processes got one token: ${new Set(tokens.map((t) => t.accessToken)).size === 1}; token requests: ${JSON.stringify(auth.grants)}`,
);

const seed = cluster.seeds[0]!.port;
const tokenKey = `{rf}:${managers[0]!.cacheKey}`;
const slots = await Promise.all(
  [tokenKey, `${tokenKey}:lock`].map((key) => redisCli(seed, 'CLUSTER', 'KEYSLOT', key)),
);
const owner = await cluster.primaryFor(tokenKey);
console.log(
  `token and lock in one slot: ${slots[0] === slots[1]} (slot ${slots[0]}, primary on port ${owner.port})`,
);

for (const provider of providers) await provider.close();
ioredis.disconnect();
nodeRedis.destroy();
await auth.close();
await cluster.stop();
