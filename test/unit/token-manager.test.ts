import diagnosticsChannel from 'node:diagnostics_channel';
import { describe, expect, it } from 'vitest';
import {
  AuthenticationException,
  CHANNELS,
  InMemoryTokenStorage,
  RequestAbortedException,
  TokenData,
  TokenManager,
  type TokenProvider,
  type TokenStorage,
} from '../../src/index';
import { captureLogger } from '../support/helpers';

/** A provider that counts calls; each call resolves when `release()` is called (or at once). */
function countingProvider(
  options: { lifetimeMs?: number; manual?: boolean; refreshTokens?: boolean; clock?: () => number } = {},
) {
  const calls: Array<{ kind: 'fetch' | 'refresh'; with?: string }> = [];
  const pending: Array<() => void> = [];
  let n = 0;
  const clock = options.clock ?? (() => Date.now());
  const make = () => {
    n++;
    const now = clock();
    return new TokenData({
      accessToken: `token-${n}`,
      refreshToken: options.refreshTokens ? `refresh-${n}` : undefined,
      issuedAt: new Date(now),
      expiresAt: options.lifetimeMs === undefined ? undefined : new Date(now + options.lifetimeMs),
    });
  };
  const respond = () =>
    options.manual
      ? new Promise<TokenData>((resolve) => pending.push(() => resolve(make())))
      : Promise.resolve(make());
  const provider: TokenProvider = {
    serviceName: 'unit-svc',
    fetchToken: async () => {
      calls.push({ kind: 'fetch' });
      return respond();
    },
    refreshToken: async (current) => {
      calls.push({ kind: 'refresh', with: current.refreshToken });
      return respond();
    },
  };
  const release = () => {
    for (const go of pending.splice(0)) go();
  };
  return { provider, calls, release };
}

const quiet = { logger: { warn: () => undefined } };

describe('single flight', () => {
  it('1,000 concurrent getToken() on a cold cache cause exactly one provider call', async () => {
    const { provider, calls, release } = countingProvider({ manual: true, lifetimeMs: 3600_000 });
    const manager = new TokenManager(provider, undefined, quiet);
    const all = Promise.all(Array.from({ length: 1000 }, () => manager.getToken()));
    while (calls.length === 0) await new Promise((resolve) => setImmediate(resolve));
    release();
    const tokens = await all;
    expect(calls).toHaveLength(1);
    expect(new Set(tokens.map((t) => t.accessToken))).toEqual(new Set(['token-1']));
    expect(manager.stats).toMatchObject({ fetches: 1, refreshes: 0, failures: 0 });
  });

  it('all waiters get the error; the next token request waits out the backoff (no request meanwhile)', async () => {
    let now = 0;
    let attempts = 0;
    const provider: TokenProvider = {
      serviceName: 'failing',
      fetchToken: async () => {
        attempts++;
        if (attempts === 1) throw new Error('endpoint down');
        return new TokenData({ accessToken: 'ok' });
      },
      refreshToken: async () => {
        throw new Error('unused');
      },
    };
    const manager = new TokenManager(provider, undefined, { ...quiet, now: () => now });
    const results = await Promise.allSettled(Array.from({ length: 10 }, () => manager.getToken()));
    expect(results.every((r) => r.status === 'rejected')).toBe(true);
    const error = (results[0] as PromiseRejectedResult).reason;
    expect(error).toBeInstanceOf(AuthenticationException);
    expect(error.serviceName).toBe('failing');
    expect(error.message).not.toContain('endpoint down');
    expect(attempts).toBe(1);
    // Within minRefreshIntervalMs (2 s, up to 3 s with jitter) callers are refused at once.
    const held = await manager.getToken().catch((e: unknown) => e);
    expect(held).toMatchObject({ code: 'ERR_TOKEN_ENDPOINT_THROTTLED', serviceName: 'failing' });
    expect((held as AuthenticationException).retryAfterMs).toBeGreaterThanOrEqual(2000);
    expect(attempts).toBe(1);
    now += 3000;
    expect((await manager.getToken()).accessToken).toBe('ok');
    expect(manager.stats).toMatchObject({ failures: 1, throttled: 1 });
  });

  it("a caller's abort cancels its wait, not the shared fetch", async () => {
    const { provider, calls, release } = countingProvider({ manual: true });
    const manager = new TokenManager(provider, undefined, quiet);
    const controller = new AbortController();
    const impatient = manager.getToken({ signal: controller.signal });
    const patient = manager.getToken();
    controller.abort();
    await expect(impatient).rejects.toBeInstanceOf(RequestAbortedException);
    while (calls.length === 0) await new Promise((resolve) => setImmediate(resolve));
    release();
    expect((await patient).accessToken).toBe('token-1');
    expect(calls).toHaveLength(1);
  });

  it('a provider that never answers fails waiters after fetchTimeoutMs', async () => {
    const provider: TokenProvider = {
      serviceName: 'hung',
      fetchToken: () => new Promise(() => undefined),
      refreshToken: () => new Promise(() => undefined),
    };
    const manager = new TokenManager(provider, undefined, { ...quiet, fetchTimeoutMs: 50 });
    await expect(manager.getToken()).rejects.toThrow(/did not complete within 50 ms/);
  });

  it('a provider returning garbage is an AuthenticationException; a plain token object is accepted', async () => {
    const bad = new TokenManager(
      {
        serviceName: 'bad',
        fetchToken: async () => 'nope' as never,
        refreshToken: async () => 'nope' as never,
      },
      undefined,
      quiet,
    );
    await expect(bad.getToken()).rejects.toBeInstanceOf(AuthenticationException);
    const plain = new TokenManager(
      {
        serviceName: 'plain',
        fetchToken: async () => ({ accessToken: 'p' }) as never,
        refreshToken: async () => ({ accessToken: 'p' }) as never,
      },
      undefined,
      quiet,
    );
    expect((await plain.getToken()).authorizationHeader).toBe('Bearer p');
  });
});

