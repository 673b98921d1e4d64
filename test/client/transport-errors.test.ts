import http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ConnectionException,
  HttpClient,
  HttpClientConfigBuilder,
  RequestBuildException,
  ResponseTooLargeException,
  TimeoutException,
  TlsException,
} from '../../src/index';
import { clientFor, closedPort, within } from '../support/helpers';
import { type LoopbackServer, startServer, TLS_FIXTURES } from '../support/loopback-server';

let server: LoopbackServer;
let tlsServer: LoopbackServer;

beforeAll(async () => {
  server = await startServer();
  tlsServer = await startServer(undefined, { tls: true });
});
afterAll(async () => {
  await server.close();
  await tlsServer.close();
});

describe('each failure maps to its own class', () => {
  it('a server that never answers → TimeoutException within the timeout', async () => {
    server.handle(() => {
      /* never answers */
    });
    const client = clientFor(server.url, (b) => b.withTimeout(200));
    const started = performance.now();
    const error = await within(
      3000,
      client.get('/hang').catch((e: unknown) => e),
    );
    const elapsed = performance.now() - started;
    expect(error).toBeInstanceOf(TimeoutException);
    expect((error as TimeoutException).code).toBe('ERR_TIMEOUT');
    expect((error as TimeoutException).attempts).toBe(1);
    expect(elapsed).toBeGreaterThanOrEqual(190);
    expect(elapsed).toBeLessThan(1000);
    await client.close();
  });

  it('a body that stalls half-way → TimeoutException', async () => {
    server.handle((_req, res) => {
      res.writeHead(200, { 'content-length': '100' });
      res.write('partial');
    });
    const client = clientFor(server.url, (b) => b.withTimeout(200));
    await expect(within(3000, client.get('/stall'))).rejects.toBeInstanceOf(TimeoutException);
    await client.close();
  });

  it('a closed port → ConnectionException', async () => {
    const port = await closedPort();
    const client = clientFor(`http://127.0.0.1:${port}`);
    const error = await client.get('/').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionException);
    expect((error as ConnectionException).context.errorCode).toBe('ECONNREFUSED');
    expect((error as ConnectionException).message).toContain(`127.0.0.1:${port}`);
    await client.close();
  });

  it('a connection reset → ConnectionException', async () => {
    server.handle((_req, res) => {
      res.socket?.destroy();
    });
    const client = clientFor(server.url);
    await expect(client.get('/reset')).rejects.toBeInstanceOf(ConnectionException);
    await client.close();
  });

  it('garbage instead of HTTP → ConnectionException (protocol error), settled once', async () => {
    const raw = net.createServer((socket) =>
      socket.end('HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!'),
    );
    await new Promise<void>((resolve) => raw.listen(0, '127.0.0.1', resolve));
    const { port } = raw.address() as net.AddressInfo;
    const client = clientFor(`http://127.0.0.1:${port}`);
    await expect(within(3000, client.get('/'))).rejects.toBeInstanceOf(ConnectionException);
    await client.close();
    raw.close();
  });

  it('an untrusted certificate → TlsException; a trusted CA or verifySsl(false) → 200', async () => {
    const strict = clientFor(tlsServer.url);
    const error = await strict.get('/').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TlsException);
    expect((error as TlsException).code).toBe('ERR_TLS');
    await strict.close();

    const withCa = clientFor(tlsServer.url, (b) => b.withTls({ ca: TLS_FIXTURES.ca }));
    expect((await withCa.get('/')).statusCode).toBe(200);
    await withCa.close();

    const lax = clientFor(tlsServer.url, (b) => b.withVerifySsl(false));
    expect((await lax.get('/')).statusCode).toBe(200);
    await lax.close();
  });

  it('https to a plain http port → TlsException', async () => {
    const client = clientFor(server.url.replace('http:', 'https:'), (b) => b.withTimeout(2000));
    await expect(client.get('/')).rejects.toBeInstanceOf(TlsException);
    await client.close();
  });

  it('a body over maxResponseBytes → ResponseTooLargeException, and the client keeps working', async () => {
    server.handle((_req, res) => res.end('x'.repeat(5000)));
    const client = clientFor(server.url, (b) => b.withMaxResponseBytes(1000));
    const error = await client.get('/big').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResponseTooLargeException);
    expect((error as ResponseTooLargeException).context.maxResponseBytes).toBe(1000);
    server.handle((_req, res) => res.end('small'));
    expect((await client.get('/small')).text).toBe('small');
    await client.close();
  });

  it('a body streamed in chunks past the limit is cut off as well', async () => {
    server.handle(async (_req, res) => {
      for (let i = 0; i < 50; i++) {
        res.write('y'.repeat(100));
        await new Promise((resolve) => setImmediate(resolve));
      }
      res.end();
    });
    const client = clientFor(server.url, (b) => b.withMaxResponseBytes(1000));
    await expect(client.get('/chunked')).rejects.toBeInstanceOf(ResponseTooLargeException);
    await client.close();
  });
});

describe('header injection', () => {
  it.each([['a\r\nInjected: yes'], ['a\nInjected: yes'], ['a\u0000b']])(
    'a CR/LF/NUL in a header value is refused before any byte is sent (%j)',
    async (value) => {
      let connections = 0;
      const raw = http.createServer((_req, res) => res.end());
      raw.on('connection', () => connections++);
      await new Promise<void>((resolve) => raw.listen(0, '127.0.0.1', resolve));
      const { port } = raw.address() as net.AddressInfo;
      const client = clientFor(`http://127.0.0.1:${port}`);
      const error = await client.get('/', { headers: { 'X-Value': value } }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RequestBuildException);
      expect((error as Error).message).not.toContain('Injected');
      expect((error as Error).message).toContain('X-Value');
      expect(JSON.stringify(error)).not.toContain('Injected');
      expect(connections).toBe(0);
      await client.close();
      raw.close();
    },
  );

  it('an invalid header name is refused', async () => {
    const client = clientFor(server.url);
    await expect(client.get('/', { headers: { 'Bad Name': 'x' } })).rejects.toBeInstanceOf(
      RequestBuildException,
    );
    await client.close();
  });

  it('a default header with CR/LF is refused by build()', () => {
    expect(() => new HttpClientConfigBuilder().withHeader('X-A', 'a\r\nb').build()).toThrow(TypeError);
    expect(() => new HttpClientConfigBuilder().withHeader('X-A', 'a\r\nb').build()).toThrow(/withHeaders/);
  });

  it('a hook-added header with CR/LF is refused before sending', async () => {
    const client = new HttpClient(new HttpClientConfigBuilder().withBaseUrl(server.url).build());
    const before = server.requests.length;
    await expect(
      client.get('/').then((r) => r.request.withHeaders({ 'X-Hook': 'x\r\ny' })),
    ).rejects.toBeInstanceOf(RequestBuildException);
    expect(server.requests.length).toBe(before + 1);
    await client.close();
  });
});
