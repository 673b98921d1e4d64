import diagnosticsChannel from 'node:diagnostics_channel';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  AuthenticationException,
  ClientCredentialsTokenProvider,
  HttpClient,
  HttpClientConfigBuilder,
  PasswordGrantTokenProvider,
  SimpleAuthRetryStrategy,
  TokenManager,
  UnauthorizedException,
} from '../../src/index';
import { type LoopbackServer, startServer } from '../support/loopback-server';
import { CLIENT, type OAuthTestServer, startOAuthServer, USER } from '../support/oauth-server';

let oauth: OAuthTestServer;
const quiet = { logger: { warn: () => undefined } };
const clients: HttpClient[] = [];

beforeAll(async () => {
  oauth = await startOAuthServer();
});
afterAll(() => oauth.close());
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
});

function clientCredentials(
  server = oauth,
  overrides: Partial<ConstructorParameters<typeof ClientCredentialsTokenProvider>[0]> = {},
) {
  return new ClientCredentialsTokenProvider({
    tokenUrl: server.tokenUrl,
    clientId: CLIENT.id,
    clientSecret: CLIENT.secret,
    serviceName: 'orders-api',
    maxRetries: 0,
    ...overrides,
  });
}

function apiClient(
  manager: TokenManager,
  server = oauth,
  configure: (b: HttpClientConfigBuilder) => HttpClientConfigBuilder = (b) => b,
) {
  const client = new HttpClient(
    configure(new HttpClientConfigBuilder().withBaseUrl(server.apiUrl).withTokenAuth(manager)).build(),
  );
  clients.push(client);
  return client;
}

describe('client credentials against @node-oauth/oauth2-server', () => {
  it.each(['body', 'header'] as const)(
    'authMethod %s obtains a token the resource server accepts',
    async (authMethod) => {
      const before = oauth.counts.grants.client_credentials ?? 0;
      const manager = new TokenManager(clientCredentials(oauth, { authMethod }), undefined, quiet);
      const response = await apiClient(manager).get('/orders');
      expect(response.statusCode).toBe(200);
      expect(response.json()).toMatchObject({ user: `service:${CLIENT.id}` });
      expect(oauth.counts.grants.client_credentials).toBe(before + 1);
    },
  );

  it('1,000 concurrent requests on a cold cache → exactly 1 token request', async () => {
    const before = oauth.counts.total;
    oauth.setTokenDelay(50);
    const manager = new TokenManager(clientCredentials(), undefined, quiet);
    const client = apiClient(manager);
    const responses = await Promise.all(Array.from({ length: 1000 }, (_, i) => client.get(`/orders/${i}`)));
    oauth.setTokenDelay(0);
    expect(responses.every((r) => r.statusCode === 200)).toBe(true);
    expect(oauth.counts.total - before).toBe(1);
    expect(manager.stats.fetches).toBe(1);
  });

  it('20 sequential requests → 1 token request', async () => {
    const before = oauth.counts.total;
    const client = apiClient(new TokenManager(clientCredentials(), undefined, quiet));
    for (let i = 0; i < 20; i++) expect((await client.get('/orders')).statusCode).toBe(200);
    expect(oauth.counts.total - before).toBe(1);
  });

  it('a token revoked server-side: 401, one refresh, replay → 200; 200 concurrent rejections → 1 refresh', async () => {
    const manager = new TokenManager(clientCredentials(), undefined, quiet);
    const client = apiClient(manager);
    expect((await client.get('/warm')).statusCode).toBe(200);
    const before = oauth.counts.total;
    oauth.revokeAll();
    const seenBefore = oauth.apiRequests.length;
    const response = await client.get('/after-revoke');
    expect(response.statusCode).toBe(200);
    expect(oauth.apiRequests.slice(seenBefore).map((r) => r.status)).toEqual([401, 200]);
    expect(oauth.counts.total - before).toBe(1);

    oauth.revokeAll();
    const burstBefore = oauth.counts.total;
    const burst = await Promise.all(Array.from({ length: 200 }, (_, i) => client.get(`/burst/${i}`)));
    expect(burst.every((r) => r.statusCode === 200)).toBe(true);
    expect(oauth.counts.total - burstBefore).toBe(1);
  });

  it('a wrong client secret → AuthenticationException from client.get with serviceName and invalid_client, secret-free', async () => {
    for (const authMethod of ['body', 'header'] as const) {
      const wrongSecret = 'totally-wrong-secret-value';
      const manager = new TokenManager(
        clientCredentials(oauth, { clientSecret: wrongSecret, authMethod }),
        undefined,
        quiet,
      );
      const error = await apiClient(manager)
        .get('/orders')
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AuthenticationException);
      const auth = error as AuthenticationException;
      expect(auth.serviceName).toBe('orders-api');
      expect(auth.error).toBe('invalid_client');
      expect(auth.message).toContain('invalid_client');
      for (const text of [auth.message, JSON.stringify(auth), String(auth.errorDescription)])
        expect(text).not.toContain(wrongSecret);
    }
  });

  it('extraParams cannot override the grant type or credentials', () => {
    expect(() => clientCredentials(oauth, { extraParams: { grant_type: 'password' } })).toThrow(
      /extraParams cannot set "grant_type"/,
    );
    expect(() => clientCredentials(oauth, { extraParams: { client_secret: 'x' } })).toThrow(/client_secret/);
    expect(() => clientCredentials(oauth, { tokenUrl: 'not a url' })).toThrow(/tokenUrl/);
  });
});

