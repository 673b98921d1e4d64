import http2 from 'node:http2';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  ExponentialBackoffRetryStrategy,
  HttpClient,
  HttpClientConfigBuilder,
  TimeoutException,
  TokenData,
  TokenManager,
} from '../../src/index';
import { TLS_FIXTURES } from '../support/loopback-server';
import { startProxy } from '../support/proxy-server';

type Handler = (req: http2.Http2ServerRequest, res: http2.Http2ServerResponse) => void;

interface H2Server {
  readonly url: string;
  sessions: number;
  versions: string[];
  handle(handler: Handler): void;
  goAway(): void;
  close(): Promise<void>;
}

async function startH2Server(): Promise<H2Server> {
  let handler: Handler = (req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ path: req.url, authorization: req.headers.authorization ?? null }));
  };
  const server = http2.createSecureServer({
    cert: TLS_FIXTURES.cert,
    key: TLS_FIXTURES.key,
    allowHTTP1: true,
  });
  const open = new Set<http2.ServerHttp2Session>();
  const state: H2Server = {
    url: '',
    sessions: 0,
    versions: [],
    handle(next) {
      handler = next;
    },
    goAway() {
      for (const session of open) session.close();
    },
    close() {
      for (const session of open) session.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  server.on('session', (session: http2.ServerHttp2Session) => {
    state.sessions++;
    open.add(session);
    session.on('close', () => open.delete(session));
  });
  server.on('request', (req, res) => {
    state.versions.push(req.httpVersion);
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return Object.assign(state, { url: `https://127.0.0.1:${(server.address() as AddressInfo).port}` });
}

let server: H2Server;
const clients: HttpClient[] = [];
const h2Client = (configure = (b: HttpClientConfigBuilder) => b) => {
  const client = new HttpClient(
    configure(
      new HttpClientConfigBuilder().withBaseUrl(server.url).withTls({ ca: TLS_FIXTURES.ca }).withHttp2(),
    ).build(),
  );
  clients.push(client);
  return client;
};

beforeAll(async () => {
  server = await startH2Server();
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  server.sessions = 0;
  server.versions.length = 0;
  server.handle((req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ path: req.url, authorization: req.headers.authorization ?? null }));
  });
});
afterAll(() => server.close());

describe('withHttp2()', () => {
  it('multiplexes 100 concurrent requests on one session, from a cold start', async () => {
    server.handle((req, res) => setTimeout(() => res.end(JSON.stringify({ path: req.url })), 20));
    const client = h2Client((b) => b.withBearerToken('h2-token'));
    const responses = await Promise.all(Array.from({ length: 100 }, (_, i) => client.get(`/item/${i}`)));
    expect(responses.map((r) => r.json<{ path: string }>().path)).toEqual(
      Array.from({ length: 100 }, (_, i) => `/item/${i}`),
    );
    expect(server.versions).toHaveLength(100);
    expect(new Set(server.versions)).toEqual(new Set(['2.0']));
    expect(server.sessions).toBe(1);
  });

  it('sends credentials, follows redirects and decodes bodies as over HTTP/1.1', async () => {
    server.handle((req, res) => {
      if (req.url === '/old') {
        res.writeHead(302, { location: '/new' });
        res.end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
      res.end(zlib.gzipSync(JSON.stringify({ path: req.url, authorization: req.headers.authorization })));
    });
    const response = await h2Client((b) => b.withBearerToken('h2-token')).get('/old');
    expect(response.json()).toEqual({ path: '/new', authorization: 'Bearer h2-token' });
    expect(response.url).toBe(`${server.url}/new`);
  });

  it('replays after a 401 with a renewed managed token', async () => {
    let issued = 0;
    const manager = new TokenManager({
      serviceName: 'h2',
      fetchToken: async () => new TokenData({ accessToken: `t${++issued}` }),
      refreshToken: async () => new TokenData({ accessToken: `t${++issued}` }),
    });
    server.handle((req, res) => {
      res.writeHead(req.headers.authorization === 'Bearer t2' ? 200 : 401);
      res.end(String(req.headers.authorization));
    });
    const response = await h2Client((b) => b.withTokenAuth(manager)).get('/protected');
    expect(response.statusCode).toBe(200);
    expect(server.versions).toEqual(['2.0', '2.0']);
  });

  it('retries and times out the same way', async () => {
    let calls = 0;
    server.handle((req, res) => {
      if (req.url === '/hang') return;
      res.writeHead(++calls < 3 ? 503 : 200);
      res.end();
    });
    const client = h2Client((b) =>
      b.withRetryStrategy(
        new ExponentialBackoffRetryStrategy({ maxRetries: 3, baseDelayMs: 1, jitter: false }),
      ),
    );
    expect((await client.get('/flaky')).statusCode).toBe(200);
    expect(calls).toBe(3);
    const error = await client.get('/hang', { timeoutMs: 150 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutException);
    expect((error as TimeoutException).attempts).toBe(4);
  });

  it('multiplexes through a CONNECT proxy from the environment: one tunnel, one session', async () => {
    const proxy = await startProxy();
    try {
      const client = h2Client((b) => b.withProxyFromEnv({ env: { HTTPS_PROXY: proxy.url } }));
      const responses = await Promise.all(Array.from({ length: 20 }, () => client.get('/via-proxy')));
      expect(responses.every((r) => r.statusCode === 200)).toBe(true);
      expect(server.versions).toEqual(Array(20).fill('2.0'));
      expect(server.sessions).toBe(1);
      expect(proxy.records.map((r) => r.kind)).toEqual(['connect']);
    } finally {
      await Promise.all(clients.splice(0).map((c) => c.close()));
      await proxy.close();
    }
  });

  it('reconnects after the server closes the session', async () => {
    const client = h2Client();
    expect((await client.get('/one')).statusCode).toBe(200);
    server.goAway();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect((await client.get('/two')).statusCode).toBe(200);
    expect(server.sessions).toBe(2);
  });
});

describe('withHttp2() against an HTTP/1.1-only server', () => {
  it('falls back to an ordinary pool: several connections, no pipelining', async () => {
    let connections = 0;
    let inFlight = 0;
    let maxInFlight = 0;
    const h1 = https.createServer({ cert: TLS_FIXTURES.cert, key: TLS_FIXTURES.key }, (req, res) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      setTimeout(() => {
        inFlight--;
        res.end(req.httpVersion);
      }, 20);
    });
    h1.on('secureConnection', () => connections++);
    await new Promise<void>((resolve) => h1.listen(0, '127.0.0.1', resolve));
    const url = `https://127.0.0.1:${(h1.address() as AddressInfo).port}`;
    const client = new HttpClient(
      new HttpClientConfigBuilder().withBaseUrl(url).withTls({ ca: TLS_FIXTURES.ca }).withHttp2().build(),
    );
    try {
      const responses = await Promise.all(Array.from({ length: 10 }, () => client.get('/')));
      expect(responses.map((r) => r.text)).toEqual(Array(10).fill('1.1'));
      expect(connections).toBeGreaterThan(1);
      expect(maxInFlight).toBeGreaterThan(1);
    } finally {
      await client.close();
      h1.closeAllConnections();
      await new Promise((resolve) => h1.close(resolve));
    }
  });

  it('is refused together with withDispatcher', () => {
    expect(() =>
      new HttpClientConfigBuilder()
        .withHttp2()
        .withDispatcher({ dispatch: () => true } as never)
        .build(),
    ).toThrow(/withHttp2: not available with withDispatcher/);
  });
});
