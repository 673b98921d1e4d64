import { inspect } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  ClientCredentialsTokenProvider,
  ConnectionException,
  HttpClient,
  HttpClientConfigBuilder,
  type ProxyEnvSource,
  RequestBuildException,
} from '../../src/index';
import { type LoopbackServer, startServer, TLS_FIXTURES } from '../support/loopback-server';
import { type LoopbackProxy, startProxy } from '../support/proxy-server';

const ORIGIN_TOKEN = 'origin-secret-token-1234';
const basic = (credentials: string) => `Basic ${Buffer.from(credentials).toString('base64')}`;

let plain: LoopbackServer;
let secure: LoopbackServer;
let proxy: LoopbackProxy;
let authProxy: LoopbackProxy;
const clients: HttpClient[] = [];

beforeAll(async () => {
  [plain, secure, proxy, authProxy] = await Promise.all([
    startServer(),
    startServer(undefined, { tls: true }),
    startProxy(),
    startProxy({ auth: 'proxy-user:proxy-pass' }),
  ]);
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  for (const server of [plain, secure]) server.requests.length = 0;
  for (const p of [proxy, authProxy]) p.records.length = 0;
});
afterAll(() => Promise.all([plain.close(), secure.close(), proxy.close(), authProxy.close()]));

function clientFor(base: string, env: ProxyEnvSource, configure = (b: HttpClientConfigBuilder) => b) {
  const client = new HttpClient(
    configure(
      new HttpClientConfigBuilder()
        .withBaseUrl(base)
        .withTls({ ca: TLS_FIXTURES.ca })
        .withBearerToken(ORIGIN_TOKEN)
        .withProxyFromEnv({ env }),
    ).build(),
  );
  clients.push(client);
  return client;
}