describe('401 handling', () => {
  let alwaysUnauthorized: LoopbackServer;
  beforeAll(async () => {
    alwaysUnauthorized = await startServer((_req, res) =>
      res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"nope"}'),
    );
  });
  afterAll(() => alwaysUnauthorized.close());

  it('a server that always answers 401: each request is sent at most maxRetries + 1 times and the 401 comes back', async () => {
    const manager = new TokenManager(clientCredentials(), undefined, quiet);
    const client = new HttpClient(
      new HttpClientConfigBuilder()
        .withBaseUrl(alwaysUnauthorized.url)
        .withTokenAuth(manager, { authRetryStrategy: new SimpleAuthRetryStrategy({ maxRetries: 2 }) })
        .withRetry({ maxRetries: 3, baseDelayMs: 1, maxDelayMs: 1 })
        .build(),
    );
    clients.push(client);
    for (let i = 0; i < 5; i++) {
      const before = alwaysUnauthorized.requests.length;
      const response = await client.get(`/r${i}`);
      expect(response.statusCode).toBe(401);
      expect(alwaysUnauthorized.requests.length - before).toBeLessThanOrEqual(3);
    }
    // The token endpoint is protected too: tokens rejected before ever being accepted are not renewed again and again.
    expect(manager.stats.fetches + manager.stats.refreshes).toBeLessThanOrEqual(3);

    const strict = new HttpClient(
      new HttpClientConfigBuilder()
        .withBaseUrl(alwaysUnauthorized.url)
        .withTokenAuth(manager)
        .withRaiseForStatus()
        .build(),
    );
    clients.push(strict);
    await expect(strict.get('/x')).rejects.toBeInstanceOf(UnauthorizedException);
  });

  it('an excluded path that answers 401 is returned as is: no refresh', async () => {
    const manager = new TokenManager(clientCredentials(), undefined, quiet);
    const client = new HttpClient(
      new HttpClientConfigBuilder()
        .withBaseUrl(alwaysUnauthorized.url)
        .withTokenAuth(manager, { excludedPaths: ['/health'] })
        .build(),
    );
    clients.push(client);
    const before = alwaysUnauthorized.requests.length;
    expect((await client.get('/health')).statusCode).toBe(401);
    expect(alwaysUnauthorized.requests.length - before).toBe(1);
    expect(alwaysUnauthorized.requests.at(-1)!.headers.authorization).toBeUndefined();
    expect(manager.stats.fetches).toBe(0);
  });
});

