import { type ChildProcess, fork } from 'node:child_process';
import { resolve } from 'node:path';
import Redis from 'ioredis';
import { createClient } from 'redis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  HttpClient,
  HttpClientConfigBuilder,
  REFRESH_TOKEN_RETENTION_MS,
  TokenData,
  TokenManager,
  type TokenProvider,
} from '../../src/index';
import { RedisTokenStorage } from '../../src/redis';
import { encrypt, keyId } from '../../src/tokens/storage/token-cipher';
import { captureLogger } from '../support/helpers';
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
afterEach(async () => {
  if (run && redis.status === 'ready') await redis.flushall();
});

const hour = () => new Date(Date.now() + 3600_000);

describe.skipIf(!run)('RedisTokenStorage (real redis-server)', () => {
  it('round-trips tokens with a TTL from expiresAt, under its key prefix', async () => {
    const storage = new RedisTokenStorage({ client: redis, keyPrefix: 'app' });
    const token = new TokenData({
      accessToken: 'a1',
      refreshToken: 'r1',
      scope: 'read',
      expiresAt: hour(),
      extra: { x: 1 },
    });
    await storage.set('auth_token:svc', token);
    expect(await storage.exists('auth_token:svc')).toBe(true);
    const back = await storage.get('auth_token:svc');
    expect(back?.toJSON()).toEqual(token.toJSON());
    // It holds a refresh token: kept past its access token (REFRESH_TOKEN_RETENTION_MS).
    const kept = await redis.pttl('app:auth_token:svc');
    expect(kept).toBeGreaterThan(3500_000 + REFRESH_TOKEN_RETENTION_MS);
    expect(kept).toBeLessThanOrEqual(3600_000 + REFRESH_TOKEN_RETENTION_MS);
    await storage.set(
      'auth_token:svc',
      token.with({ refreshToken: undefined, issuedAt: new Date(Date.now() + 1) }),
    );
    const ttl = await redis.pttl('app:auth_token:svc');
    expect(ttl).toBeGreaterThan(3500_000);
    expect(ttl).toBeLessThanOrEqual(3600_000);
    await storage.delete('auth_token:svc');
    expect(await storage.get('auth_token:svc')).toBeUndefined();
    await storage.set(
      'expired',
      new TokenData({ accessToken: 'old', expiresAt: new Date(Date.now() - 1000) }),
    );
    expect(await redis.exists('app:expired')).toBe(0);
    await storage.set('forever', new TokenData({ accessToken: 'f' }));
    expect(await redis.pttl('app:forever')).toBe(-1);
  });

  it('never replaces a newer token with an older one', async () => {
    const storage = new RedisTokenStorage({ client: redis });
    const newer = new TokenData({ accessToken: 'newer', issuedAt: new Date(Date.now()), expiresAt: hour() });
    const older = new TokenData({
      accessToken: 'older',
      issuedAt: new Date(Date.now() - 60_000),
      expiresAt: hour(),
    });
    await storage.set('k', newer);
    await storage.set('k', older);
    expect((await storage.get('k'))?.accessToken).toBe('newer');
  });

  it('encrypts with AES-256-GCM, bound to the key; wrong key, tampering or a moved value read as a miss', async () => {
    const key = Buffer.alloc(32, 7);
    const storage = new RedisTokenStorage({ client: redis, encryptionKey: key });
    await storage.set(
      'k',
      new TokenData({
        accessToken: 'very-secret-access',
        refreshToken: 'very-secret-refresh',
        expiresAt: hour(),
      }),
    );
    const raw = (await redis.get('requestforge:k'))!;
    expect(raw).not.toContain('very-secret');
    expect((await storage.get('k'))?.accessToken).toBe('very-secret-access');
    expect(
      await new RedisTokenStorage({ client: redis, encryptionKey: Buffer.alloc(32, 8) }).get('k'),
    ).toBeUndefined();
    expect(
      await new RedisTokenStorage({ client: redis, encryptionKey: key.toString('hex') }).get('k'),
    ).toBeDefined();
    expect(await new RedisTokenStorage({ client: redis }).get('k')).toBeUndefined();
    await redis.set('requestforge:moved', raw);
    expect(await storage.get('moved')).toBeUndefined();
    const envelope = JSON.parse(raw);
    envelope.sealed = `${envelope.sealed.slice(0, -4)}AAAA`;
    await redis.set('requestforge:k', JSON.stringify(envelope));
    expect(await storage.get('k')).toBeUndefined();
    expect(() => new RedisTokenStorage({ client: redis, encryptionKey: Buffer.alloc(16) })).toThrow(
      /32 bytes/,
    );
  });

  it('encryptionKey rotation: [current, ...previous] writes with the first key, reads by key id', async () => {
    const [oldKey, newKey] = [Buffer.alloc(32, 1), Buffer.alloc(32, 2)];
    const at = (encryptionKey: Buffer | Buffer[]) => new RedisTokenStorage({ client: redis, encryptionKey });
    const token = (name: string, ageMs = 0) =>
      new TokenData({ accessToken: name, issuedAt: new Date(Date.now() - ageMs), expiresAt: hour() });
    await at(oldKey).set('k', token('old', 2000));
    expect(JSON.parse((await redis.get('requestforge:k'))!).kid).toBe(keyId(oldKey));
    expect((await at([oldKey, newKey]).get('k'))?.accessToken).toBe('old');
    expect((await at([newKey, oldKey]).get('k'))?.accessToken).toBe('old');
    await at([newKey, oldKey]).set('k', token('new', 1000));
    const envelope = JSON.parse((await redis.get('requestforge:k'))!);
    expect(envelope.kid).toBe(keyId(newKey));
    expect(envelope.issuedAt).toBeGreaterThan(0); // the set-if-newer rule still reads it in the clear
    expect((await at([oldKey, newKey]).get('k'))?.accessToken).toBe('new');
    expect(await at(oldKey).get('k')).toBeUndefined();
    // A value without a key id (written by 0.1.0) is read with the current key.
    const legacy = {
      ...envelope,
      kid: undefined,
      sealed: encrypt(JSON.stringify(token('legacy').toJSON()), newKey, 'requestforge:k'),
    };
    await redis.set('requestforge:k', JSON.stringify(legacy));
    expect((await at([newKey, oldKey]).get('k'))?.accessToken).toBe('legacy');
    expect(() => at([])).toThrow('RedisTokenStorage: encryptionKey must be a key or a non-empty list');
    expect(() => at([newKey, newKey])).toThrow(/same key twice/);
  });

  it('garbage and unknown versions are misses', async () => {
    const storage = new RedisTokenStorage({ client: redis });
    await redis.set('requestforge:a', 'not json');
    await redis.set('requestforge:b', '{"v":2}');
    expect(await storage.get('a')).toBeUndefined();
    expect(await storage.get('b')).toBeUndefined();
  });

  it('the lock is exclusive, expires, and is only released by its owner', async () => {
    const storage = new RedisTokenStorage({ client: redis });
    const first = await storage.acquireLock('k', 200);
    expect(first).toBeDefined();
    expect(await storage.acquireLock('k', 200)).toBeUndefined();
    await new Promise((r) => setTimeout(r, 250));
    const second = await storage.acquireLock('k', 5000);
    expect(second).toBeDefined();
    await first!.release(); // expired: must not free the second holder's lock
    expect(await storage.acquireLock('k', 200)).toBeUndefined();
    await second!.release();
    expect(await storage.acquireLock('k', 200)).toBeDefined();
  });

  it('works with a node-redis client too', async () => {
    const client = createClient({ url: server.url });
    await client.connect();
    const storage = new RedisTokenStorage({ client });
    await storage.set('k', new TokenData({ accessToken: 'node-redis', expiresAt: hour() }));
    expect((await storage.get('k'))?.accessToken).toBe('node-redis');
    expect(await storage.acquireLock('k', 1000)).toBeDefined();
    await client.quit();
  });

  it('refuses a client that is not a Redis client; prints without secrets', () => {
    expect(() => new RedisTokenStorage({ client: {} as never })).toThrow(/ioredis or node-redis/);
    const storage = new RedisTokenStorage({ client: redis, encryptionKey: Buffer.alloc(32, 1) });
    expect(JSON.stringify(storage)).toBe(
      '{"type":"RedisTokenStorage","keyPrefix":"requestforge","encrypted":true,"lock":true}',
    );
  });
});

