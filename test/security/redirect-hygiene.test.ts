// Origin-bound headers a caller set never follow a redirect to another origin (or down to http).
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient, HttpClientConfigBuilder } from '../../src/index';
import { echo, type LoopbackServer, startServer, TLS_FIXTURES } from '../support/loopback-server';

let home: LoopbackServer;
let other: LoopbackServer;
let secureHome: LoopbackServer;

beforeAll(async () => {
  [home, other, secureHome] = await Promise.all([
    startServer(),
    startServer(),
    startServer(undefined, { tls: true }),
  ]);
});
afterAll(() => Promise.all([home.close(), other.close(), secureHome.close()]));
afterEach(() => {
  for (const server of [home, other, secureHome]) {
    server.handle(echo);
    server.requests.length = 0;
  }
});

/** Headers bound to the origin they were set for, with a recognisable value each. */
const ORIGIN_BOUND: Array<[string, string]> = [
  ['Host', 'api.internal.example'],
  ['Cookie', 'sid=caller-cookie-1'],
  ['Proxy-Authorization', 'Basic cHJveHk6c2VjcmV0'],
  ['Authorization', 'Bearer caller-set-token'],
  ['X-API-Key', 'caller-api-key'],
  ['X-Auth-Token', 'caller-auth-token'],
  ['X-Signature', 'caller-signature'], // sensitive through withLogging({ sensitiveKeys })
];

function client(base: string, extra: (b: HttpClientConfigBuilder) => HttpClientConfigBuilder = (b) => b) {
  return new HttpClient(
    extra(
      new HttpClientConfigBuilder()
        .withBaseUrl(base)
        .withTls({ ca: TLS_FIXTURES.ca })
        .withLogging({ logger: { info() {}, warn() {}, error() {} }, sensitiveKeys: ['x-signature'] }),
    ).build(),
  );
}

describe.each([301, 302, 303, 307, 308])('a %i to another origin', (status) => {
  it.each(ORIGIN_BOUND)('drops a per-request %s header', async (name, value) => {
    home.handle((_req, res) => res.writeHead(status, { location: `${other.url}/landing` }).end());
    const c = client(home.url);
    const response = await c.get('/start', { headers: { [name]: value, 'X-Harmless': 'kept' } });
    expect(response.statusCode).toBe(200);
    const hop = other.requests[0]!;
    expect(JSON.stringify(hop.headers)).not.toContain(value);
    expect(hop.headers.host).toBe(`127.0.0.1:${other.port}`);
    expect(hop.headers['x-harmless']).toBe('kept');
    await c.close();
  });
});

describe('defaults and downgrades', () => {
  it.each(ORIGIN_BOUND)('drops a default %s header on a cross-origin redirect', async (name, value) => {
    home.handle((_req, res) => res.writeHead(302, { location: `${other.url}/landing` }).end());
    const c = client(home.url, (b) => b.withHeader(name, value));
    await c.get('/start');
    expect(JSON.stringify(other.requests[0]!.headers)).not.toContain(value);
    await c.close();
  });

  it.each(ORIGIN_BOUND)(
    'drops %s on a redirect from https to http, even to a trusted origin',
    async (name, given) => {
      // undici takes the TLS server name from a caller's Host: it must match the certificate here.
      const value = name === 'Host' ? `localhost:${secureHome.port}` : given;
      secureHome.handle((_req, res) => res.writeHead(307, { location: `${other.url}/plain` }).end());
      const c = client(secureHome.url, (b) => b.withTrustedOrigins([other.url]));
      await c.get('/secure', { headers: { [name]: value } });
      expect(secureHome.requests[0]!.headers[name.toLowerCase()]).toBe(value);
      expect(JSON.stringify(other.requests[0]!.headers)).not.toContain(value);
      await c.close();
    },
  );

  it('keeps the caller Host and cookies on a same-origin redirect', async () => {
    home.handle((req, res) => {
      if (req.url === '/old') res.writeHead(301, { location: '/new' }).end();
      else echo(req, res, undefined as never);
    });
    const c = client(home.url);
    await c.get('/old', { headers: { Host: 'api.internal.example', Cookie: 'sid=1' } });
    expect(home.requests[1]!.headers.host).toBe('api.internal.example');
    expect(home.requests[1]!.headers.cookie).toBe('sid=1');
    await c.close();
  });

  it('a hop that comes back to the first origin does not get the headers back', async () => {
    home.handle((req, res) => {
      if (req.url === '/start') res.writeHead(302, { location: `${other.url}/away` }).end();
      else echo(req, res, undefined as never);
    });
    other.handle((_req, res) => res.writeHead(302, { location: `${home.url}/back` }).end());
    const c = client(home.url);
    await c.get('/start', { headers: { Host: 'api.internal.example', Cookie: 'sid=caller-cookie-1' } });
    const back = home.requests.find((r) => r.url === '/back')!;
    expect(back.headers.host).toBe(`127.0.0.1:${home.port}`);
    expect(back.headers.cookie).toBeUndefined();
    await c.close();
  });
});