describe('refresh ahead with a real 3-second token', () => {
  it('is replaced before it expires; no request waits; no expired token is ever sent', async () => {
    const shortLived = await startOAuthServer({ accessTokenLifetime: 3, tokenDelayMs: 300 });
    const reasons: string[] = [];
    const onRefresh = (message: unknown) => reasons.push((message as { reason: string }).reason);
    diagnosticsChannel.subscribe('requestforge:token:refresh', onRefresh);
    try {
      const manager = new TokenManager(clientCredentials(shortLived), undefined, quiet);
      const client = apiClient(manager, shortLived);
      await client.get('/first');
      const waitsBefore = manager.stats.waits;
      const latencies: number[] = [];
      const started = performance.now();
      while (performance.now() - started < 3800) {
        const t0 = performance.now();
        const response = await client.get('/tick');
        latencies.push(performance.now() - t0);
        expect(response.statusCode).toBe(200);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      expect(shortLived.apiRequests.every((r) => r.status === 200)).toBe(true);
      expect(shortLived.counts.total).toBeGreaterThanOrEqual(2);
      expect(reasons.length).toBeGreaterThanOrEqual(1);
      expect(reasons.every((reason) => reason === 'background')).toBe(true);
      // No request waited for a renewal (the manager counts every wait), and none took anywhere
      // near the 300 ms a token call takes (room for a loaded machine's pauses).
      expect(manager.stats.waits).toBe(waitsBefore);
      expect(Math.max(...latencies)).toBeLessThan(250);
    } finally {
      diagnosticsChannel.unsubscribe('requestforge:token:refresh', onRefresh);
      await shortLived.close();
    }
  }, 15_000);
});

describe('password grant with single-use refresh tokens', () => {
  function passwordProvider(server = oauth) {
    return new PasswordGrantTokenProvider({
      tokenUrl: server.tokenUrl,
      clientId: CLIENT.id,
      clientSecret: CLIENT.secret,
      username: USER.username,
      password: USER.password,
      serviceName: 'user-api',
      scope: ['profile', 'email'],
      maxRetries: 0,
    });
  }

  it('logs in, then refreshes: 50 concurrent callers → one refresh, no invalid_grant', async () => {
    let now = Date.now();
    const manager = new TokenManager(passwordProvider(), undefined, { ...quiet, now: () => now });
    const client = apiClient(manager);
    expect((await client.get('/me')).json()).toMatchObject({ user: USER.username });
    const grants = { ...oauth.counts.grants };
    const errors = { ...oauth.counts.errors };
    now += 3600_000; // our clock says the token expired; the refresh token is single-use
    const responses = await Promise.all(Array.from({ length: 50 }, () => client.get('/me')));
    expect(responses.every((r) => r.statusCode === 200)).toBe(true);
    expect((oauth.counts.grants.refresh_token ?? 0) - (grants.refresh_token ?? 0)).toBe(1);
    expect((oauth.counts.grants.password ?? 0) - (grants.password ?? 0)).toBe(0);
    expect(oauth.counts.errors).toEqual(errors);
    expect(manager.stats).toMatchObject({ fetches: 1, refreshes: 1 });

    now += 3600_000; // the rotated refresh token works too
    await client.get('/me');
    expect((oauth.counts.grants.refresh_token ?? 0) - (grants.refresh_token ?? 0)).toBe(2);
    expect(oauth.counts.errors).toEqual(errors);
  });

  it('a refused refresh falls back to logging in again', async () => {
    let now = Date.now();
    const manager = new TokenManager(passwordProvider(), undefined, { ...quiet, now: () => now });
    const client = apiClient(manager);
    await client.get('/me');
    const before = { ...oauth.counts.grants };
    oauth.failNext(1, 400, { error: 'invalid_grant', error_description: 'refresh token expired' });
    now += 3600_000;
    expect((await client.get('/me')).statusCode).toBe(200);
    expect((oauth.counts.grants.password ?? 0) - (before.password ?? 0)).toBe(1);
  });

  it('a refresh answer without a refresh token keeps the one we have (RFC 6749 §6)', async () => {
    const fixed = await startOAuthServer({ rotateRefreshTokens: false });
    try {
      let now = Date.now();
      const provider = new PasswordGrantTokenProvider({
        tokenUrl: fixed.tokenUrl,
        clientId: CLIENT.id,
        clientSecret: CLIENT.secret,
        username: USER.username,
        password: USER.password,
        serviceName: 'user-api',
        maxRetries: 0,
      });
      const manager = new TokenManager(provider, undefined, { ...quiet, now: () => now });
      const client = apiClient(manager, fixed);
      await client.get('/me');
      const first = fixed.issued[0]!.refreshToken;
      for (let round = 0; round < 2; round++) {
        now += 3600_000;
        expect((await client.get('/me')).statusCode).toBe(200);
      }
      // Both refreshes used the original refresh token; no fallback to the password grant.
      expect(
        fixed.issued
          .slice(1)
          .every((token) => token.refreshToken === undefined || token.refreshToken === first),
      ).toBe(true);
      expect(fixed.counts.grants).toMatchObject({ password: 1, refresh_token: 2 });
      expect(fixed.counts.errors).toEqual({});
      await provider.close();
    } finally {
      await fixed.close();
    }
  });

  it('a wrong password is an AuthenticationException (invalid_grant) without the password', async () => {
    const provider = new PasswordGrantTokenProvider({
      tokenUrl: oauth.tokenUrl,
      clientId: CLIENT.id,
      clientSecret: CLIENT.secret,
      username: USER.username,
      password: 'not-the-password-123',
      serviceName: 'user-api',
    });
    const error = await provider.fetchToken().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthenticationException);
    expect((error as AuthenticationException).error).toBe('invalid_grant');
    expect(JSON.stringify(error)).not.toContain('not-the-password-123');
    await provider.close();
  });
});

