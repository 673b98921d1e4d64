// RedisTokenStorage on a real Redis Cluster (3 primaries, 1 replica each, from the Debian
// redis-server): one token request per expiry for a fleet of processes, with ioredis and
// node-redis cluster clients, through a primary's death, a paused primary and a key rotation.
import { randomBytes } from 'node:crypto';
import { Cluster } from 'ioredis';
import { createCluster } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenData, TokenManager } from '../../src/index';
import { RedisTokenStorage } from '../../src/redis';
import { keyId } from '../../src/tokens/storage/token-cipher';
import {
  type Fleet,
  type FleetServers,
  onePerRenewal,
  settleAll,
  startFleet,
  startFleetServers,
} from '../support/redis-fleet';
import {
  type RedisClusterTopology,
  redisCli,
  startRedisCluster,
  topologiesRun,
} from '../support/redis-topologies';

const run = topologiesRun;
let cluster: RedisClusterTopology;
let fleet: Fleet;
let servers: FleetServers;
let ioredis: Cluster;

beforeAll(async () => {
  if (!run) return;
  await settleAll([startRedisCluster(), startFleet(3), startFleetServers()], (started) => {
    [cluster, fleet, servers] = started as [RedisClusterTopology, Fleet, FleetServers];
  });
  ioredis = new Cluster(
    cluster.seeds.map((s) => ({ ...s })),
    { redisOptions: { maxRetriesPerRequest: 1 } },
  );
}, 60_000);
afterAll(async () => {
  if (!run) return;
  ioredis?.disconnect();
  await Promise.all([fleet?.stop(), servers?.close()]);
  await cluster?.stop();
}, 30_000);

const topology = () => ({ kind: 'cluster' as const, seeds: cluster.seeds });
const hour = () => new Date(Date.now() + 3600_000);

