// Every middleware on its own, with a fake `next`; and the order of the chain, pinned.
import { describe, expect, it } from 'vitest';
import { assembleChain } from '../../src/client/assemble';
import { transportLink } from '../../src/client/transport-link';
import {
  type AuthHook,
  ConnectionException,
  HttpClientConfigBuilder,
  HttpHeaders,
  HttpRequest,
  HttpResponse,
  NoAuthRetryStrategy,
  RequestAbortedException,
  RequestContext,
  SimpleAuthRetryStrategy,
  SimpleRetryStrategy,
  TooManyRedirectsException,
} from '../../src/index';
import { authMiddleware } from '../../src/middleware/auth';
import type { Handler } from '../../src/middleware/chain';
import { hooksMiddleware } from '../../src/middleware/hooks';
import { OriginTrust } from '../../src/middleware/origin-trust';
import { redirectMiddleware } from '../../src/middleware/redirect';
import { retryMiddleware } from '../../src/middleware/retry';
import type { SendOptions, Transport } from '../../src/transport/transport';

const ORIGIN = 'https://api.test';
const trust = new OriginTrust([ORIGIN]);

function request(url = `${ORIGIN}/x`, init: Partial<ConstructorParameters<typeof HttpRequest>[0]> = {}) {
  return new HttpRequest({ method: 'GET', url, ...init });
}

function response(req: HttpRequest, statusCode: number, headers: Record<string, string> = {}): HttpResponse {
  return new HttpResponse({
    statusCode,
    headers: new HttpHeaders(headers),
    elapsedMs: 1,
    url: req.url,
    request: req,
  });
}

/** A `next` that answers from a script and records what it was sent. */
function fakeNext(script: Array<number | Error | ((req: HttpRequest) => HttpResponse)>) {
  const sent: HttpRequest[] = [];
  const next: Handler = async (req) => {
    sent.push(req);
    const step = script[Math.min(sent.length - 1, script.length - 1)]!;
    if (step instanceof Error) throw step;
    return typeof step === 'number' ? response(req, step) : step(req);
  };
  return { next, sent };
}

describe('retry middleware', () => {
  const strategy = new SimpleRetryStrategy({ maxRetries: 2, delayMs: 0 });

  it('retries retryable outcomes up to maxRetries and returns the last response', async () => {
    const { next, sent } = fakeNext([503, 503, 503, 200]);
    const req = request();
    const context = new RequestContext(req, 2);
    const result = await retryMiddleware(strategy)(req, context, next);
    expect(result.statusCode).toBe(503);
    expect(sent).toHaveLength(3);
    expect(context.attempt).toBe(2);
  });

  it('rethrows the last error and never retries a one-shot body or after an abort', async () => {
    const failing = fakeNext([new ConnectionException('down')]);
    const req = request();
    await expect(retryMiddleware(strategy)(req, new RequestContext(req, 2), failing.next)).rejects.toThrow(
      'down',
    );
    expect(failing.sent).toHaveLength(3);

    const oneShot = request(`${ORIGIN}/x`, { method: 'PUT', body: (async function* () {})() });
    const streamed = fakeNext([503]);
    await retryMiddleware(strategy)(oneShot, new RequestContext(oneShot, 2), streamed.next);
    expect(streamed.sent).toHaveLength(1);

    const aborted = fakeNext([new RequestAbortedException('aborted')]);
    await expect(retryMiddleware(strategy)(req, new RequestContext(req, 2), aborted.next)).rejects.toThrow(
      'aborted',
    );
    expect(aborted.sent).toHaveLength(1);
  });
});

