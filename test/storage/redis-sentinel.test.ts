// RedisTokenStorage behind Redis Sentinel (a primary, a replica, 3 Sentinels, from the Debian
// redis-server): one token request for a cold fleet, with ioredis and node-redis Sentinel clients,
// and a forced SENTINEL FAILOVER under load without a failed request.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Fleet,
  type FleetServers,
  onePerRenewal,
  settleAll,
  startFleet,
  startFleetServers,
} from '../support/redis-fleet';
import {
  type RedisSentinelTopology,
  redisCli,
  startRedisSentinel,
  topologiesRun,
} from '../support/redis-topologies';

const run = topologiesRun;
let sentinel: RedisSentinelTopology;
let fleet: Fleet;
let servers: FleetServers;

beforeAll(async () => {
  if (!run) return;
  await settleAll([startRedisSentinel(), startFleet(3), startFleetServers()], (started) => {
    [sentinel, fleet, servers] = started as [RedisSentinelTopology, Fleet, FleetServers];
  });
}, 60_000);
afterAll(async () => {
  if (!run) return;
  await Promise.all([fleet?.stop(), servers?.close()]);
  await sentinel?.stop();
}, 30_000);

const topology = () => ({
  kind: 'sentinel' as const,
  name: sentinel.name,
  sentinels: sentinel.sentinels.map(({ host, port }) => ({ host, port })),
});

describe.skipIf(!run)('RedisTokenStorage behind Redis Sentinel', () => {
  it.each(['ioredis', 'node-redis'] as const)(
    'cold start with a %s Sentinel client: 3 processes × 100 racers → 1 token request',
    async (client) => {
      const label = `cold-${client}`;
      const cacheKey = await fleet.setup({
        id: label,
        client,
        topology: topology(),
        tokenUrl: servers.tokenUrl(3600, label),
        apiUrl: 'http://127.0.0.1:1',
        serviceName: label,
      });
      const results = await fleet.race(label, 100);
      expect(servers.requests(label)).toHaveLength(1);
      const tokens = results.flatMap((r) => r.tokens);
      expect(tokens).toHaveLength(3);
      expect(new Set(tokens).size).toBe(1);
      // Written to the primary, replicated to the replica.
      const primary = await sentinel.primaryPort();
      expect(await redisCli(primary, 'EXISTS', `requestforge:${cacheKey}`)).toBe('1');
      await fleet.close(label);
    },
  );

  it('a forced SENTINEL FAILOVER mid-run: 0 failed requests, then one token request per renewal', async () => {
    const lifetimeS = 3;
    for (const client of ['ioredis', 'node-redis'] as const) {
      await fleet.setup({
        id: `failover-${client}`,
        client,
        topology: topology(),
        tokenUrl: servers.tokenUrl(lifetimeS, `failover-${client}`),
        apiUrl: servers.apiUrl,
        serviceName: `failover-${client}`,
        storageTimeoutMs: 500,
      });
    }
    const clients = ['ioredis', 'node-redis'] as const;
    const during = Promise.all(clients.map((client) => fleet.load(`failover-${client}`, 20, 14_000)));
    await new Promise((r) => setTimeout(r, 2000));
    const { from, to } = await sentinel.failover();
    expect(to).not.toBe(from);
    await sentinel.settled(); // the old primary follows the new one (Sentinel demotes it after ~10 s)
    const duringResults = (await during).flat();
    // Settled: three more expiries under load.
    const settledAt = Date.now();
    const after = (
      await Promise.all(clients.map((client) => fleet.load(`failover-${client}`, 20, lifetimeS * 3000 + 500)))
    ).flat();
    const results = [...duringResults, ...after];
    const failures = results.reduce((sum, r) => sum + r.failures, 0);
    expect(failures, JSON.stringify(results.flatMap((r) => r.errors))).toBe(0);
    expect(results.reduce((sum, r) => sum + r.requests, 0)).toBeGreaterThan(1000);
    for (const client of clients) {
      const times = servers.requests(`failover-${client}`).filter((time) => time > settledAt);
      expect(times.length, client).toBeGreaterThanOrEqual(2);
      expect(onePerRenewal(times, lifetimeS * 1000), `${client}: ${times.map((t) => t - settledAt)}`).toBe(
        true,
      );
      await fleet.close(`failover-${client}`);
    }
  }, 60_000);
});