describe('withProxyFromEnv', () => {
  it('HTTPS_PROXY: https requests tunnel through the proxy; the origin token only travels inside TLS', async () => {
    const env = { HTTPS_PROXY: `http://proxy-user:proxy-pass@127.0.0.1:${authProxy.port}` };
    const response = await clientFor(secure.url, env).get('/secure');
    expect(response.statusCode).toBe(200);
    expect(authProxy.records).toEqual([
      expect.objectContaining({ kind: 'connect', target: `127.0.0.1:${secure.port}` }),
    ]);
    // The proxy credentials went to the proxy, and only there.
    expect(authProxy.records[0]!.headers['proxy-authorization']).toBe(basic('proxy-user:proxy-pass'));
    expect(authProxy.records[0]!.headers.authorization).toBeUndefined();
    expect(secure.requests[0]!.headers['proxy-authorization']).toBeUndefined();
    expect(secure.requests[0]!.headers.authorization).toBe(`Bearer ${ORIGIN_TOKEN}`);
    // What the proxy could read of the tunnel is TLS: no origin credential in the clear.
    const seen = authProxy.tunnelBytes();
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.includes(ORIGIN_TOKEN)).toBe(false);
    expect(seen.toString('latin1').toLowerCase()).not.toContain('authorization');
  });

  it('HTTP_PROXY: http requests go through the proxy, https ones do not use it', async () => {
    const env = { HTTP_PROXY: proxy.url };
    expect((await clientFor(plain.url, env).get('/plain')).statusCode).toBe(200);
    expect(proxy.records.map((r) => r.target)).toEqual([`127.0.0.1:${plain.port}`]);
    expect(plain.requests[0]!.headers['proxy-authorization']).toBeUndefined();
    proxy.records.length = 0;
    expect((await clientFor(secure.url, env).get('/secure')).statusCode).toBe(200);
    expect(proxy.records).toEqual([]);
  });

  it('NO_PROXY: exempt hosts connect directly, per host, domain and port', async () => {
    const exempt = ['127.0.0.1', `127.0.0.1:${plain.port}`, '127.0.0.0/8', '*', 'example.com, 127.0.0.1'];
    for (const noProxy of exempt) {
      await clientFor(plain.url, { HTTP_PROXY: proxy.url, NO_PROXY: noProxy }).get('/direct');
    }
    expect(proxy.records).toEqual([]);
    expect(plain.requests).toHaveLength(exempt.length);
    for (const noProxy of [`127.0.0.1:${plain.port + 1}`, '.example.com', 'localhost']) {
      await clientFor(plain.url, { http_proxy: proxy.url, no_proxy: noProxy }).get('/proxied');
    }
    expect(proxy.records).toHaveLength(3);
    // A domain rule matches host names: localhost is exempt, 127.0.0.1 was not.
    proxy.records.length = 0;
    const byName = plain.url.replace('127.0.0.1', 'localhost');
    await clientFor(byName, { HTTP_PROXY: proxy.url, NO_PROXY: '.localhost' }).get('/by-name');
    expect(proxy.records).toEqual([]);
  });

  it('routes each origin on its own: an exempt base and a proxied absolute URL in one client', async () => {
    const client = clientFor(plain.url, {
      HTTP_PROXY: proxy.url,
      HTTPS_PROXY: proxy.url,
      NO_PROXY: `127.0.0.1:${plain.port}`,
    });
    await client.get('/direct');
    await client.get(`${secure.url}/proxied`);
    expect(proxy.records.map((r) => r.target)).toEqual([`127.0.0.1:${secure.port}`]);
    // secure is not a trusted origin: no credentials went there.
    expect(secure.requests[0]!.headers.authorization).toBeUndefined();
  });

  it('withProxy keeps precedence over the environment', async () => {
    const client = clientFor(plain.url, { HTTP_PROXY: 'http://127.0.0.1:9' }, (b) => b.withProxy(proxy.url));
    expect((await client.get('/explicit')).statusCode).toBe(200);
    expect(proxy.records).toHaveLength(1);
    expect(client.config.proxyFromEnv).toBeUndefined();
  });

  it('a proxy that refuses the credentials is a ConnectionException that quotes no secret', async () => {
    const env = { HTTPS_PROXY: `http://proxy-user:wrong-pass@127.0.0.1:${authProxy.port}` };
    const error = await clientFor(secure.url, env)
      .get('/x')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionException);
    expect(secure.requests).toEqual([]);
    for (const text of [JSON.stringify(error), inspect(error, { depth: 5 }), String(error)]) {
      expect(text).not.toContain('wrong-pass');
      expect(text).not.toContain(basic('proxy-user:wrong-pass').slice(6));
      expect(text).not.toContain(ORIGIN_TOKEN);
    }
  });

  it('a Proxy-Authorization header of the caller is refused before sending, typed', async () => {
    const client = clientFor(plain.url, { HTTP_PROXY: proxy.url });
    const error = await client
      .get('/x', { headers: { 'Proxy-Authorization': 'Basic c2VjcmV0' } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RequestBuildException);
    expect(proxy.records).toEqual([]);
    expect(JSON.stringify(error)).not.toContain('c2VjcmV0');
  });

  it('reads process.env by default (lower-case names too)', async () => {
    const saved = { ...process.env };
    try {
      process.env.http_proxy = proxy.url;
      delete process.env.HTTP_PROXY;
      delete process.env.NO_PROXY;
      delete process.env.no_proxy;
      const client = new HttpClient(
        new HttpClientConfigBuilder().withBaseUrl(plain.url).withProxyFromEnv().build(),
      );
      clients.push(client);
      await client.get('/from-process-env');
      expect(proxy.records).toHaveLength(1);
    } finally {
      for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
      Object.assign(process.env, saved);
    }
  });

  it('without withProxyFromEnv the environment is ignored', async () => {
    const saved = process.env.HTTP_PROXY;
    try {
      process.env.HTTP_PROXY = proxy.url;
      const client = new HttpClient(new HttpClientConfigBuilder().withBaseUrl(plain.url).build());
      clients.push(client);
      await client.get('/direct');
      expect(proxy.records).toEqual([]);
    } finally {
      if (saved === undefined) delete process.env.HTTP_PROXY;
      else process.env.HTTP_PROXY = saved;
    }
  });
});

describe('token requests', () => {
  it('go through the environment proxy when the provider asks for it', async () => {
    plain.handle((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ access_token: 'proxied-token', token_type: 'Bearer', expires_in: 60 }));
    });
    const options = {
      tokenUrl: `${plain.url}/oauth/token`,
      clientId: 'id',
      clientSecret: 'client-secret-value',
      serviceName: 'proxied',
    };
    const env = { HTTP_PROXY: `http://proxy-user:proxy-pass@127.0.0.1:${authProxy.port}` };
    const viaProxy = new ClientCredentialsTokenProvider({ ...options, proxyFromEnv: { env } });
    const direct = new ClientCredentialsTokenProvider(options);
    try {
      expect((await viaProxy.fetchToken()).accessToken).toBe('proxied-token');
      expect(authProxy.records).toEqual([
        expect.objectContaining({ kind: 'connect', target: `127.0.0.1:${plain.port}` }),
      ]);
      expect(plain.requests[0]!.headers['proxy-authorization']).toBeUndefined();
      await direct.fetchToken();
      expect(authProxy.records).toHaveLength(1);
      expect(plain.requests).toHaveLength(2);
      expect(
        () => new ClientCredentialsTokenProvider({ ...options, proxyFromEnv: 'yes' as unknown as boolean }),
      ).toThrow(TypeError);
    } finally {
      await viaProxy.close();
      await direct.close();
      plain.handle((await import('../support/loopback-server')).echo);
    }
  });
});