describe('the token endpoint sender', () => {
  it('refuses an httpClient that carries the API credentials, naming the option', () => {
    const carrying = [
      new HttpClientConfigBuilder().withBaseUrl(oauth.apiUrl).withBearerToken('api-token-123'),
      new HttpClientConfigBuilder().withBaseUrl(oauth.apiUrl).withBasicAuth('user', 'pass'),
      new HttpClientConfigBuilder().withHeader('Authorization', 'Bearer api-token-123'),
      new HttpClientConfigBuilder().withHeader('X-API-Key', 'key-123'),
    ];
    for (const builder of carrying) {
      const httpClient = new HttpClient(builder.build());
      clients.push(httpClient);
      expect(() => clientCredentials(oauth, { httpClient })).toThrow(TypeError);
      expect(() => clientCredentials(oauth, { httpClient })).toThrow(/httpClient/);
      expect(() => clientCredentials(oauth, { httpClient })).not.toThrow(/api-token-123|key-123|'pass'/);
    }
  });

  it('a caller client without credentials is used, and never follows a redirect from the token endpoint', async () => {
    const elsewhere = await startServer();
    const redirecting = await startServer((_request, response) => {
      response.writeHead(307, { location: `${elsewhere.url}/token` });
      response.end();
    });
    const httpClient = new HttpClient(new HttpClientConfigBuilder().withHeader('X-Team', 'payments').build());
    clients.push(httpClient);
    const good = clientCredentials(oauth, { httpClient });
    expect((await good.fetchToken()).accessToken.length).toBeGreaterThan(0);
    const error = await clientCredentials(oauth, { httpClient, tokenUrl: `${redirecting.url}/token` })
      .fetchToken()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthenticationException);
    expect((error as Error).message).toMatch(/307/);
    expect(elsewhere.requests).toHaveLength(0);
    expect(JSON.stringify(error)).not.toContain(CLIENT.secret);
    await Promise.all([elsewhere.close(), redirecting.close()]);
  });
});

