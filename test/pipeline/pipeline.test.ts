import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthenticationException, InMemoryTokenStorage, TokenData, type TokenStorage } from '../../src/index';
import { type FetchContext, type TokenFetcher, TokenFetchPipeline } from '../../src/pipeline/index';
import { captureLogger, within } from '../support/helpers';
import { guideSteps, type PipelineAuthServer, startPipelineAuth } from '../support/pipeline-servers';

const quiet = { warn: () => undefined };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A step that needs no server: counts its calls and records the context each call got. */
function memoryStep(name: string, dependsOn: string[] = [], options: { ttlMs?: number; fail?: number } = {}) {
  const contexts: FetchContext[] = [];
  let n = 0;
  const fetcher: TokenFetcher = {
    name,
    dependsOn,
    ttlMs: options.ttlMs,
    async fetch(context) {
      contexts.push(context);
      n++;
      if (n <= (options.fail ?? 0)) throw new TypeError(`boom with secret-${name}-${n}`);
      return new TokenData({ accessToken: `${name}-${n}` });
    },
  };
  return { fetcher, contexts, calls: () => contexts.length };
}

let auth: PipelineAuthServer;
beforeAll(async () => {
  auth = await startPipelineAuth({ delayMs: 20 });
});
afterAll(() => auth.close());

describe('dependency order', () => {
  it('runs steps given in reverse list order in dependency order', async () => {
    const [app, user] = guideSteps(auth);
    const pipeline = new TokenFetchPipeline({ steps: [user, app], logger: quiet });
    expect(pipeline.stepNames).toEqual(['app_token', 'user_token']);
    const before = auth.server.requests.length;
    const token = await pipeline.execute();
    const paths = auth.server.requests.slice(before).map((r) => r.url);
    expect(paths).toEqual(['/v1/app/token', '/v1/user/token']);
    expect(token.accessToken).toMatch(/^user-/);
    expect(auth.server.requests.at(-1)!.headers['x-app-token']).toMatch(/^app-/);
    await pipeline.close();
  });

  it('keeps list order among steps that are ready (stable topological sort)', async () => {
    const c = memoryStep('c', ['a']);
    const b = memoryStep('b');
    const a = memoryStep('a');
    const d = memoryStep('d', ['c', 'b']);
    const pipeline = new TokenFetchPipeline({ steps: [d.fetcher, c.fetcher, b.fetcher, a.fetcher] });
    expect(pipeline.stepNames).toEqual(['b', 'a', 'c', 'd']);
    expect((await pipeline.execute()).accessToken).toBe('d-1');
    expect(d.contexts[0]!.names).toEqual(['b', 'a', 'c']);
    expect(c.contexts[0]!.getTokenValue('a')).toBe('a-1');
  });

  it('refuses an unknown dependency and a cycle, naming the steps', () => {
    const user = memoryStep('user_token', ['nonexistent']);
    expect(() => new TokenFetchPipeline({ steps: [user.fetcher] })).toThrow(
      /"user_token" depends on "nonexistent"/,
    );
    const a = memoryStep('a', ['b']);
    const b = memoryStep('b', ['a']);
    const ok = memoryStep('ok');
    expect(() => new TokenFetchPipeline({ steps: [ok.fetcher, a.fetcher, b.fetcher] })).toThrow(
      /cycle between steps "a" → "b" → "a"/,
    );
    const self = memoryStep('self', ['self']);
    expect(() => new TokenFetchPipeline({ steps: [self.fetcher] })).toThrow(/"self" → "self"/);
  });

  it('without validation, the problems fail execute() as AuthenticationException, no overflow', async () => {
    const a = memoryStep('a', ['b']);
    const b = memoryStep('b', ['a']);
    const pipeline = new TokenFetchPipeline({ steps: [a.fetcher, b.fetcher], validateDependencies: false });
    const error = await pipeline.execute().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthenticationException);
    expect((error as AuthenticationException).message).toMatch(/cycle between steps "a" → "b" → "a"/);
    expect((error as AuthenticationException).serviceName).toBe('a');
    expect(await pipeline.invalidateStep('a')).toEqual(['a', 'b']);
    expect(a.calls() + b.calls()).toBe(0);

    const orphan = memoryStep('orphan', ['missing']);
    const loose = new TokenFetchPipeline({ steps: [orphan.fetcher], validateDependencies: false });
    await expect(loose.execute()).rejects.toThrow(/"orphan" depends on "missing"/);
  });

  it('refuses duplicate names, no steps, and malformed steps with a TypeError', () => {
    const a = memoryStep('a');
    expect(() => new TokenFetchPipeline({ steps: [a.fetcher, memoryStep('a').fetcher] })).toThrow(TypeError);
    expect(() => new TokenFetchPipeline({ steps: [] })).toThrow(TypeError);
    expect(
      () => new TokenFetchPipeline({ steps: [{ ...a.fetcher, dependsOn: 'b' as unknown as string[] }] }),
    ).toThrow(/dependsOn/);
    expect(() => new TokenFetchPipeline({ steps: [{ ...a.fetcher, ttlMs: -1 }] })).toThrow(/ttlMs/);
  });
});