describe('hooks middleware', () => {
  it('runs request hooks in order, response hooks after, error hooks on failure', async () => {
    const order: string[] = [];
    const middleware = hooksMiddleware(
      [
        {
          beforeRequest: (r) => {
            order.push('req1');
            return r.withHeaders({ 'x-a': '1' });
          },
        },
        {
          beforeRequest: (r) => {
            order.push(`req2:${r.headers['x-a']}`);
            return undefined;
          },
        },
      ],
      [
        {
          afterResponse: (res) => {
            order.push(`res:${res.statusCode}`);
          },
        },
      ],
      [{ onError: () => void order.push('error') }],
      trust,
    );
    const ok = fakeNext([200]);
    const req = request();
    await middleware(req, new RequestContext(req, 0), ok.next);
    expect(order).toEqual(['req1', 'req2:1', 'res:200']);
    expect(ok.sent[0]!.headers['x-a']).toBe('1');

    order.length = 0;
    await expect(
      middleware(req, new RequestContext(req, 0), fakeNext([new Error('x')]).next),
    ).rejects.toThrow();
    expect(order).toEqual(['req1', 'req2:1', 'error']);
  });

  it('a hook that points the request at an untrusted origin takes its credentials away', async () => {
    const middleware = hooksMiddleware(
      [{ beforeRequest: () => request('https://elsewhere.test/x') }],
      [],
      [],
      trust,
    );
    const { next, sent } = fakeNext([200]);
    const req = request();
    expect(req.credentialsAllowed).toBe(true);
    await middleware(req, new RequestContext(req, 0), next);
    expect(sent[0]!.credentialsAllowed).toBe(false);

    const sameOrigin = hooksMiddleware([{ beforeRequest: () => request(`${ORIGIN}/y`) }], [], [], trust);
    const again = fakeNext([200]);
    await sameOrigin(req, new RequestContext(req, 0), again.next);
    expect(again.sent[0]!.credentialsAllowed).toBe(true);
  });
});

describe('redirect middleware', () => {
  const follow = redirectMiddleware({ follow: true, maxRedirects: 2 }, trust);

  it('follows hops, and drops credential headers and trust when the origin changes', async () => {
    const { next, sent } = fakeNext([
      (r) => response(r, 302, { location: '/moved' }),
      (r) => response(r, 307, { location: 'https://other.test/z' }),
      200,
    ]);
    const req = request(`${ORIGIN}/x`, { headers: { authorization: 'Bearer secret', 'x-keep': '1' } });
    const result = await follow(req, new RequestContext(req, 0), next);
    expect(result.statusCode).toBe(200);
    expect(sent.map((r) => r.url)).toEqual([`${ORIGIN}/x`, `${ORIGIN}/moved`, 'https://other.test/z']);
    expect(sent[1]!.headers.authorization).toBe('Bearer secret');
    expect(sent[2]!.headers.authorization).toBeUndefined();
    expect(sent[2]!.headers['x-keep']).toBe('1');
    expect(sent[2]!.credentialsAllowed).toBe(false);
  });

  it('turns a 303 into a GET, stops at maxRedirects, and leaves a request with followRedirects: false alone', async () => {
    const post = request(`${ORIGIN}/x`, {
      method: 'POST',
      body: 'data',
      headers: { 'content-type': 'text/plain' },
    });
    const seeOther = fakeNext([(r) => response(r, 303, { location: '/result' }), 200]);
    await follow(post, new RequestContext(post, 0), seeOther.next);
    expect(seeOther.sent[1]!.method).toBe('GET');
    expect(seeOther.sent[1]!.body).toBeUndefined();
    expect(seeOther.sent[1]!.headers['content-type']).toBeUndefined();

    const loop = fakeNext([(r) => response(r, 302, { location: '/again' })]);
    const req = request();
    await expect(follow(req, new RequestContext(req, 0), loop.next)).rejects.toBeInstanceOf(
      TooManyRedirectsException,
    );
    expect(loop.sent).toHaveLength(3);

    const manual = request(`${ORIGIN}/x`, { followRedirects: false });
    const once = fakeNext([(r) => response(r, 302, { location: '/moved' })]);
    expect((await follow(manual, new RequestContext(manual, 0), once.next)).statusCode).toBe(302);
    expect(once.sent).toHaveLength(1);
  });
});

function recordingHook(retries: number, log: string[] = []): AuthHook & { refreshed: number } {
  const hook = {
    refreshed: 0,
    retryStrategy:
      retries === 0 ? new NoAuthRetryStrategy() : new SimpleAuthRetryStrategy({ maxRetries: retries }),
    shouldAuthenticate: (r: HttpRequest) => !r.url.endsWith('/public'),
    apply: (r: HttpRequest) => {
      log.push('auth');
      return r.withHeaders({ authorization: `Bearer t${hook.refreshed}` });
    },
    isAuthError: (res: HttpResponse) => res.statusCode === 401,
    refresh: async () => {
      hook.refreshed++;
      return true;
    },
  };
  return hook;
}

