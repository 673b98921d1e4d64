// The auth middleware's replays and its credential-wait budget, with a fake `next`.
import diagnosticsChannel from 'node:diagnostics_channel';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  type AuthHook,
  CHANNELS,
  HttpHeaders,
  HttpRequest,
  HttpResponse,
  RequestContext,
  SimpleAuthRetryStrategy,
  TimeoutException,
} from '../../src/index';
import { authMiddleware } from '../../src/middleware/auth';
import type { Handler } from '../../src/middleware/chain';

const request = (init: Partial<ConstructorParameters<typeof HttpRequest>[0]> = {}) =>
  new HttpRequest({ method: 'GET', url: 'https://api.test/x', ...init });

function answer(statuses: number[]) {
  const sent: HttpRequest[] = [];
  const next: Handler = async (req) => {
    sent.push(req);
    const statusCode = statuses[Math.min(sent.length - 1, statuses.length - 1)]!;
    return new HttpResponse({
      statusCode,
      headers: new HttpHeaders(
        statusCode === 401 ? { 'www-authenticate': 'Bearer error="invalid_token"' } : {},
      ),
      elapsedMs: 1,
      url: req.url,
      request: req,
    });
  };
  return { next, sent };
}

/** A hook whose refresh may keep the credentials (as the manager does when it refuses a renewal). */
function hook(options: { maxRetries: number; delayMs?: number; renews?: boolean; replays?: boolean }) {
  let version = 0;
  const calls: string[] = [];
  const h: AuthHook = {
    retryStrategy: new SimpleAuthRetryStrategy({
      maxRetries: options.maxRetries,
      delayMs: options.delayMs ?? 0,
    }),
    headerNames: ['authorization'],
    shouldAuthenticate: () => true,
    apply: (r) => r.withHeaders({ authorization: `Bearer v${version}` }),
    isAuthError: (res) => res.statusCode === 401,
    refresh: async () => {
      calls.push('refresh');
      if (options.renews) version++;
      return options.replays ?? true;
    },
  };
  return { hook: h, calls };
}

afterEach(() => vi.useRealTimers());

describe('replays follow the strategy, not whether the token changed', () => {
  it('replays up to maxRetries with the same credentials when the refresh keeps them', async () => {
    const { hook: h, calls } = hook({ maxRetries: 3 });
    const { next, sent } = answer([401, 401, 401, 200]);
    const req = request();
    const response = await authMiddleware(h, 30_000)(req, new RequestContext(req, 0), next);
    expect(response.statusCode).toBe(200);
    expect(sent.map((r) => r.headers.authorization)).toEqual([
      'Bearer v0',
      'Bearer v0',
      'Bearer v0',
      'Bearer v0',
    ]);
    expect(calls).toEqual(['refresh', 'refresh', 'refresh']);
  });

  it('returns the last auth error when replays run out, and stops when the hook says a replay cannot help', async () => {
    const { hook: h } = hook({ maxRetries: 2, renews: true });
    const always = answer([401]);
    const req = request();
    expect((await authMiddleware(h, 30_000)(req, new RequestContext(req, 0), always.next)).statusCode).toBe(
      401,
    );
    expect(always.sent.map((r) => r.headers.authorization)).toEqual(['Bearer v0', 'Bearer v1', 'Bearer v2']);
    const { hook: hopeless } = hook({ maxRetries: 2, replays: false });
    const once = answer([401]);
    expect(
      (await authMiddleware(hopeless, 30_000)(req, new RequestContext(req, 0), once.next)).statusCode,
    ).toBe(401);
    expect(once.sent).toHaveLength(1);
  });

  it('refreshes first, then waits the delay, then replays; publishes requestforge:auth:replay without credentials', async () => {
    const events: unknown[] = [];
    const listener = (message: unknown) => events.push(message);
    diagnosticsChannel.subscribe(CHANNELS.authReplay, listener);
    try {
      const { hook: h, calls } = hook({ maxRetries: 2, delayMs: 30, renews: true });
      const { next, sent } = answer([401, 200]);
      const req = request();
      const started = performance.now();
      await authMiddleware(h, 30_000)(req, new RequestContext(req, 0), next);
      expect(performance.now() - started).toBeGreaterThanOrEqual(25);
      expect(calls).toEqual(['refresh']);
      expect(sent).toHaveLength(2);
      expect(events).toEqual([
        {
          method: 'GET',
          url: 'https://api.test/x',
          replay: 1,
          statusCode: 401,
          delayMs: 30,
          credentialsChanged: true,
          challenge: { scheme: 'Bearer', error: 'invalid_token' },
        },
      ]);
      expect(JSON.stringify(events)).not.toContain('v1');
    } finally {
      diagnosticsChannel.unsubscribe(CHANNELS.authReplay, listener);
    }
  });
});

describe('waiting for credentials counts against the request timeout', () => {
  const slowHook = (resolveAfterMs: number): AuthHook => ({
    retryStrategy: new SimpleAuthRetryStrategy({ maxRetries: 1 }),
    shouldAuthenticate: () => true,
    apply: (r) =>
      new Promise((resolve) =>
        setTimeout(() => resolve(r.withHeaders({ authorization: 'Bearer t' })), resolveAfterMs),
      ),
    isAuthError: () => false,
    refresh: async () => true,
  });

  it('a wait longer than the timeout is a TimeoutException with reason token_wait', async () => {
    vi.useFakeTimers();
    const { next, sent } = answer([200]);
    const req = request({ timeoutMs: 1_000 });
    const pending = authMiddleware(slowHook(60_000), 30_000)(req, new RequestContext(req, 0), next).catch(
      (e: unknown) => e,
    );
    await vi.advanceTimersByTimeAsync(1_000);
    const error = await pending;
    expect(error).toBeInstanceOf(TimeoutException);
    expect((error as TimeoutException).context).toMatchObject({ reason: 'token_wait', timeoutMs: 1_000 });
    expect((error as Error).message).toMatch(/waiting for its token/);
    expect(sent).toHaveLength(0);
  });

  it('the client default applies without a per-request timeout, also without replays', async () => {
    vi.useFakeTimers();
    const noReplay: AuthHook = {
      ...slowHook(60_000),
      retryStrategy: new SimpleAuthRetryStrategy({ maxRetries: 0 }),
    };
    const req = request();
    const pending = authMiddleware(noReplay, 500)(req, new RequestContext(req, 0), answer([200]).next).catch(
      (e: unknown) => e,
    );
    await vi.advanceTimersByTimeAsync(500);
    expect(await pending).toBeInstanceOf(TimeoutException);
  });

  it('the send gets what is left of the timeout; credentials at hand leave the request untouched', async () => {
    vi.useFakeTimers();
    const { next, sent } = answer([200]);
    const req = request({ timeoutMs: 1_000 });
    const pending = authMiddleware(slowHook(400), 30_000)(req, new RequestContext(req, 0), next);
    await vi.advanceTimersByTimeAsync(400);
    await pending;
    expect(sent[0]!.timeoutMs).toBeLessThanOrEqual(600);
    expect(sent[0]!.timeoutMs).toBeGreaterThan(500);
    expect(sent[0]!.headers.authorization).toBe('Bearer t');
    const { hook: fast } = hook({ maxRetries: 1 });
    const quick = answer([200]);
    await authMiddleware(fast, 30_000)(req, new RequestContext(req, 0), quick.next);
    expect(quick.sent[0]!.timeoutMs).toBe(1_000);
  });
});