describe('per-step caching', () => {
  it('caches each step under <prefix>:<name>:<identity hash> and reuses it', async () => {
    const [app, user] = guideSteps(auth);
    const storage = new InMemoryTokenStorage();
    const pipeline = new TokenFetchPipeline({ steps: [app, user], storage, cacheKeyPrefix: 'myapp' });
    const first = await pipeline.execute();
    const calls = auth.server.requests.length;
    const second = await pipeline.execute();
    expect(auth.server.requests.length).toBe(calls);
    expect(second).toBe(first);
    expect(pipeline.cacheKey('user_token')).toMatch(/^myapp:user_token:[0-9a-f]{16}$/);
    expect((await storage.get(pipeline.cacheKey('user_token')))?.accessToken).toBe(first.accessToken);
    expect((await storage.get(pipeline.cacheKey('app_token')))?.accessToken).toMatch(/^app-/);
    expect(pipeline.cacheKey('x')).toBe('myapp:x'); // no such step: no identity
    expect(new TokenFetchPipeline({ steps: [app] }).cacheKey('app_token')).toMatch(
      /^app_token:[0-9a-f]{16}$/,
    );
    await pipeline.close();
  });

  it('ttlMs wins over expires_in, on the returned token itself', async () => {
    const [app, user] = guideSteps(auth, { user: { ttlMs: 1_500 } });
    const storage = new InMemoryTokenStorage();
    const pipeline = new TokenFetchPipeline({ steps: [app, user], storage });
    const token = await pipeline.execute();
    // The server said expires_in 3600 s.
    expect(token.lifetimeMs).toBe(1_500);
    expect(token.expiresAt!.getTime() - token.issuedAt.getTime()).toBe(1_500);
    expect((await storage.get(pipeline.cacheKey('user_token')))!.expiresAt).toEqual(token.expiresAt);
    expect((await storage.get(pipeline.cacheKey('app_token')))!.lifetimeMs).toBe(60 * 60_000);
    await pipeline.close();
  });

  it('re-fetches an expired step only; a step whose dependency was re-fetched is re-fetched', async () => {
    const shortUser = guideSteps(auth, { user: { ttlMs: 300 } });
    const pipeline = new TokenFetchPipeline({ steps: shortUser });
    const appCalls = () => auth.calls('/v1/app/token');
    const userCalls = () => auth.calls('/v1/user/token');
    const [app0, user0] = [appCalls(), userCalls()];
    const first = await pipeline.execute();
    await sleep(320);
    const second = await pipeline.execute();
    expect(second.accessToken).not.toBe(first.accessToken);
    expect([appCalls() - app0, userCalls() - user0]).toEqual([1, 2]);

    const shortApp = guideSteps(auth, { app: { ttlMs: 300 } });
    const chained = new TokenFetchPipeline({ steps: shortApp });
    const [app1, user1] = [appCalls(), userCalls()];
    const before = await chained.execute();
    await sleep(320);
    const after = await chained.execute();
    // The user token was still usable (30 min), but it was obtained with the old app token.
    expect([appCalls() - app1, userCalls() - user1]).toEqual([2, 2]);
    expect(after.accessToken).not.toBe(before.accessToken);
    const lastUserRequest = auth.requestsTo('/v1/user/token').at(-1)!;
    const lastAppToken = [...auth.liveAppTokens].at(-1);
    expect(lastUserRequest.headers['x-app-token']).toBe(lastAppToken);
    await Promise.all([pipeline.close(), chained.close()]);
  });

  it('forceRefresh re-fetches every step', async () => {
    const a = memoryStep('a');
    const b = memoryStep('b', ['a']);
    const pipeline = new TokenFetchPipeline({ steps: [a.fetcher, b.fetcher] });
    await pipeline.execute();
    await pipeline.execute();
    expect([a.calls(), b.calls()]).toEqual([1, 1]);
    expect((await pipeline.execute({ forceRefresh: true })).accessToken).toBe('b-2');
    expect([a.calls(), b.calls()]).toEqual([2, 2]);
  });

  it("applies a custom step's ttlMs to the token it returns", async () => {
    const a = memoryStep('a', [], { ttlMs: 5_000 });
    const token = await new TokenFetchPipeline({ steps: [a.fetcher] }).execute();
    expect(token.lifetimeMs).toBe(5_000);
  });
});