describe.skipIf(!run)('TokenManager on a shared Redis', () => {
  function slowProvider(delayMs = 150) {
    let calls = 0;
    const provider: TokenProvider = {
      serviceName: 'shared',
      fetchToken: async () => {
        calls++;
        await new Promise((r) => setTimeout(r, delayMs));
        return new TokenData({ accessToken: `shared-${calls}`, expiresAt: hour() });
      },
      refreshToken: async () => provider.fetchToken(),
    };
    return { provider, calls: () => calls };
  }

  it('three "processes" (managers with their own memory) racing on a cold cache: one fetch in total', async () => {
    const { provider, calls } = slowProvider();
    const managers = Array.from(
      { length: 3 },
      () =>
        new TokenManager(provider, new RedisTokenStorage({ client: redis }), {
          logger: { warn: () => undefined },
        }),
    );
    const tokens = await Promise.all(
      managers.flatMap((m) => Array.from({ length: 100 }, () => m.getToken())),
    );
    expect(calls()).toBe(1);
    expect(new Set(tokens.map((t) => t.accessToken))).toEqual(new Set(['shared-1']));
    expect(managers.map((m) => m.stats.fetches).reduce((a, b) => a + b)).toBe(1);
  });

  it('a valid token is served from memory: no Redis round trip per request', async () => {
    const { provider } = slowProvider(0);
    const manager = new TokenManager(provider, new RedisTokenStorage({ client: redis }));
    await manager.getToken();
    const before = Number((await redis.info('stats')).match(/total_commands_processed:(\d+)/)![1]);
    for (let i = 0; i < 50; i++) await manager.getToken();
    const after = Number((await redis.info('stats')).match(/total_commands_processed:(\d+)/)![1]);
    expect(after - before).toBe(1); // the INFO command itself
  });

  it('a Redis outage never fails a request; the manager recovers when Redis is back', async () => {
    const outage = new Redis(server.url, {
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
      retryStrategy: () => 50,
    });
    await new Promise((r) => outage.once('ready', r));
    let now = Date.now();
    const { provider, calls } = slowProvider(0);
    const log = captureLogger();
    const manager = new TokenManager(provider, new RedisTokenStorage({ client: outage }), {
      logger: log.logger,
      now: () => now,
      storageTimeoutMs: 500,
    });
    await manager.getToken();
    await server.stop();
    await manager.invalidateToken();
    const api = await startServer((_req, res) => res.end('ok'));
    const client = new HttpClient(
      new HttpClientConfigBuilder().withBaseUrl(api.url).withTokenAuth(manager).build(),
    );
    expect((await client.get('/during-outage')).statusCode).toBe(200);
    expect(calls()).toBe(2);
    expect(log.text()).toMatch(/token storage .* failed/);
    await server.start();
    await new Promise((r) => (outage.status === 'ready' ? r(undefined) : outage.once('ready', r)));
    now += 10_000;
    await manager.invalidateToken();
    await client.get('/after');
    expect(log.text()).toContain('reachable again');
    expect(await redis.exists('requestforge:auth_token:shared')).toBe(1);
    await client.close();
    await api.close();
    outage.disconnect();
  }, 20_000);
});

