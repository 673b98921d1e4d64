// Encoded dot segments, through a real decoding proxy: the client decides on the path the proxy
// routes, never only on the bytes it sends.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  ApiKeyAuthHook,
  HttpClient,
  HttpClientConfigBuilder,
  RequestBuildException,
  TokenData,
  TokenManager,
  type TokenProvider,
} from '../../src/index';
import { type DecodingProxy, startDecodingProxy } from '../support/decoding-proxy';
import { echo, type LoopbackServer, startServer } from '../support/loopback-server';

const TOKEN = 'tenant-a-token-Qx81';
let backend: LoopbackServer;
let proxy: DecodingProxy;

beforeAll(async () => {
  backend = await startServer();
  proxy = await startDecodingProxy(backend.url);
});
afterAll(async () => {
  await proxy.close();
  await backend.close();
});
afterEach(() => {
  backend.handle(echo);
  backend.requests.length = 0;
  proxy.received.length = 0;
});

const provider: TokenProvider = {
  serviceName: 'tenant-a',
  fetchToken: async () => new TokenData({ accessToken: TOKEN, expiresAt: new Date(Date.now() + 3600_000) }),
  refreshToken: async () => new TokenData({ accessToken: TOKEN, expiresAt: new Date(Date.now() + 3600_000) }),
};

function tenantClient(configure: (b: HttpClientConfigBuilder) => HttpClientConfigBuilder) {
  return new HttpClient(
    configure(new HttpClientConfigBuilder().withBaseUrl(`${proxy.url}/tenant-a`)).build(),
  );
}

const CLIMBS = [
  '/users/..%2F..%2Ftenant-b%2Fsecrets',
  '/users/..%2f..%2ftenant-b/secrets',
  '/users/..%5C..%5Ctenant-b%5Csecrets',
  '/users/%2E%2E%2F%2E%2E%2Ftenant-b%2Fsecrets',
  '/users/%2e%2e%2f%2e%2e%2ftenant-b/secrets',
  '/users/.%2E%2F%2E.%2Ftenant-b/secrets',
  '/users/..%2F.%2F..%5Ctenant-b/secrets',
  '/..%2Ftenant-b/secrets',
  '/users/x/..%2F..%2F..%2Ftenant-b/secrets',
];

describe('a path that climbs above the base path once decoded', () => {
  it.each(CLIMBS)('%s is refused before anything is sent (bearer token)', async (path) => {
    const client = tenantClient((b) => b.withBearerToken(TOKEN));
    const error = await client.get(path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RequestBuildException);
    expect((error as RequestBuildException).context.reason).toBe('encoded-dot-segments');
    expect(proxy.received).toEqual([]);
    expect(backend.requests).toEqual([]);
    await client.close();
  });

  it('the proxy really routes such a path to the other tenant (what the refusal prevents)', async () => {
    // Sent by hand, without the client: the proxy forwards it to /tenant-b/secrets.
    const response = await fetch(`${proxy.url}/tenant-a/users/..%2F..%2Ftenant-b%2Fsecrets`);
    expect(response.status).toBe(200);
    expect(backend.requests[0]!.url).toBe('/tenant-b/secrets');
  });

  it('a managed token is never fetched for a refused path', async () => {
    let fetches = 0;
    const counting: TokenProvider = {
      ...provider,
      fetchToken: async () => {
        fetches++;
        return provider.fetchToken();
      },
    };
    const client = tenantClient((b) => b.withTokenAuth(new TokenManager(counting)));
    await expect(client.get('/users/..%2F..%2Ftenant-b')).rejects.toBeInstanceOf(RequestBuildException);
    expect(fetches).toBe(0);
    await client.close();
  });
});

const EXCLUDED = [
  '/users/..%2Fpublic%2Fx',
  '/users/..%2fpublic%2fx',
  '/users/%2E%2E%2Fpublic%2Fx',
  '/users/..%5Cpublic%5Cx',
  '/users/.%2e%2Fpublic/x',
  '/users/a/..%2F..%2Fpublic/x',
  '/users/%2F%2F..%2Fpublic/x',
];