describe('the token endpoint client', () => {
  const provider = () => clientCredentials(oauth, { maxRetries: 2 });

  it('retries 5xx and network-level failures a bounded number of times', async () => {
    const before = oauth.counts.total;
    oauth.failNext(
      2,
      503,
      { error: 'temporarily_unavailable' },
      { 'content-type': 'application/json', 'retry-after': '0' },
    );
    const token = await provider().fetchToken();
    expect(token.accessToken.length).toBeGreaterThan(0);
    expect(oauth.counts.total - before).toBe(3);

    const persistent = oauth.counts.total;
    oauth.failNext(5, 502, 'bad gateway', { 'content-type': 'text/plain', 'retry-after': '0' });
    const error = await provider()
      .fetchToken()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthenticationException);
    expect((error as AuthenticationException).statusCode).toBe(502);
    expect(oauth.counts.total - persistent).toBe(3);
    oauth.clearFailures();
  });

  it.each([
    ['an HTML error page', 400, '<html><body>Bad Request</body></html>', 'text/html', /HTTP 400/],
    ['an HTML 200', 200, '<html>login</html>', 'text/html', /without a token response \(text\/html\)/],
    ['an empty 200', 200, '', 'application/json', /without a token response/],
    ['a 200 without access_token', 200, '{"token_type":"Bearer"}', 'application/json', /access_token/],
    [
      'a 200 with an error field',
      200,
      '{"error":"invalid_scope","error_description":"no"}',
      'application/json',
      /invalid_scope/,
    ],
    [
      'a non-numeric expires_in',
      200,
      '{"access_token":"a","expires_in":"soon"}',
      'application/json',
      /expires_in/,
    ],
    ['a negative expires_in', 200, '{"access_token":"a","expires_in":-1}', 'application/json', /expires_in/],
    [
      'a token with control characters',
      200,
      '{"access_token":"a\\r\\nX-Evil: 1"}',
      'application/json',
      /control characters/,
    ],
  ])('%s is a typed AuthenticationException, not retried', async (_name, status, body, type, message) => {
    const before = oauth.counts.total;
    oauth.failNext(1, status, body, { 'content-type': type });
    const error = await provider()
      .fetchToken()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthenticationException);
    expect((error as Error).message).toMatch(message);
    expect((error as AuthenticationException).serviceName).toBe('orders-api');
    expect((error as Error).message).not.toContain('X-Evil');
    expect(oauth.counts.total - before).toBe(1);
  });

  it('a numeric-string expires_in and a form-encoded answer work', async () => {
    oauth.failNext(1, 200, '{"access_token":"abc","expires_in":"120","token_type":"bearer"}');
    const token = await provider().fetchToken();
    expect(token.authorizationHeader).toBe('Bearer abc');
    expect(token.lifetimeMs).toBe(120_000);
    oauth.failNext(1, 200, 'access_token=form-token&expires_in=60&token_type=bearer', {
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect((await provider().fetchToken()).accessToken).toBe('form-token');
  });

  it('an error_description that echoes the secret is scrubbed', async () => {
    oauth.failNext(1, 401, { error: 'invalid_client', error_description: `bad secret ${CLIENT.secret}` });
    const error = (await provider()
      .fetchToken()
      .catch((e: unknown) => e)) as AuthenticationException;
    expect(error.errorDescription).toBe('bad secret [REDACTED]');
    expect(JSON.stringify(error)).not.toContain(CLIENT.secret);
  });

  it('a token endpoint that never answers fails within its timeout', async () => {
    const hung = await startServer(() => undefined);
    const slow = new ClientCredentialsTokenProvider({
      tokenUrl: `${hung.url}/token`,
      clientId: 'a',
      clientSecret: 'b',
      serviceName: 'slow',
      timeoutMs: 100,
      maxRetries: 1,
    });
    const started = performance.now();
    const error = await slow.fetchToken().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthenticationException);
    expect((error as Error).message).toContain('ERR_TIMEOUT');
    expect(performance.now() - started).toBeLessThan(3000);
    await slow.close();
    await hung.close();
  });
});