describe('single flight per step', () => {
  it('50 concurrent executes on a cold cache call each endpoint exactly once', async () => {
    const [app, user] = guideSteps(auth);
    const pipeline = new TokenFetchPipeline({ steps: [app, user] });
    const [app0, user0] = [auth.calls('/v1/app/token'), auth.calls('/v1/user/token')];
    const tokens = await Promise.all(Array.from({ length: 50 }, () => pipeline.execute()));
    expect(auth.calls('/v1/app/token') - app0).toBe(1);
    expect(auth.calls('/v1/user/token') - user0).toBe(1);
    expect(new Set(tokens.map((t) => t.accessToken)).size).toBe(1);
    await pipeline.close();
  });

  it('concurrent callers share a failure, which is not cached', async () => {
    const a = memoryStep('a', [], { fail: 1 });
    const pipeline = new TokenFetchPipeline({ steps: [a.fetcher] });
    const results = await Promise.allSettled(Array.from({ length: 10 }, () => pipeline.execute()));
    expect(results.every((r) => r.status === 'rejected')).toBe(true);
    expect(a.calls()).toBe(1);
    expect((await pipeline.execute()).accessToken).toBe('a-2');
  });
});

describe('step failures', () => {
  it('wraps a foreign error as AuthenticationException naming the step, without its message', async () => {
    const a = memoryStep('a');
    const b = memoryStep('b', ['a'], { fail: 1 });
    const pipeline = new TokenFetchPipeline({ steps: [a.fetcher, b.fetcher] });
    const error = (await pipeline.execute().catch((e: unknown) => e)) as AuthenticationException;
    expect(error).toBeInstanceOf(AuthenticationException);
    expect(error.serviceName).toBe('b');
    expect(error.message).toBe('Token pipeline step "b" failed (TypeError)');
    expect(error.cause).toBeInstanceOf(TypeError);
    expect(JSON.stringify(error)).not.toContain('secret-b');
  });

  it("passes a step's own AuthenticationException through as is", async () => {
    const [app, user] = guideSteps(auth, {
      user: { requestData: { username: 'nobody', password: 'wrong' } },
    });
    const pipeline = new TokenFetchPipeline({ steps: [app, user] });
    const error = (await pipeline.execute().catch((e: unknown) => e)) as AuthenticationException;
    expect(error).toBeInstanceOf(AuthenticationException);
    expect(error.serviceName).toBe('user_token');
    expect(error.statusCode).toBe(400);
    expect(error.error).toBe('invalid_grant');
    expect(error.message).toBe('Token request for "user_token" failed: HTTP 400, invalid_grant');
    await pipeline.close();
  });

  it('a step returning something else than a TokenData fails', async () => {
    const bad: TokenFetcher = { name: 'bad', dependsOn: [], fetch: async () => 'token' as never };
    await expect(new TokenFetchPipeline({ steps: [bad] }).execute()).rejects.toThrow(
      /step "bad" returned no TokenData/,
    );
  });
});