describe.skipIf(!run)('RedisTokenStorage on a Redis Cluster', () => {
  it.each(['ioredis', 'node-redis'] as const)(
    'cold start with a %s cluster client: 3 processes × 100 racers → 1 token request',
    async (client) => {
      const label = `cold-${client}`;
      await fleet.setup({
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
      expect(tokens).toHaveLength(3); // one distinct token per process…
      expect(new Set(tokens).size).toBe(1); // …the same one everywhere
      expect(results.reduce((sum, r) => sum + r.fetches, 0)).toBe(1);
      await fleet.close(label);
    },
  );

  it('every command routes by its one key: set-if-newer, lock, delete on the cluster, ioredis and node-redis alike', async () => {
    const nodeRedis = createCluster({
      rootNodes: cluster.seeds.map((s) => ({ url: `redis://${s.host}:${s.port}` })),
    });
    nodeRedis.on('error', () => undefined);
    await nodeRedis.connect();
    try {
      for (const client of [ioredis, nodeRedis]) {
        const storage = new RedisTokenStorage({ client, keyPrefix: `newer-${client === ioredis}` });
        // Keys spread over the slots of all three primaries.
        for (const key of ['a', 'b', 'c', 'd', 'e', 'f']) {
          const newer = new TokenData({
            accessToken: `newer-${key}`,
            issuedAt: new Date(),
            expiresAt: hour(),
          });
          const older = new TokenData({
            accessToken: `older-${key}`,
            issuedAt: new Date(Date.now() - 60_000),
            expiresAt: hour(),
          });
          await storage.set(key, newer);
          await storage.set(key, older);
          expect((await storage.get(key))?.accessToken).toBe(`newer-${key}`);
          expect(await storage.exists(key)).toBe(true);
          const lock = await storage.acquireLock(key, 5000);
          expect(lock).toBeDefined();
          expect(await storage.acquireLock(key, 5000)).toBeUndefined();
          await lock!.release();
          expect(await storage.acquireLock(key, 5000)).toBeDefined();
          await storage.delete(key);
          expect(await storage.exists(key)).toBe(false);
        }
      }
      const slots = new Set(
        await Promise.all(
          ['a', 'b', 'c', 'd', 'e', 'f'].map((k) =>
            redisCli(cluster.seeds[0]!.port, 'CLUSTER', 'KEYSLOT', `newer-true:${k}`),
          ),
        ),
      );
      expect(slots.size).toBeGreaterThan(1);
      // A hash tag in the prefix keeps a storage's keys, its locks included, in one slot.
      const tagged = await Promise.all(
        ['{rf}:auth_token:a', '{rf}:auth_token:a:lock', '{rf}:auth_token:b'].map((k) =>
          redisCli(cluster.seeds[0]!.port, 'CLUSTER', 'KEYSLOT', k),
        ),
      );
      expect(new Set(tagged).size).toBe(1);
    } finally {
      await nodeRedis.close();
    }
  });

  it('CLIENT PAUSE on the primary owning the token: the wait is bounded by storageTimeoutMs, no failure', async () => {
    const primary = await cluster.primaryFor('paused:auth_token:paused');
    let calls = 0;
    const manager = new TokenManager(
      {
        serviceName: 'paused',
        fetchToken: async () => new TokenData({ accessToken: `paused-${++calls}`, expiresAt: hour() }),
        refreshToken: async () => new TokenData({ accessToken: `paused-${++calls}`, expiresAt: hour() }),
      },
      new RedisTokenStorage({ client: ioredis, keyPrefix: 'paused' }),
      { storageTimeoutMs: 300, logger: { warn: () => undefined } },
    );
    await redisCli(primary.port, 'CLIENT', 'PAUSE', '3000', 'ALL');
    try {
      const started = performance.now();
      const tokens = await Promise.all(Array.from({ length: 20 }, () => manager.getToken()));
      const elapsed = performance.now() - started;
      expect(new Set(tokens.map((t) => t.accessToken))).toEqual(new Set(['paused-1']));
      expect(elapsed).toBeGreaterThanOrEqual(250); // it did wait for the paused primary…
      expect(elapsed).toBeLessThan(1500); // …but only about storageTimeoutMs, not the 3 s pause
    } finally {
      await redisCli(primary.port, 'CLIENT', 'UNPAUSE');
    }
  });

  it('key rotation across processes in two deploys: no token request beyond one per expiry', async () => {
    const [oldKey, newKey] = [randomBytes(32).toString('hex'), randomBytes(32).toString('hex')];
    const label = 'rotation';
    const lifetimeS = 2;
    const deploy = async (id: string, encryptionKeys: string[]) =>
      fleet.setup({
        id,
        client: 'ioredis',
        topology: topology(),
        tokenUrl: servers.tokenUrl(lifetimeS, label),
        apiUrl: 'http://127.0.0.1:1',
        serviceName: label,
        encryptionKeys,
      });
    const cacheKey = await deploy('before', [oldKey]);
    const raw = async () => JSON.parse((await ioredis.get(`requestforge:${cacheKey}`))!);
    await fleet.race('before', 50);
    expect(servers.requests(label)).toHaveLength(1);
    expect((await raw()).kid).toBe(keyId(Buffer.from(oldKey, 'hex')));
    // Deploy 1: every process learns the new key, still writing with the old one.
    await deploy('step1', [oldKey, newKey]);
    expect(new Set((await fleet.race('step1', 50)).flatMap((r) => r.tokens)).size).toBe(1);
    expect(servers.requests(label)).toHaveLength(1);
    // Deploy 2: the new key is current; tokens written with the old one are still read.
    await deploy('step2', [newKey, oldKey]);
    expect(new Set((await fleet.race('step2', 50)).flatMap((r) => r.tokens)).size).toBe(1);
    expect(servers.requests(label)).toHaveLength(1);
    // The token expires: one renewal for the fleet, sealed with the new key…
    await new Promise((r) => setTimeout(r, lifetimeS * 1000));
    const renewed = new Set((await fleet.race('step2', 50)).flatMap((r) => r.tokens));
    expect(servers.requests(label)).toHaveLength(2);
    expect((await raw()).kid).toBe(keyId(Buffer.from(newKey, 'hex')));
    // …read by the processes still on deploy 1 (they know the new key) without a token request.
    expect(new Set((await fleet.race('step1', 50)).flatMap((r) => r.tokens))).toEqual(renewed);
    expect(servers.requests(label)).toHaveLength(2);
    // A process that never learnt the new key cannot read it: why deploy 1 comes first.
    const stale = await fleet.race('before', 10);
    expect(new Set(stale.flatMap((r) => r.tokens))).not.toEqual(renewed);
    for (const id of ['before', 'step1', 'step2']) await fleet.close(id);
  });

  it('killing the primary that owns the token mid-run: 0 failed requests, then one token request per renewal (ioredis and node-redis)', async () => {
    const lifetimeS = 3;
    // One hash tag for both clients: their tokens and locks live on the primary we kill.
    const keyPrefix = '{rf-kill}';
    const cacheKeys: string[] = [];
    for (const client of ['ioredis', 'node-redis'] as const) {
      const cacheKey = await fleet.setup({
        id: `kill-${client}`,
        client,
        topology: topology(),
        tokenUrl: servers.tokenUrl(lifetimeS, `kill-${client}`),
        apiUrl: servers.apiUrl,
        serviceName: `kill-${client}`,
        keyPrefix,
        storageTimeoutMs: 500,
      });
      cacheKeys.push(cacheKey);
    }
    const ioredisKey = `${keyPrefix}:${cacheKeys[0]}`;
    const victim = await cluster.primaryFor(ioredisKey);
    const clients = ['ioredis', 'node-redis'] as const;
    const during = Promise.all(clients.map((client) => fleet.load(`kill-${client}`, 20, 8000)));
    await new Promise((r) => setTimeout(r, 2000));
    await victim.kill();
    await cluster.healthy();
    const duringResults = (await during).flat();
    expect((await cluster.primaryFor(ioredisKey)).port).not.toBe(victim.port);
    // Settled: three more expiries under load.
    const settledAt = Date.now();
    const after = (
      await Promise.all(clients.map((client) => fleet.load(`kill-${client}`, 20, lifetimeS * 3000 + 500)))
    ).flat();
    const results = [...duringResults, ...after];
    const failures = results.reduce((sum, r) => sum + r.failures, 0);
    expect(failures, JSON.stringify(results.flatMap((r) => r.errors))).toBe(0);
    expect(results.reduce((sum, r) => sum + r.requests, 0)).toBeGreaterThan(1000);
    // Both clients route by the new slot map: ioredis by itself, node-redis because the storage
    // has it read the map again when a command stalls (node-redis does so only on MOVED).
    for (const client of clients) {
      const times = servers.requests(`kill-${client}`).filter((time) => time > settledAt);
      expect(times.length, client).toBeGreaterThanOrEqual(2);
      expect(onePerRenewal(times, lifetimeS * 1000), `${client}: ${times.map((t) => t - settledAt)}`).toBe(
        true,
      );
    }
    for (const client of clients) await fleet.close(`kill-${client}`);
  }, 40_000);
});