describe('auth middleware', () => {
  it('adds credentials where allowed, refreshes and replays after a 401 within the strategy', async () => {
    const hook = recordingHook(1);
    const { next, sent } = fakeNext([401, 200]);
    const req = request();
    const result = await authMiddleware(hook, 30_000)(req, new RequestContext(req, 0), next);
    expect(result.statusCode).toBe(200);
    expect(sent.map((r) => r.headers.authorization)).toEqual(['Bearer t0', 'Bearer t1']);

    const always = fakeNext([401]);
    expect(
      (await authMiddleware(hook, 30_000)(req, new RequestContext(req, 0), always.next)).statusCode,
    ).toBe(401);
    expect(always.sent).toHaveLength(2);
  });

  it('sends excluded paths and requests without trust as they are; no replay without retries', async () => {
    const hook = recordingHook(0);
    const middleware = authMiddleware(hook, 30_000);
    const publicPath = fakeNext([200]);
    const pub = request(`${ORIGIN}/public`);
    await middleware(pub, new RequestContext(pub, 0), publicPath.next);
    expect(publicPath.sent[0]!.headers.authorization).toBeUndefined();

    const untrusted = request().withCredentialsAllowed(false);
    const foreign = fakeNext([200]);
    await middleware(untrusted, new RequestContext(untrusted, 0), foreign.next);
    expect(foreign.sent[0]!.headers.authorization).toBeUndefined();

    const rejected = fakeNext([401, 200]);
    const req = request();
    expect((await middleware(req, new RequestContext(req, 0), rejected.next)).statusCode).toBe(401);
    expect(hook.refreshed).toBe(0);
  });
});

describe('transport link', () => {
  it('counts every send and applies the request timeout over the client default', async () => {
    const seen: SendOptions[] = [];
    const transport: Transport = {
      send: async (req, options) => {
        seen.push(options);
        return response(req, 200);
      },
      close: async () => undefined,
    };
    const config = new HttpClientConfigBuilder().withTimeout(1000).build();
    const link = transportLink(transport, config);
    const req = request();
    const context = new RequestContext(req, 0);
    await link(req, context);
    await link(request(`${ORIGIN}/x`, { timeoutMs: 50 }), context);
    expect(context.sends).toBe(2);
    expect(seen.map((o) => o.timeoutMs)).toEqual([1000, 50]);
    expect(seen[0]!.stream).toBe(false);
  });
});

describe('the chain', () => {
  it('is retry → hooks → redirect → auth → transport', async () => {
    const log: string[] = [];
    const hook = recordingHook(1, log);
    const config = new HttpClientConfigBuilder()
      .withBaseUrl(ORIGIN)
      .withRetryStrategy({
        maxRetries: 1,
        beforeAttempt: () => void log.push('retry'),
        shouldRetry: (outcome) => outcome instanceof HttpResponse && outcome.statusCode === 503,
        getDelayMs: () => 0,
      })
      .withRequestHook(() => {
        log.push('hooks');
      })
      .withAuthHook(hook)
      .build();
    const answers = [
      (r: HttpRequest) => response(r, 302, { location: '/moved' }),
      (r: HttpRequest) => response(r, 401),
      (r: HttpRequest) => response(r, 503),
      (r: HttpRequest) => response(r, 200),
      (r: HttpRequest) => response(r, 200),
    ];
    let sends = 0;
    const terminal: Handler = async (r) => {
      log.push(`send ${new URL(r.url).pathname} ${r.headers.authorization ?? '-'}`);
      return answers[sends++]!(r);
    };
    const handler = assembleChain(config, trust, terminal);
    const req = request();
    const result = await handler(req, new RequestContext(req, 1));
    expect(result.statusCode).toBe(200);
    expect(log).toEqual([
      // retry wraps hooks: hooks run once per attempt.
      'retry',
      'hooks',
      // redirect sits inside hooks and outside auth: each hop is authorised, hooks are not re-run.
      'auth',
      'send /x Bearer t0',
      'auth',
      'send /moved Bearer t0',
      // auth replays the 401 itself, without spending a request retry.
      'auth',
      'send /moved Bearer t1',
      // the 503 is the retry layer's: a new attempt from the top, fresh credentials.
      'retry',
      'hooks',
      'auth',
      'send /x Bearer t1',
    ]);
  });
});
