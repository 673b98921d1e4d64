// The token endpoint is protected from us: Retry-After is honoured, failures back off,
// permanent refusals are not repeated, a refused refresh token is dropped. Real loopback token
// endpoints; the manager's clock is injected, so simulated seconds pass at once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AuthenticationException,
  ClientCredentialsTokenProvider,
  HttpClient,
  HttpClientConfigBuilder,
  InMemoryTokenStorage,
  PasswordGrantTokenProvider,
  SimpleAuthRetryStrategy,
  TokenManager,
} from '../../src/index';
import { type LoopbackServer, type RequestHandler, startServer } from '../support/loopback-server';

let endpoint: LoopbackServer;
let api: LoopbackServer;
const quiet = { logger: { warn: () => undefined } };

beforeAll(async () => {
  [endpoint, api] = await Promise.all([startServer(), startServer((_req, res) => res.end('ok'))]);
});
afterAll(() => Promise.all([endpoint.close(), api.close()]));

const json = { 'content-type': 'application/json' };
let issued = 0;
const grant: RequestHandler = (_req, res) => {
  res.writeHead(200, json);
  res.end(JSON.stringify({ access_token: `token-${++issued}`, token_type: 'Bearer', expires_in: 3600 }));
};

function setup(handler: RequestHandler, options: { maxRetries?: number } = {}) {
  endpoint.handle(handler);
  endpoint.requests.length = 0;
  let now = Date.now();
  const provider = new ClientCredentialsTokenProvider({
    tokenUrl: `${endpoint.url}/token`,
    clientId: 'svc',
    clientSecret: 'svc-secret-123',
    serviceName: 'orders',
    ...options,
  });
  // The storage shares the manager's clock: it remembers throttles for other managers too.
  const manager = new TokenManager(provider, new InMemoryTokenStorage({ now: () => now }), {
    ...quiet,
    now: () => now,
  });
  return {
    provider,
    manager,
    requests: () => endpoint.requests.length,
    advance: (ms: number) => {
      now += ms;
    },
    now: () => now,
  };
}

const settle = <T>(promises: Promise<T>[]) => Promise.allSettled(promises);
const errors = (results: PromiseSettledResult<unknown>[]) =>
  results.map((r) => (r.status === 'rejected' ? (r.reason as AuthenticationException) : undefined));

