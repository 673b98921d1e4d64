// Token-endpoint throttles shared through a real redis-server: the storage methods, and three
// Node processes where one 429 stops all three until Retry-After.
import { type ChildProcess, fork } from 'node:child_process';
import { resolve } from 'node:path';
import Redis from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisTokenStorage } from '../../src/redis';
import { type LoopbackServer, startServer } from '../support/loopback-server';
import { type RedisServer, redisAvailable, redisRequired, startRedis } from '../support/redis-server';

const run = redisAvailable || redisRequired;
let server: RedisServer;
let redis: Redis;

beforeAll(async () => {
  if (!run) return;
  server = (await startRedis())!;
  redis = new Redis(server.url, { maxRetriesPerRequest: 1 });
});
afterAll(async () => {
  if (!run) return;
  redis.disconnect();
  await server.stop();
});

describe.skipIf(!run)('RedisTokenStorage throttles (real redis-server)', () => {
  it('stores a throttle next to the token key, for its Retry-After, and reads the remaining wait', async () => {
    const storage = new RedisTokenStorage({ client: redis, keyPrefix: '{rf}' });
    expect(await storage.getThrottle('auth_token:svc:0123')).toBeUndefined();
    await storage.setThrottle('auth_token:svc:0123', { retryAfterMs: 1_500, statusCode: 429 });
    const pttl = await redis.pttl('{rf}:auth_token:svc:0123:throttle');
    expect(pttl).toBeGreaterThan(1_000);
    expect(pttl).toBeLessThanOrEqual(1_500);
    const throttle = await storage.getThrottle('auth_token:svc:0123');
    expect(throttle?.statusCode).toBe(429);
    expect(throttle?.retryAfterMs).toBeGreaterThan(1_000);
    expect(throttle?.retryAfterMs).toBeLessThanOrEqual(1_500);
    await redis.set('{rf}:auth_token:svc:garbage:throttle', 'not json', 'PX', 1_000);
    expect((await storage.getThrottle('auth_token:svc:garbage'))?.retryAfterMs).toBeGreaterThan(0);
    await storage.setThrottle('auth_token:svc:zero', { retryAfterMs: 0 });
    expect(await redis.exists('{rf}:auth_token:svc:zero:throttle')).toBe(0);
  });
});

describe.skipIf(!run)('a fleet of three processes', () => {
  let tokenServer: LoopbackServer;
  let throttled = false;
  beforeAll(async () => {
    tokenServer = await startServer((_req, res) => {
      if (throttled) {
        res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '1' });
        res.end('{"error":"slow_down"}');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ access_token: `fleet-${tokenServer.requests.length}`, expires_in: 3600 }));
    });
  });
  afterAll(() => tokenServer?.close());

  interface Round {
    cacheKey: string;
    tokens: string[];
    errors: string[];
    retryAfterMs: number[];
  }
  function worker(scope: string): { child: ChildProcess; ready: Promise<void>; round(): Promise<Round> } {
    const child = fork(resolve(__dirname, '../support/fleet-worker.ts'), [], {
      execArgv: ['--import', 'tsx'],
      env: {
        ...process.env,
        REDIS_URL: server.url,
        TOKEN_URL: `${tokenServer.url}/token`,
        CALLERS: '50',
        SCOPE: scope,
      },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const ready = new Promise<void>((r) => child.once('message', () => r()));
    return {
      child,
      ready,
      round: () =>
        new Promise<Round>((r) => {
          child.once('message', (message) => r(message as Round));
          child.send('round');
        }),
    };
  }

  it('one 429 stops all three until Retry-After; the same configuration shares one key and one token', async () => {
    const scope = `fleet-${Date.now()}`;
    const fleet = [worker(scope), worker(scope), worker(scope)];
    try {
      await Promise.all(fleet.map((w) => w.ready));
      throttled = true;
      const first = await fleet[0]!.round();
      expect(first.errors).toEqual(['ERR_TOKEN_ENDPOINT_THROTTLED']);
      expect(tokenServer.requests).toHaveLength(1);
      // The other two processes never saw the 429 themselves: they read it from Redis.
      const others = await Promise.all([fleet[1]!.round(), fleet[2]!.round()]);
      for (const other of others) {
        expect(other.errors).toEqual(['ERR_TOKEN_ENDPOINT_THROTTLED']);
        expect(Math.max(...other.retryAfterMs)).toBeLessThanOrEqual(1_000);
      }
      expect(tokenServer.requests).toHaveLength(1);
      throttled = false;
      await new Promise((r) => setTimeout(r, 1_050));
      const after = await Promise.all(fleet.map((w) => w.round()));
      expect(tokenServer.requests).toHaveLength(2);
      expect(new Set(after.flatMap((r) => r.tokens)).size).toBe(1);
      expect(new Set([first, ...after].map((r) => r.cacheKey)).size).toBe(1);
      expect(after[0]!.cacheKey).toMatch(/^auth_token:fleet:[0-9a-f]{16}$/);
    } finally {
      for (const w of fleet) w.child.send('exit');
    }
  }, 30_000);
});