describe('invalidation and introspection', () => {
  it('invalidateStep cascades to every dependent, transitively; invalidateAll forgets all', async () => {
    const a = memoryStep('a');
    const b = memoryStep('b', ['a']);
    const c = memoryStep('c', ['b']);
    const d = memoryStep('d');
    const storage = new InMemoryTokenStorage();
    const pipeline = new TokenFetchPipeline({
      steps: [a.fetcher, b.fetcher, c.fetcher, d.fetcher],
      storage,
      cacheKeyPrefix: 'p',
    });
    await pipeline.execute();
    expect(await pipeline.invalidateStep('c')).toEqual(['c']);
    expect(await pipeline.invalidateStep('a')).toEqual(['a', 'b', 'c']);
    expect(await storage.get('p:a')).toBeUndefined();
    expect(await storage.get('p:b')).toBeUndefined();
    expect((await storage.get('p:d'))?.accessToken).toBe('d-1');
    await pipeline.execute();
    expect([a.calls(), b.calls(), c.calls(), d.calls()]).toEqual([2, 2, 2, 1]);
    await pipeline.invalidateAll();
    expect(storage.size).toBe(0);
    await pipeline.execute();
    expect([a.calls(), b.calls(), c.calls(), d.calls()]).toEqual([3, 3, 3, 2]);
  });

  it('getStep, stepNames, cachedToken; unknown names are a TypeError', async () => {
    const a = memoryStep('a');
    const b = memoryStep('b', ['a']);
    const pipeline = new TokenFetchPipeline({ steps: [b.fetcher, a.fetcher] });
    expect(pipeline.getStep('a')).toBe(a.fetcher);
    expect(pipeline.getStep('zzz')).toBeUndefined();
    expect(pipeline.stepNames).toEqual(['a', 'b']);
    expect(await pipeline.cachedToken('b')).toBeUndefined();
    await pipeline.execute();
    expect((await pipeline.cachedToken('b'))?.accessToken).toBe('b-1');
    await expect(pipeline.invalidateStep('zzz')).rejects.toThrow(TypeError);
  });

  it('a storage that throws does not fail execute, its tokens are served from memory; the warning holds no secret', async () => {
    const broken: TokenStorage = {
      get: () => {
        throw new Error('redis down user-token-secret');
      },
      set: async () => {
        throw new Error('redis down');
      },
      delete: async () => {
        throw new Error('redis down');
      },
      exists: async () => false,
    };
    const { logger, lines } = captureLogger();
    const a = memoryStep('a');
    const b = memoryStep('b', ['a']);
    const pipeline = new TokenFetchPipeline({ steps: [a.fetcher, b.fetcher], storage: broken, logger });
    expect((await pipeline.execute()).accessToken).toBe('b-1');
    // The storage is down: what this process fetched is served, no second request per run.
    expect((await pipeline.execute()).accessToken).toBe('b-1');
    expect(await pipeline.invalidateStep('a')).toEqual(['a', 'b']);
    expect((await pipeline.execute()).accessToken).toBe('b-2');
    expect(a.calls()).toBe(2);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/storage get of "a" .*failed \(Error\)/);
    expect(lines.join()).not.toContain('secret');
  });

  it('a token read while its step is being invalidated is not used', async () => {
    const storage = new InMemoryTokenStorage();
    let gate: (() => void) | undefined;
    const slow: TokenStorage = {
      get: async (key) => {
        const token = await storage.get(key);
        await new Promise<void>((resolve) => {
          gate = resolve;
        });
        return token;
      },
      set: (key, token) => storage.set(key, token),
      delete: async () => undefined, // a replica that does not delete: only the in-process mark helps
      exists: (key) => storage.exists(key),
    };
    const a = memoryStep('a');
    await storage.set('a', new TokenData({ accessToken: 'a-old' }));
    const pipeline = new TokenFetchPipeline({ steps: [a.fetcher], storage: slow });
    const reading = pipeline.cachedToken('a');
    await sleep(5);
    await pipeline.invalidateStep('a');
    gate!();
    expect(await reading).toBeUndefined();
  });

  it('a storage whose get never answers: the run goes on without it within storageTimeoutMs', async () => {
    const hanging: TokenStorage = {
      get: () => new Promise(() => undefined),
      set: () => new Promise(() => undefined),
      delete: () => new Promise(() => undefined),
      exists: () => new Promise(() => undefined),
    };
    const a = memoryStep('a');
    const b = memoryStep('b', ['a']);
    const pipeline = new TokenFetchPipeline({
      steps: [a.fetcher, b.fetcher],
      storage: hanging,
      storageTimeoutMs: 50,
      logger: quiet,
    });
    const started = performance.now();
    expect((await within(2_000, pipeline.execute())).accessToken).toBe('b-1');
    expect(performance.now() - started).toBeLessThan(1_000);
    // The storage is left alone for a while: the next run costs no wait at all.
    const again = performance.now();
    expect((await within(2_000, pipeline.execute())).accessToken).toBe('b-1');
    expect(performance.now() - again).toBeLessThan(40);
  });

  it('an invalidated step is re-fetched even when the storage could not delete it', async () => {
    const storage = new InMemoryTokenStorage();
    const sticky: TokenStorage = {
      get: (key) => storage.get(key),
      set: (key, token) => storage.set(key, token),
      delete: async () => {
        throw new Error('read-only replica');
      },
      exists: (key) => storage.exists(key),
    };
    const a = memoryStep('a');
    const pipeline = new TokenFetchPipeline({ steps: [a.fetcher], storage: sticky, logger: quiet });
    await pipeline.execute();
    await pipeline.invalidateStep('a');
    expect((await pipeline.execute()).accessToken).toBe('a-2');
    expect((await pipeline.execute()).accessToken).toBe('a-2');
  });
});
