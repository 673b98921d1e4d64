// Tokens are checked on arrival: one the transport cannot send is an AuthenticationException
// where it comes in, never cached, never sent.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  AuthenticationException,
  ClientCredentialsTokenProvider,
  HttpClient,
  HttpClientConfigBuilder,
  InMemoryTokenStorage,
  TokenData,
  TokenManager,
  type TokenProvider,
} from '../../src/index';
import {
  BodyTokenFetcher,
  HeaderTokenFetcher,
  PipelineTokenProvider,
  TokenFetchPipeline,
} from '../../src/pipeline/index';
import { echo, type LoopbackServer, startServer } from '../support/loopback-server';

/** The documented limit (16 KiB), spelled out so this file also runs against older code. */
const MAX_TOKEN_CHARS = 16 * 1024;

let tokens: LoopbackServer;
let api: LoopbackServer;
/** The token endpoint's next answer. */
let issue: { status?: number; body?: unknown; headers?: Record<string, string> } = {};

beforeAll(async () => {
  tokens = await startServer((_request, response) => {
    response.writeHead(issue.status ?? 200, { 'content-type': 'application/json', ...issue.headers });
    response.end(JSON.stringify(issue.body ?? {}));
  });
  // Room for a token at our limit plus the other headers (Node's default is 16 KiB in all).
  api = await startServer(echo, { maxHeaderSize: 64 * 1024 });
});
afterAll(() => Promise.all([tokens.close(), api.close()]));
afterEach(() => {
  tokens.requests.length = 0;
  api.requests.length = 0;
  issue = {};
});

const UNSENDABLE_TOKENS: Array<[string, string]> = [
  ['CR/LF (header injection)', 'tok\r\nX-Evil: 1'],
  ['a bare LF', 'tok\nmore'],
  ['NUL', 'tok\u0000'],
  ['a space inside', 'tok en'],
  ['a leading space', ' token'],
  ['a tab', 'tok\ten'],
  ['non-ASCII', 'tök-ën'],
  ['a Unicode line separator', 'tok\u2028en'],
  ['DEL', 'tok\u007f'],
  [`more than ${MAX_TOKEN_CHARS} characters`, 'x'.repeat(MAX_TOKEN_CHARS + 1)],
];

function managedClient(provider: TokenProvider, storage = new InMemoryTokenStorage()) {
  // No backoff between failed token requests: each request asks again, which shows nothing was cached.
  const manager = new TokenManager(provider, storage, { minRefreshIntervalMs: 0 });
  const client = new HttpClient(
    new HttpClientConfigBuilder().withBaseUrl(api.url).withTokenAuth(manager).build(),
  );
  return { manager, client, storage };
}

function oauthProvider() {
  return new ClientCredentialsTokenProvider({
    tokenUrl: `${tokens.url}/token`,
    clientId: 'id',
    clientSecret: 'secret-value',
    serviceName: 'arrival',
    maxRetries: 0,
  });
}

describe('an OAuth token endpoint answering an access token that cannot be sent', () => {
  it.each(UNSENDABLE_TOKENS)('%s: AuthenticationException, nothing sent, nothing cached', async (_n, bad) => {
    issue = { body: { access_token: bad, token_type: 'Bearer', expires_in: 3600 } };
    const provider = oauthProvider();
    const { client, manager, storage } = managedClient(provider);
    for (let i = 0; i < 2; i++) {
      const error = await client.get('/resource').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AuthenticationException);
      expect((error as Error).message).not.toContain(bad);
    }
    // Not cached: each request asked the endpoint again, and the API never saw a request.
    expect(tokens.requests).toHaveLength(2);
    expect(api.requests).toEqual([]);
    expect(await storage.get(manager.cacheKey)).toBeUndefined();
    expect(manager.peek()).toBeUndefined();
    await client.close();
    await provider.close();
  });

  it.each([
    ['CR/LF', 'Bearer\r\nX-Evil: 1'],
    ['a space', 'Be arer'],
    ['non-ASCII', 'Bearér'],
    ['too long', 'B'.repeat(MAX_TOKEN_CHARS + 1)],
  ])('a token type with %s is refused the same way', async (_n, type) => {
    issue = { body: { access_token: 'good-token', token_type: type, expires_in: 3600 } };
    const provider = oauthProvider();
    const { client } = managedClient(provider);
    await expect(client.get('/resource')).rejects.toBeInstanceOf(AuthenticationException);
    expect(api.requests).toEqual([]);
    await client.close();
    await provider.close();
  });

  it('a token just under the limit is accepted and sent; the limit is exported', async () => {
    expect((await import('../../src/index')).MAX_TOKEN_CHARS).toBe(MAX_TOKEN_CHARS);
    const big = 'a'.repeat(MAX_TOKEN_CHARS - 100);
    issue = { body: { access_token: big, expires_in: 3600 } };
    const provider = oauthProvider();
    const { client } = managedClient(provider);
    expect((await client.get('/resource')).statusCode).toBe(200);
    expect(api.requests[0]!.headers.authorization).toBe(`Bearer ${big}`);
    await client.close();
    await provider.close();
  });
});

