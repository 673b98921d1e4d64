// Replays follow the auth retry strategy (with whatever token the manager then holds), and a
// challenge that says "insufficient_scope" never costs a token request. Real loopback servers.
import diagnosticsChannel from 'node:diagnostics_channel';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  CHANNELS,
  ClientCredentialsTokenProvider,
  ExponentialAuthRetryStrategy,
  HttpClient,
  HttpClientConfigBuilder,
  SimpleAuthRetryStrategy,
  type TokenAuthOptions,
  TokenManager,
} from '../../src/index';
import { type LoopbackServer, startServer } from '../support/loopback-server';

const quiet = { logger: { warn: () => undefined } };
let auth: LoopbackServer;
let api: LoopbackServer;
/** When each access token was minted (by the token endpoint). */
const mintedAt = new Map<string, number>();

beforeAll(async () => {
  auth = await startServer((_req, res) => {
    const token = `tok-${mintedAt.size + 1}`;
    mintedAt.set(token, performance.now());
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ access_token: token, token_type: 'Bearer', expires_in: 3600 }));
  });
  api = await startServer();
});
afterAll(() => Promise.all([auth.close(), api.close()]));
afterEach(() => {
  vi.restoreAllMocks();
  auth.requests.length = 0;
  api.requests.length = 0;
});

function client(options: TokenAuthOptions) {
  const provider = new ClientCredentialsTokenProvider({
    tokenUrl: `${auth.url}/token`,
    clientId: 'svc',
    clientSecret: 'svc-secret',
    serviceName: 'replays',
  });
  const manager = new TokenManager(provider, undefined, quiet);
  const http = new HttpClient(
    new HttpClientConfigBuilder().withBaseUrl(api.url).withTokenAuth(manager, options).build(),
  );
  return {
    http,
    manager,
    close: async () => {
      await http.close();
      await provider.close();
    },
  };
}

const bearer = (authorization: string | string[] | undefined) =>
  String(authorization).replace(/^Bearer /, '');

describe('replays', () => {
  it('a resource server that rejects each new token for its first 300 ms: ExponentialAuthRetryStrategy({ maxRetries: 3, baseDelayMs: 200 }) succeeds with at most two token requests', async () => {
    // Full jitter draws each delay from [0, cap]; pin the draw to the middle so the run is
    // deterministic (delays 100, 200, 400 ms).
    vi.spyOn(Math, 'random').mockReturnValue(0.5);
    api.handle((req, res) => {
      const age =
        performance.now() - (mintedAt.get(bearer(req.headers.authorization)) ?? Number.POSITIVE_INFINITY);
      if (age < 300) {
        res.writeHead(401, {
          'www-authenticate': 'Bearer error="invalid_token", error_description="unknown token"',
        });
        res.end();
        return;
      }
      res.end('ok');
    });
    const replays: Array<{ credentialsChanged: boolean }> = [];
    const listener = (message: unknown) => replays.push(message as { credentialsChanged: boolean });
    diagnosticsChannel.subscribe(CHANNELS.authReplay, listener);
    const c = client({
      authRetryStrategy: new ExponentialAuthRetryStrategy({ maxRetries: 3, baseDelayMs: 200 }),
    });
    try {
      const response = await c.http.get('/lagging');
      expect(response.statusCode).toBe(200);
      expect(auth.requests.length).toBeLessThanOrEqual(2);
      expect(api.requests.length).toBeGreaterThanOrEqual(3);
      // The first replay carries the renewed token; later ones the same token (renewal refused, replay not).
      expect(replays.map((r) => r.credentialsChanged)).toEqual([true, ...replays.slice(1).map(() => false)]);
    } finally {
      diagnosticsChannel.unsubscribe(CHANNELS.authReplay, listener);
      await c.close();
    }
  });

  it('an API that rejects every token: each request is sent maxRetries + 1 times, the token endpoint is not hammered', async () => {
    api.handle((_req, res) => res.writeHead(401).end());
    const c = client({ authRetryStrategy: new SimpleAuthRetryStrategy({ maxRetries: 2 }) });
    for (let i = 0; i < 5; i++) expect((await c.http.get(`/r${i}`)).statusCode).toBe(401);
    expect(api.requests).toHaveLength(15);
    expect(auth.requests).toHaveLength(2);
    await c.close();
  });
});

describe('WWW-Authenticate challenges', () => {
  it.each([401, 403])(
    '%s with error="insufficient_scope": no token request, the response comes back as is',
    async (status) => {
      api.handle((_req, res) => {
        res.writeHead(status, {
          'www-authenticate': 'Bearer realm="api", error="insufficient_scope", scope="orders:write"',
        });
        res.end();
      });
      const c = client({
        authRetryStrategy: new SimpleAuthRetryStrategy({ maxRetries: 2, authErrorCodes: [401, 403] }),
      });
      const response = await c.http.get('/orders');
      expect(response.statusCode).toBe(status);
      expect(response.challenges()[0]?.params).toMatchObject({
        error: 'insufficient_scope',
        scope: 'orders:write',
      });
      expect(api.requests).toHaveLength(1);
      expect(auth.requests).toHaveLength(1); // the first token only
      expect(c.manager.stats).toMatchObject({ fetches: 1, refreshes: 0 });
      await c.close();
    },
  );

  it('error="invalid_token" (or no error code) renews the token and replays', async () => {
    let first = true;
    api.handle((_req, res) => {
      if (first) {
        first = false;
        res.writeHead(401, { 'www-authenticate': 'Basic realm="x", Bearer error="invalid_token"' });
        res.end();
        return;
      }
      res.end('ok');
    });
    const c = client({});
    expect((await c.http.get('/x')).statusCode).toBe(200);
    expect(auth.requests).toHaveLength(2);
    expect(new Set(api.requests.map((r) => r.headers.authorization)).size).toBe(2);
    await c.close();
  });
});