describe.skipIf(!run)('a real fleet of processes', () => {
  let tokenServer: LoopbackServer;
  let calls = 0;
  let hang = false;
  beforeAll(async () => {
    tokenServer = await startServer((_req, res) => {
      calls++;
      if (hang) {
        hang = false;
        return;
      }
      setTimeout(() => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ access_token: `fleet-${calls}`, token_type: 'Bearer', expires_in: 3600 }));
      }, 300);
    });
  });
  afterAll(() => tokenServer?.close());

  function worker(env: Record<string, string>): {
    child: ChildProcess;
    ready: Promise<void>;
    result: Promise<{ tokens: string[] }>;
  } {
    const child = fork(resolve(__dirname, '../support/redis-worker.ts'), [], {
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, REDIS_URL: server.url, TOKEN_URL: `${tokenServer.url}/token`, ...env },
      stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    });
    let out = '';
    child.stdout!.on('data', (chunk) => {
      out += chunk;
    });
    const ready = new Promise<void>((r) => child.once('message', () => r()));
    const result = new Promise<{ tokens: string[] }>((r, reject) =>
      child.once('exit', (code) =>
        code === 0
          ? r(JSON.parse(out.trim().split('\n').at(-1)!))
          : reject(new Error(`worker exited ${code}`)),
      ),
    );
    return { child, ready, result };
  }

  it('three Node processes, 50 callers each, one token request for the whole fleet', async () => {
    calls = 0;
    const workers = Array.from({ length: 3 }, () => worker({ CALLERS: '50' }));
    await Promise.all(workers.map((w) => w.ready));
    for (const w of workers) w.child.send('go');
    const results = await Promise.all(workers.map((w) => w.result));
    expect(calls).toBe(1);
    expect(new Set(results.flatMap((r) => r.tokens))).toEqual(new Set(['fleet-1']));
  }, 30_000);

  it('when the lock holder dies mid-fetch, another process takes over after the lock TTL', async () => {
    calls = 0;
    hang = true;
    const holder = worker({ CALLERS: '1', LOCK_TTL_MS: '1500' });
    holder.result.catch(() => undefined); // it is killed on purpose
    await holder.ready;
    holder.child.send('go');
    while (calls === 0) await new Promise((r) => setTimeout(r, 20));
    holder.child.kill('SIGKILL');
    const started = Date.now();
    const survivor = worker({ CALLERS: '10', LOCK_TTL_MS: '1500' });
    await survivor.ready;
    survivor.child.send('go');
    const result = await survivor.result;
    expect(result.tokens).toEqual(['fleet-2']);
    expect(calls).toBe(2);
    expect(Date.now() - started).toBeGreaterThan(300);
  }, 30_000);
});