describe('custom providers', () => {
  // TokenData itself refuses control characters; the other unsendable tokens get through its constructor.
  it.each(UNSENDABLE_TOKENS.filter(([, t]) => ![...t].some((c) => c.charCodeAt(0) < 0x20 || c === '\u007f')))(
    'a TokenData with %s is refused on arrival and never installed',
    async (_n, bad) => {
      let calls = 0;
      const provider: TokenProvider = {
        serviceName: 'custom',
        fetchToken: async () => {
          calls++;
          return new TokenData({ accessToken: bad, expiresAt: new Date(Date.now() + 3600_000) });
        },
        refreshToken: async () => provider.fetchToken(),
      };
      const { client, manager } = managedClient(provider);
      const error = await client.get('/x').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AuthenticationException);
      expect((error as Error).message).toMatch(/refused on arrival/);
      await expect(client.get('/x')).rejects.toBeInstanceOf(AuthenticationException);
      expect(calls).toBe(2);
      expect(manager.peek()).toBeUndefined();
      expect(api.requests).toEqual([]);
      await client.close();
    },
  );

  it('a plain object with a bare token may hold single inner spaces (sent as the whole value)', async () => {
    const provider: TokenProvider = {
      serviceName: 'bare',
      fetchToken: async () => ({ accessToken: 'Token abc', tokenType: '' }) as never,
      refreshToken: async () => provider.fetchToken(),
    };
    const { client } = managedClient(provider);
    await client.get('/x');
    expect(api.requests[0]!.headers.authorization).toBe('Token abc');
    await client.close();
  });
});

describe('pipelines', () => {
  it.each([
    ['a space inside', 'Bearer tok en'],
    ['non-ASCII (latin1 on the wire)', 'Bearer tök'],
    ['a tab inside', 'Bearer tok\ten'],
  ])('a header fetcher refuses a header token with %s', async (_n, value) => {
    const server = await startServer((_request, response) => {
      response.setHeader('authorization', value);
      response.end();
    });
    const fetcher = new HeaderTokenFetcher({
      name: 'session',
      baseUrl: server.url,
      endpoint: '/login',
      maxRetries: 0,
    });
    const pipeline = new TokenFetchPipeline({ steps: [fetcher] });
    const { client } = managedClient(new PipelineTokenProvider(pipeline, { serviceName: 'session' }));
    const error = await client.get('/x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthenticationException);
    expect((error as AuthenticationException).serviceName).toBe('session');
    expect(api.requests).toEqual([]);
    expect(await pipeline.cachedToken('session')).toBeUndefined();
    await client.close();
    await pipeline.close();
    await server.close();
  });

  it("a custom final step's unsendable token is not cached by the pipeline", async () => {
    const storage = new InMemoryTokenStorage();
    const app = new BodyTokenFetcher({ name: 'app', baseUrl: tokens.url, endpoint: '/app', maxRetries: 0 });
    issue = { body: { access_token: 'app-token', expires_in: 3600 } };
    const final = {
      name: 'final',
      dependsOn: ['app'],
      fetch: async () => new TokenData({ accessToken: 'x'.repeat(MAX_TOKEN_CHARS + 1) }),
    };
    const pipeline = new TokenFetchPipeline({ steps: [app, final], storage });
    await expect(pipeline.execute()).rejects.toBeInstanceOf(AuthenticationException);
    expect(await storage.get(pipeline.cacheKey('final'))).toBeUndefined();
    // The intermediate step's token is cached as usual.
    expect((await storage.get(pipeline.cacheKey('app')))?.accessToken).toBe('app-token');
    await pipeline.close();
  });
});

describe('shared storages', () => {
  it('a stored token no request could carry (another process, tampering) is ignored and replaced', async () => {
    const storage = new InMemoryTokenStorage();
    await storage.set(
      'auth_token:stored',
      new TokenData({ accessToken: 'tok en', expiresAt: new Date(Date.now() + 3600_000) }),
    );
    const provider: TokenProvider = {
      serviceName: 'stored',
      fetchToken: async () =>
        new TokenData({ accessToken: 'fresh-token', expiresAt: new Date(Date.now() + 3600_000) }),
      refreshToken: async () => provider.fetchToken(),
    };
    const manager = new TokenManager(provider, storage, {
      logger: { warn: () => undefined, info: () => undefined },
    });
    const client = new HttpClient(
      new HttpClientConfigBuilder().withBaseUrl(api.url).withTokenAuth(manager).build(),
    );
    await client.get('/x');
    expect(api.requests[0]!.headers.authorization).toBe('Bearer fresh-token');
    expect((await storage.get('auth_token:stored'))?.accessToken).toBe('fresh-token');
    await client.close();
  });
});