describe('429/503 Retry-After', () => {
  it('1,000 concurrent callers, 429 Retry-After: 2 for 2 s: 1 token request in the window, then one', async () => {
    let throttledUntil = 0;
    const t = setup((req, res, raw) => {
      if (t.now() < throttledUntil) {
        res.writeHead(429, { ...json, 'retry-after': '2' });
        res.end('{"error":"slow_down"}');
        return;
      }
      grant(req, res, raw);
    });
    throttledUntil = t.now() + 2_000;
    const first = errors(await settle(Array.from({ length: 1000 }, () => t.manager.getToken())));
    expect(t.requests()).toBe(1);
    expect(first.every((e) => e?.code === 'ERR_TOKEN_ENDPOINT_THROTTLED')).toBe(true);
    expect(first[0]).toMatchObject({
      statusCode: 429,
      retryAfterMs: 2_000,
      error: 'slow_down',
      retryable: true,
    });

    // Inside the window: refused at once, without a request, saying how long to wait.
    t.advance(1_000);
    const during = errors(await settle(Array.from({ length: 1000 }, () => t.manager.getToken())));
    expect(t.requests()).toBe(1);
    expect(during.every((e) => e?.code === 'ERR_TOKEN_ENDPOINT_THROTTLED' && e.retryAfterMs === 1_000)).toBe(
      true,
    );
    expect(t.manager.stats.throttled).toBe(1); // one refused flight, shared by its 1,000 waiters

    // After it: one request for all.
    t.advance(1_000);
    const after = await Promise.all(Array.from({ length: 1000 }, () => t.manager.getToken()));
    expect(t.requests()).toBe(2);
    expect(new Set(after.map((token) => token.accessToken)).size).toBe(1);
    await t.provider.close();
  });

  it('a caller holding a still-usable token gets it; requests made through a client fail at once with the typed error', async () => {
    let throttle = false;
    const t = setup((req, res, raw) => {
      if (throttle) {
        // An HTTP-date (whole seconds), read against the real clock: 10 minutes from now.
        res.writeHead(503, { ...json, 'retry-after': new Date(Date.now() + 600_000).toUTCString() });
        res.end('{"error":"temporarily_unavailable"}');
        return;
      }
      grant(req, res, raw);
    });
    const client = new HttpClient(
      new HttpClientConfigBuilder().withBaseUrl(api.url).withTokenAuth(t.manager).build(),
    );
    expect((await client.get('/a')).statusCode).toBe(200);
    throttle = true;
    t.advance(3_350_000); // the refresh-ahead window of a 1-hour token: served, renewed in the background
    expect((await client.get('/b')).statusCode).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(t.requests()).toBe(2);
    for (let i = 0; i < 20; i++) expect((await client.get('/c')).statusCode).toBe(200);
    expect(t.requests()).toBe(2); // no background renewal while the endpoint asked us to wait
    t.advance(230_000); // past the token's usable lifetime, still inside Retry-After (an HTTP-date)
    const error = await client.get('/d').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthenticationException);
    expect(error).toMatchObject({ code: 'ERR_TOKEN_ENDPOINT_THROTTLED', statusCode: 503 });
    expect((error as AuthenticationException).retryAfterMs).toBeLessThanOrEqual(370_000);
    expect((error as AuthenticationException).retryAfterMs).toBeGreaterThan(365_000);
    expect(t.requests()).toBe(2);
    await client.close();
    await t.provider.close();
  });
});

describe('backoff while the endpoint is down', () => {
  it('down for 10 s with 200 callers/s: at most 10 token requests in total, then one that succeeds', async () => {
    let downUntil = 0;
    const t = setup((req, res, raw) => {
      if (t.now() < downUntil) {
        res.writeHead(503, json);
        res.end('{"error":"temporarily_unavailable"}');
        return;
      }
      grant(req, res, raw);
    });
    downUntil = t.now() + 10_000;
    const outcomes: string[] = [];
    // 200 callers per simulated second for 25 s; the provider retries each call twice (its default).
    // Backoff with jitter after failures at ~0 s, 2–3 s and 6–9 s puts the next try at 14–21 s:
    // 25 s always includes it.
    for (let i = 0; i < 5_000; i++) {
      const outcome = await t.manager.getToken().then(
        () => 'token',
        (e: AuthenticationException) => e.code,
      );
      outcomes.push(outcome);
      if (t.now() < downUntil) expect(t.requests()).toBeLessThanOrEqual(10);
      t.advance(5);
    }
    expect(t.requests()).toBeLessThanOrEqual(10);
    expect(outcomes.at(-1)).toBe('token');
    expect(outcomes.filter((o) => o === 'ERR_TOKEN_ENDPOINT_THROTTLED').length).toBeGreaterThan(1_500);
    await t.provider.close();
  }, 30_000);
});