describe('path exclusion decides on the path the proxy routes', () => {
  it.each(EXCLUDED)('%s routes to /public/x and is sent without credentials, as encoded', async (path) => {
    const client = tenantClient((b) =>
      b.withTokenAuth(new TokenManager(provider), { excludedPathPatterns: ['/public/*'] }),
    );
    const response = await client.get(path);
    expect(response.statusCode).toBe(200);
    // On the wire: exactly what the caller encoded.
    expect(proxy.received).toEqual([`/tenant-a${path}`]);
    // Behind the proxy: the public route, without the token.
    expect(backend.requests[0]!.url).toBe('/tenant-a/public/x');
    expect(backend.requests[0]!.headers.authorization).toBeUndefined();
    await client.close();
  });

  it('exact excludedPaths too: /x/..%2Fhealth goes out without the API key', async () => {
    const client = tenantClient((b) =>
      b.withAuthHook(new ApiKeyAuthHook('key-Zx9', { excludedPaths: ['/health'] })),
    );
    await client.get('/x/..%2Fhealth');
    expect(backend.requests[0]!.url).toBe('/tenant-a/health');
    expect(backend.requests[0]!.headers['x-api-key']).toBeUndefined();
    await client.close();
  });

  it('a path that routes to a protected route keeps its credentials', async () => {
    const client = tenantClient((b) =>
      b.withTokenAuth(new TokenManager(provider), { excludedPathPatterns: ['/public/*'] }),
    );
    await client.get('/public%2F..%2Fadmin');
    expect(backend.requests[0]!.url).toBe('/tenant-a/admin');
    expect(backend.requests[0]!.headers.authorization).toBe(`Bearer ${TOKEN}`);
    await client.close();
  });
});

// Behind a proxy that forwards the path it decoded (nginx `proxy_pass` with a URI part) sits a
// servlet container: together they decode twice and drop `;parameters`.
describe('a double-decoding chain and path parameters', () => {
  let servlet: DecodingProxy;
  let front: DecodingProxy;
  beforeAll(async () => {
    servlet = await startDecodingProxy(backend.url, { stripPathParameters: true });
    front = await startDecodingProxy(servlet.url, { forwardDecoded: true });
  });
  afterAll(async () => {
    await front.close();
    await servlet.close();
  });
  const chained = (via: DecodingProxy) =>
    new HttpClient(
      new HttpClientConfigBuilder()
        .withBaseUrl(`${via.url}/tenant-a`)
        .withTokenAuth(new TokenManager(provider), { excludedPathPatterns: ['/public/*'] })
        .build(),
    );

  it.each([
    ['/users/%252e%252e%252fpublic%252fx', () => front],
    ['/users/..%252Fpublic%252Fx', () => front],
    ['/users/..;/public/x', () => servlet],
    ['/users/..;jsessionid=1/public;v=2/x', () => servlet],
  ])('%s routes to /public/x and is sent without credentials', async (path, via) => {
    const client = chained(via());
    expect((await client.get(path)).statusCode).toBe(200);
    expect(backend.requests[0]!.url).toBe('/tenant-a/public/x');
    expect(backend.requests[0]!.headers.authorization).toBeUndefined();
    await client.close();
  });

  it.each([
    ['/users/%252e%252e%252f%252e%252e%252ftenant-b%252fsecrets', () => front],
    ['/users/..;/..;/tenant-b/secrets', () => servlet],
  ])('%s would reach the other tenant: refused before anything is sent', async (path, via) => {
    const client = chained(via());
    const error = await client.get(path).catch((e: unknown) => e);
    expect((error as RequestBuildException).context.reason).toBe('encoded-dot-segments');
    expect(backend.requests).toEqual([]);
    await client.close();
  });

  it('the chain really routes such paths there (what the client decides on)', async () => {
    await fetch(`${front.url}/tenant-a/users/%252e%252e%252f%252e%252e%252ftenant-b%252fsecrets`);
    await fetch(`${servlet.url}/tenant-a/users/..;/..;/tenant-b/secrets`);
    expect(backend.requests.map((request) => request.url)).toEqual([
      '/tenant-b/secrets',
      '/tenant-b/secrets',
    ]);
  });
});