describe('caching and freshness', () => {
  it('serves from memory; reads a pre-filled storage before asking the provider', async () => {
    const { provider, calls } = countingProvider({ lifetimeMs: 3600_000 });
    const storage = new InMemoryTokenStorage();
    await storage.set(
      'auth_token:unit-svc',
      new TokenData({ accessToken: 'stored', expiresAt: new Date(Date.now() + 3600_000) }),
    );
    const manager = new TokenManager(provider, storage, quiet);
    for (let i = 0; i < 20; i++) expect((await manager.getToken()).accessToken).toBe('stored');
    expect(calls).toHaveLength(0);
    expect(manager.cacheKey).toBe('auth_token:unit-svc');
    expect(manager.stats.hits).toBe(19);
  });

  it('a 60 s token is used until 54 s (leeway = 10 % of the lifetime), renewed ahead from 48 s', async () => {
    let now = 1_000_000;
    const { provider, calls } = countingProvider({ lifetimeMs: 60_000, clock: () => now });
    const manager = new TokenManager(provider, new InMemoryTokenStorage({ now: () => now }), {
      ...quiet,
      now: () => now,
    });
    expect((await manager.getToken()).accessToken).toBe('token-1');
    now += 47_000;
    expect((await manager.getToken()).accessToken).toBe('token-1');
    expect(calls).toHaveLength(1);
    now += 2_000; // 49 s: in the refresh-ahead window, still served at once
    expect((await manager.getToken()).accessToken).toBe('token-1');
    await new Promise((resolve) => setImmediate(resolve));
    expect(calls).toHaveLength(2);
    expect(manager.stats.backgroundRefreshes).toBe(1);
    expect((await manager.getToken()).accessToken).toBe('token-2');
  });

  it('an expired token is never served: the caller waits for the new one', async () => {
    let now = 0;
    const { provider, calls } = countingProvider({ lifetimeMs: 10_000, clock: () => now });
    const manager = new TokenManager(provider, undefined, { ...quiet, now: () => now });
    await manager.getToken();
    now = 9_000; // past 10 s − 10 % leeway
    expect((await manager.getToken()).accessToken).toBe('token-2');
    expect(calls).toHaveLength(2);
  });

  it('uses the refresh token when issued, and the rotated one next time', async () => {
    let now = 0;
    const { provider, calls } = countingProvider({
      lifetimeMs: 10_000,
      refreshTokens: true,
      clock: () => now,
    });
    const manager = new TokenManager(provider, undefined, { ...quiet, now: () => now });
    await manager.getToken();
    now = 9_500;
    await manager.getToken();
    now = 19_500;
    await manager.getToken();
    expect(calls).toEqual([
      { kind: 'fetch' },
      { kind: 'refresh', with: 'refresh-1' },
      { kind: 'refresh', with: 'refresh-2' },
    ]);
    expect(manager.stats).toMatchObject({ fetches: 1, refreshes: 2 });
  });

  it('a failed background renewal keeps serving the current token and is retried later', async () => {
    let now = 0;
    let fail = true;
    let calls = 0;
    const provider: TokenProvider = {
      serviceName: 'flaky',
      fetchToken: async () => {
        calls++;
        if (calls > 1 && fail) throw new Error('down');
        return new TokenData({
          accessToken: `t${calls}`,
          issuedAt: new Date(now),
          expiresAt: new Date(now + 200_000),
        });
      },
      refreshToken: async () => provider.fetchToken(),
    };
    const log = captureLogger();
    const manager = new TokenManager(provider, undefined, { logger: log.logger, now: () => now });
    await manager.getToken();
    now = 165_000; // refresh-ahead window: [160 s, 180 s)
    expect((await manager.getToken()).accessToken).toBe('t1');
    await new Promise((resolve) => setImmediate(resolve));
    expect(calls).toBe(2);
    expect(log.text()).toContain('background token renewal for "flaky" failed');
    expect((await manager.getToken()).accessToken).toBe('t1');
    await new Promise((resolve) => setImmediate(resolve));
    expect(calls).toBe(2); // backed off
    now = 170_000;
    expect((await manager.getToken()).accessToken).toBe('t1');
    await new Promise((resolve) => setImmediate(resolve));
    expect(calls).toBe(2); // still backing off (5 % of the lifetime)
    fail = false;
    now = 176_000;
    await manager.getToken();
    await new Promise((resolve) => setImmediate(resolve));
    expect(calls).toBe(3);
    expect((await manager.getToken()).accessToken).toBe('t3');
  });
});