describe('permanent refusals', () => {
  it('invalid_client: exactly one token request however many callers, request retries and auth replays', async () => {
    const t = setup((_req, res) => {
      res.writeHead(401, { ...json, 'www-authenticate': 'Basic realm="token"' });
      res.end('{"error":"invalid_client","error_description":"bad secret svc-secret-123"}');
    });
    const client = new HttpClient(
      new HttpClientConfigBuilder()
        .withBaseUrl(api.url)
        .withTokenAuth(t.manager, { authRetryStrategy: new SimpleAuthRetryStrategy({ maxRetries: 3 }) })
        .withRetry({ maxRetries: 3, baseDelayMs: 1, maxDelayMs: 1 })
        .build(),
    );
    const concurrent = errors(await settle(Array.from({ length: 500 }, (_, i) => client.get(`/r${i}`))));
    for (let i = 0; i < 50; i++) {
      t.advance(500); // 25 s in all: within maxRefreshBackoffMs (30 s)
      concurrent.push((await client.get('/again').catch((e: AuthenticationException) => e)) as never);
    }
    expect(t.requests()).toBe(1);
    expect(api.requests.filter((r) => r.url.startsWith('/r') || r.url === '/again')).toHaveLength(0);
    for (const error of concurrent) {
      expect(error).toBeInstanceOf(AuthenticationException);
      expect(error).toMatchObject({ error: 'invalid_client', retryable: false, statusCode: 401 });
      expect(JSON.stringify(error)).not.toContain('svc-secret-123');
    }
    expect(concurrent[0]!.challenges.map((c) => c.scheme)).toEqual(['Basic']);
    expect(concurrent.at(-1)!.message).toMatch(/fix the configuration/);
    // After maxRefreshBackoffMs the endpoint is asked once more (the registration may have been fixed).
    t.advance(5_000);
    await client.get('/later').catch(() => undefined);
    expect(t.requests()).toBe(2);
    await client.close();
    await t.provider.close();
  });
});

describe('refresh tokens the server refuses', () => {
  function passwordSetup(script: Array<(body: URLSearchParams, res: Parameters<RequestHandler>[1]) => void>) {
    const grants: string[] = [];
    endpoint.handle((req, res) => {
      const body = new URLSearchParams(req.body);
      grants.push(
        `${body.get('grant_type')}${body.get('refresh_token') ? `:${body.get('refresh_token')}` : ''}`,
      );
      script[Math.min(grants.length - 1, script.length - 1)]!(body, res);
    });
    let now = Date.now();
    const provider = new PasswordGrantTokenProvider({
      tokenUrl: `${endpoint.url}/token`,
      clientId: 'svc',
      username: 'alice',
      password: 'alice-password-1',
      serviceName: 'me',
      maxRetries: 0,
    });
    const manager = new TokenManager(provider, undefined, { ...quiet, now: () => now });
    return { grants, manager, provider, advance: (ms: number) => (now += ms) };
  }
  const token = (n: number) => (_body: URLSearchParams, res: Parameters<RequestHandler>[1]) => {
    res.writeHead(200, json);
    res.end(JSON.stringify({ access_token: `a${n}`, refresh_token: `r${n}`, expires_in: 60 }));
  };
  const refuse =
    (error: string, status = 400) =>
    (_body: URLSearchParams, res: Parameters<RequestHandler>[1]) => {
      res.writeHead(status, json);
      res.end(JSON.stringify({ error }));
    };

  it('invalid_grant drops the refresh token and falls back to the full grant once; it is never sent again', async () => {
    const t = passwordSetup([
      token(1),
      refuse('invalid_grant'),
      refuse('temporarily_unavailable', 503),
      token(2),
    ]);
    await t.manager.getToken();
    t.advance(60_000);
    const error = await t.manager.getToken().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthenticationException);
    expect(t.grants).toEqual(['password', 'refresh_token:r1', 'password']);
    t.advance(10_000); // past the backoff
    expect((await t.manager.getToken()).accessToken).toBe('a2');
    expect(t.grants).toEqual(['password', 'refresh_token:r1', 'password', 'password']);
    await t.provider.close();
  });

  it('a permanent refusal of the refresh grant is not followed by the full grant', async () => {
    const t = passwordSetup([token(1), refuse('unauthorized_client')]);
    await t.manager.getToken();
    t.advance(60_000);
    const error = await t.manager.getToken().catch((e: unknown) => e);
    expect(error).toMatchObject({ error: 'unauthorized_client', retryable: false });
    expect(t.grants).toEqual(['password', 'refresh_token:r1']);
    await t.provider.close();
  });
});
