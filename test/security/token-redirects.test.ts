// Token requests never follow redirects, whatever client carries them. Every sender of token
// requests is listed in SENDERS: add revocation, discovery or any new token request there.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  AuthenticationException,
  ClientCredentialsTokenProvider,
  HttpClient,
  HttpClientConfigBuilder,
  PasswordGrantTokenProvider,
  TokenManager,
} from '../../src/index';
import {
  BodyTokenFetcher,
  HeaderTokenFetcher,
  PipelineTokenProvider,
  TokenFetchPipeline,
} from '../../src/pipeline/index';
import { exchangeToken } from '../../src/tokens/exchange/token-exchange';
import { createTokenSender } from '../../src/tokens/exchange/token-http';
import { echo, type LoopbackServer, startServer } from '../support/loopback-server';

const SECRET = 'redirected-Secret-57';
let auth: LoopbackServer;
let evil: LoopbackServer;
let api: LoopbackServer;
let status = 307;

beforeAll(async () => {
  [auth, evil, api] = await Promise.all([startServer(), startServer(), startServer()]);
  evil.handle((_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json', authorization: 'Bearer evil' });
    response.end(JSON.stringify({ access_token: 'evil-token', expires_in: 3600 }));
  });
});
afterAll(() => Promise.all([auth.close(), evil.close(), api.close()]));
afterEach(() => {
  for (const server of [auth, evil, api]) server.requests.length = 0;
  api.handle(echo);
});

function redirectEverything() {
  auth.handle((_request, response) => response.writeHead(status, { location: `${evil.url}/collect` }).end());
}

/** A client of the caller's, with redirects on (the default) and a generous limit. */
const callerClient = () =>
  new HttpClient(new HttpClientConfigBuilder().withRedirects({ follow: true, maxRedirects: 5 }).build());

type Sender = { fetch(): Promise<unknown>; close(): Promise<void> };
/** Everything that sends token requests. New token requests (revocation, discovery) go here. */
const SENDERS: Array<[string, (httpClient?: HttpClient) => Sender]> = [
  [
    'client credentials, secret in the body',
    (httpClient) => {
      const p = new ClientCredentialsTokenProvider({
        tokenUrl: `${auth.url}/token`,
        clientId: 'id',
        clientSecret: SECRET,
        serviceName: 'cc',
        httpClient,
      });
      return { fetch: () => p.fetchToken(), close: () => p.close() };
    },
  ],
  [
    'client credentials, HTTP Basic',
    (httpClient) => {
      const p = new ClientCredentialsTokenProvider({
        tokenUrl: `${auth.url}/token`,
        clientId: 'id',
        clientSecret: SECRET,
        serviceName: 'cc',
        authMethod: 'header',
        httpClient,
      });
      return { fetch: () => p.fetchToken(), close: () => p.close() };
    },
  ],
  [
    'password grant',
    (httpClient) => {
      const p = new PasswordGrantTokenProvider({
        tokenUrl: `${auth.url}/token`,
        clientId: 'id',
        username: 'u',
        password: SECRET,
        serviceName: 'pw',
        httpClient,
      });
      return { fetch: () => p.fetchToken(), close: () => p.close() };
    },
  ],
  ...(['POST', 'GET', 'PUT', 'PATCH'] as const).map(
    (method) =>
      [
        `body fetcher, ${method}`,
        (httpClient?: HttpClient) => {
          const f = new BodyTokenFetcher({
            name: 'body',
            baseUrl: auth.url,
            endpoint: '/token',
            method,
            requestData: { client_secret: SECRET },
            httpClient,
          });
          return { fetch: () => f.fetch(), close: () => f.close() };
        },
      ] as [string, (httpClient?: HttpClient) => Sender],
  ),
  [
    'body fetcher, JSON',
    (httpClient) => {
      const f = new BodyTokenFetcher({
        name: 'json',
        baseUrl: auth.url,
        endpoint: '/token',
        contentType: 'json',
        requestData: { client_secret: SECRET },
        httpClient,
      });
      return { fetch: () => f.fetch(), close: () => f.close() };
    },
  ],
  [
    'header fetcher',
    (httpClient) => {
      const f = new HeaderTokenFetcher({
        name: 'header',
        baseUrl: auth.url,
        endpoint: '/login',
        requestHeaders: { 'X-Client-Secret': SECRET },
        httpClient,
      });
      return { fetch: () => f.fetch(), close: () => f.close() };
    },
  ],
  [
    'the exchange itself, through any caller client',
    (httpClient) => {
      const sender = createTokenSender({ httpClient, maxRetries: 0 });
      return {
        fetch: () =>
          exchangeToken(
            () => ({ method: 'POST', url: `${auth.url}/revoke`, form: { token: SECRET }, secrets: [SECRET] }),
            { send: sender.send, serviceName: 'generic', url: `${auth.url}/revoke`, maxRetries: 0 },
          ),
        close: () => sender.close(),
      };
    },
  ],
];

describe.each(SENDERS)('%s', (_name, make) => {
  it.each([301, 302, 303, 307, 308])(
    'a %i is an AuthenticationException naming it; nothing reaches the new location (caller client, redirects on)',
    async (code) => {
      status = code;
      redirectEverything();
      const httpClient = callerClient();
      const sender = make(httpClient);
      const error = await sender.fetch().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AuthenticationException);
      expect((error as AuthenticationException).statusCode).toBe(code);
      expect((error as Error).message).toContain(String(code));
      expect(auth.requests).toHaveLength(1);
      expect(evil.requests).toEqual([]);
      await sender.close();
      await httpClient.close();
    },
  );

  it('the private client does not follow either', async () => {
    status = 308;
    redirectEverything();
    const sender = make();
    await expect(sender.fetch()).rejects.toBeInstanceOf(AuthenticationException);
    expect(evil.requests).toEqual([]);
    await sender.close();
  });

  it('a caller client carrying credentials is refused with a TypeError naming httpClient', () => {
    for (const configure of [
      (b: HttpClientConfigBuilder) => b.withBaseUrl(api.url).withBearerToken('api-token'),
      (b: HttpClientConfigBuilder) => b.withHeader('Cookie', 'sid=1'),
      (b: HttpClientConfigBuilder) => b.withHeader('X-API-Key', 'k'),
    ]) {
      const carrying = new HttpClient(configure(new HttpClientConfigBuilder()).build());
      expect(() => make(carrying)).toThrow(/httpClient/);
    }
  });
});

describe('through a managed-token client', () => {
  it('a redirecting token endpoint fails the request; neither the API nor the new location is contacted', async () => {
    status = 302;
    redirectEverything();
    const httpClient = callerClient();
    const pipeline = new TokenFetchPipeline({
      steps: [new BodyTokenFetcher({ name: 'p', baseUrl: auth.url, endpoint: '/t', httpClient })],
    });
    for (const provider of [
      new ClientCredentialsTokenProvider({
        tokenUrl: `${auth.url}/token`,
        clientId: 'id',
        clientSecret: SECRET,
        serviceName: 'cc',
        httpClient,
      }),
      new PipelineTokenProvider(pipeline, { serviceName: 'pipe' }),
    ]) {
      const client = new HttpClient(
        new HttpClientConfigBuilder().withBaseUrl(api.url).withTokenAuth(new TokenManager(provider)).build(),
      );
      const error = await client.get('/resource').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AuthenticationException);
      expect((error as AuthenticationException).statusCode).toBe(302);
      await client.close();
    }
    expect(api.requests).toEqual([]);
    expect(evil.requests).toEqual([]);
    await httpClient.close();
  });
});