describe('refresh reasons', () => {
  it('tells the provider why a token is replaced', async () => {
    let now = 0;
    const reasons: string[] = [];
    let n = 0;
    const make = () =>
      new TokenData({ accessToken: `r${++n}`, issuedAt: new Date(now), expiresAt: new Date(now + 100_000) });
    const provider: TokenProvider = {
      serviceName: 'reasons',
      fetchToken: async () => make(),
      refreshToken: async (_current, context) => {
        reasons.push(context?.reason ?? 'none');
        return make();
      },
    };
    const manager = new TokenManager(provider, undefined, { ...quiet, now: () => now });
    await manager.getToken();
    now = 85_000; // refresh-ahead window
    await manager.getToken();
    await new Promise((resolve) => setImmediate(resolve));
    now = 190_000; // past the renewed token's usable lifetime
    const expired = await manager.getToken();
    manager.markAccepted(expired);
    await manager.invalidateIfCurrent(expired);
    await manager.getToken();
    await manager.forceRefresh();
    expect(reasons).toEqual(['background', 'expired', 'rejected', 'forced']);
  });
});

describe('invalidation', () => {
  it('N concurrent invalidateIfCurrent for one token → one refresh', async () => {
    const { provider, calls } = countingProvider({ lifetimeMs: 3600_000 });
    const manager = new TokenManager(provider, undefined, quiet);
    const first = await manager.getToken();
    await Promise.all(Array.from({ length: 200 }, () => manager.invalidateIfCurrent(first)));
    const after = await Promise.all(Array.from({ length: 200 }, () => manager.getToken()));
    expect(calls).toHaveLength(2);
    expect(new Set(after.map((t) => t.accessToken))).toEqual(new Set(['token-2']));
    // A late 401 for the old token does not invalidate the new one.
    expect(await manager.invalidateIfCurrent('token-1')).toBe(true);
    expect((await manager.getToken()).accessToken).toBe('token-2');
    expect(calls).toHaveLength(2);
  });

  it('a late rejection of a replaced token leaves the new one alone (even without a storage to fall back on)', async () => {
    const forgetful: TokenStorage = {
      get: async () => undefined,
      set: async () => undefined,
      delete: async () => undefined,
      exists: async () => false,
    };
    const { provider, calls } = countingProvider({ lifetimeMs: 3600_000 });
    const manager = new TokenManager(provider, forgetful, quiet);
    const first = await manager.getToken();
    await manager.invalidateIfCurrent(first);
    const second = await manager.getToken();
    expect(await manager.invalidateIfCurrent(first)).toBe(true);
    expect(await manager.getToken()).toBe(second);
    expect(calls).toHaveLength(2);
  });

  it('invalidateToken() and forceRefresh()', async () => {
    const storage = new InMemoryTokenStorage();
    const { provider, calls } = countingProvider({ lifetimeMs: 3600_000 });
    const manager = new TokenManager(provider, storage, quiet);
    await manager.getToken();
    expect(await storage.exists('auth_token:unit-svc')).toBe(true);
    await manager.invalidateToken();
    expect(await storage.exists('auth_token:unit-svc')).toBe(false);
    expect((await manager.getToken()).accessToken).toBe('token-2');
    expect((await manager.forceRefresh()).accessToken).toBe('token-3');
    expect(calls).toHaveLength(3);
  });

  it('refuses a second forced renewal when the fresh token is rejected right away (token endpoint protection)', async () => {
    let now = 0;
    const { provider, calls } = countingProvider({ lifetimeMs: 3600_000, clock: () => now });
    const manager = new TokenManager(provider, undefined, {
      ...quiet,
      now: () => now,
      minForcedRefreshIntervalMs: 5000,
    });
    const first = await manager.getToken();
    manager.markAccepted(first);
    expect(await manager.invalidateIfCurrent(first)).toBe(true); // revoked after use: renew
    const second = await manager.getToken();
    expect(await manager.invalidateIfCurrent(second)).toBe(false); // rejected before ever accepted: refuse
    expect(calls).toHaveLength(2);
    now += 5000;
    expect(await manager.invalidateIfCurrent(second)).toBe(true);
    manager.markAccepted(await manager.getToken());
    expect(calls).toHaveLength(3);
  });
});