describe.skipIf(!run)('single-use refresh tokens across processes', () => {
  it('two managers on one Redis renew an expired token with one refresh grant, no invalid_grant', async () => {
    const { startOAuthServer, CLIENT, USER } = await import('../support/oauth-server');
    const { PasswordGrantTokenProvider } = await import('../../src/index');
    const oauth = await startOAuthServer({ accessTokenLifetime: 2 });
    const provider = () =>
      new PasswordGrantTokenProvider({
        tokenUrl: oauth.tokenUrl,
        clientId: CLIENT.id,
        clientSecret: CLIENT.secret,
        username: USER.username,
        password: USER.password,
        serviceName: 'rotating',
        maxRetries: 0,
      });
    const [pa, pb] = [provider(), provider()];
    const quiet = { logger: { warn: () => undefined } };
    const a = new TokenManager(pa, new RedisTokenStorage({ client: redis }), quiet);
    const b = new TokenManager(pb, new RedisTokenStorage({ client: redis }), quiet);
    const first = await a.getToken();
    expect((await b.getToken()).accessToken).toBe(first.accessToken); // b read it from Redis
    await new Promise((r) => setTimeout(r, 2100)); // the token expires for both
    const tokens = await Promise.all([
      ...Array.from({ length: 50 }, () => a.getToken()),
      ...Array.from({ length: 50 }, () => b.getToken()),
    ]);
    expect(new Set(tokens.map((t) => t.accessToken)).size).toBe(1);
    expect(oauth.counts.grants).toEqual({ password: 1, refresh_token: 1 });
    expect(oauth.counts.errors).toEqual({});
    await Promise.all([pa.close(), pb.close(), oauth.close()]);
  }, 15_000);
});