describe('storage outages never fail a request', () => {
  it('a throwing storage: tokens are fetched directly, one warning, left alone for a while, recovery noticed', async () => {
    let down = true;
    let storageCalls = 0;
    let now = 1_000_000;
    const inner = new InMemoryTokenStorage();
    const guard = () => {
      storageCalls++;
      if (down) throw new Error('ECONNREFUSED storage');
    };
    const flaky: TokenStorage = {
      get: async (key) => {
        guard();
        return inner.get(key);
      },
      set: async (key, token) => {
        guard();
        return inner.set(key, token);
      },
      delete: async (key) => {
        guard();
        return inner.delete(key);
      },
      exists: async (key) => inner.exists(key),
    };
    const log = captureLogger();
    const { provider, calls } = countingProvider({ lifetimeMs: 3600_000 });
    const manager = new TokenManager(provider, flaky, {
      logger: log.logger,
      now: () => now,
      storageRetryMs: 5000,
    });
    expect((await manager.getToken()).accessToken).toBe('token-1');
    expect(storageCalls).toBe(1); // the failed read; the write was skipped
    await manager.invalidateToken();
    expect((await manager.getToken()).accessToken).toBe('token-2');
    expect(storageCalls).toBe(1); // inside the retry window the storage is left alone
    expect(log.lines.filter((l) => l.includes('failed'))).toHaveLength(1);
    down = false;
    now += 5000;
    await manager.invalidateToken();
    await manager.getToken();
    expect(log.text()).toContain('reachable again');
    expect(await inner.exists('auth_token:unit-svc')).toBe(true);
    expect(calls).toHaveLength(3);
  });

  it('inside the cross-process lock, a refresh token another process rotated into the storage is the one used', async () => {
    let now = 0;
    const { provider, calls } = countingProvider({
      lifetimeMs: 60_000,
      refreshTokens: true,
      clock: () => now,
    });
    const memory = new InMemoryTokenStorage({ now: () => now });
    // Another process renews while we wait for the lock: its token (close to expiry, so not
    // adoptable) carries the refresh token that replaced ours (ours is single-use and now spent).
    const rotatedElsewhere = () =>
      new TokenData({
        accessToken: 'token-elsewhere',
        refreshToken: 'refresh-elsewhere',
        issuedAt: new Date(now - 59_000),
        expiresAt: new Date(now + 1_000),
      });
    let locks = 0;
    const shared: TokenStorage = {
      get: (key) => memory.get(key),
      set: (key, token) => memory.set(key, token),
      delete: (key) => memory.delete(key),
      exists: (key) => memory.exists(key),
      acquireLock: async (key) => {
        if (++locks === 2) await memory.set(key, rotatedElsewhere());
        return { release: async () => undefined };
      },
    };
    const manager = new TokenManager(provider, shared, { ...quiet, now: () => now });
    await manager.getToken();
    now = 58_000;
    await manager.getToken();
    expect(calls).toEqual([{ kind: 'fetch' }, { kind: 'refresh', with: 'refresh-elsewhere' }]);
  });

  it('a storage that hangs is bounded by storageTimeoutMs', async () => {
    const hanging: TokenStorage = {
      get: () => new Promise(() => undefined),
      set: () => new Promise(() => undefined),
      delete: () => new Promise(() => undefined),
      exists: () => new Promise(() => undefined),
    };
    const { provider } = countingProvider({ lifetimeMs: 3600_000 });
    const manager = new TokenManager(provider, hanging, { ...quiet, storageTimeoutMs: 30 });
    const started = performance.now();
    expect((await manager.getToken()).accessToken).toBe('token-1');
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('storage garbage is a miss, not a crash', async () => {
    const garbage: TokenStorage = {
      get: async () => ({ not: 'a token' }) as never,
      set: async () => undefined,
      delete: async () => undefined,
      exists: async () => true,
    };
    const { provider } = countingProvider();
    const manager = new TokenManager(provider, garbage, quiet);
    expect((await manager.getToken()).accessToken).toBe('token-1');
  });
});

describe('validation, events, printing', () => {
  it('refuses bad arguments', () => {
    const { provider } = countingProvider();
    expect(() => new TokenManager({} as never)).toThrow(TypeError);
    expect(() => new TokenManager({ ...provider, serviceName: '' })).toThrow(/serviceName/);
    expect(() => new TokenManager(provider, {} as never)).toThrow(/storage/);
    expect(() => new TokenManager(provider, undefined, { refreshLeewayMs: -1 })).toThrow(RangeError);
  });

  it('publishes token events without secrets', async () => {
    const messages: Array<[string, unknown]> = [];
    const names = Object.values(CHANNELS).filter((name) => name.includes(':token:'));
    const listeners = names.map((name) => {
      const listener = (message: unknown) => messages.push([name, message]);
      diagnosticsChannel.subscribe(name, listener);
      return () => diagnosticsChannel.unsubscribe(name, listener);
    });
    const { provider } = countingProvider({ lifetimeMs: 3600_000, refreshTokens: true });
    const manager = new TokenManager(provider, undefined, quiet);
    const token = await manager.getToken();
    await manager.invalidateIfCurrent(token);
    await manager.getToken();
    const failing = new TokenManager(
      {
        serviceName: 'x',
        fetchToken: async () => {
          throw new Error('boom-secret');
        },
        refreshToken: async () => token,
      },
      undefined,
      quiet,
    );
    await failing.getToken().catch(() => undefined);
    for (const unsubscribe of listeners) unsubscribe();
    expect(messages.map(([n]) => n.replace('requestforge:', ''))).toEqual([
      'token:start',
      'token:end',
      'token:fetch',
      'token:invalidate',
      'token:start',
      'token:end',
      'token:refresh',
      'token:start',
      'token:end',
      'token:error',
    ]);
    const dump = JSON.stringify(messages);
    expect(dump).not.toMatch(/token-1|token-2|refresh-1|refresh-2|boom-secret/);
    expect(dump).toContain('"serviceName":"unit-svc"');
  });

  it('prints without secrets', async () => {
    const { provider } = countingProvider({ lifetimeMs: 3600_000 });
    const manager = new TokenManager(provider, undefined, quiet);
    await manager.getToken();
    const { inspect } = await import('node:util');
    expect(inspect(manager)).not.toContain('token-1');
    expect(JSON.stringify(manager)).not.toContain('token-1');
  });
});
