import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import zlib from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  ClientCredentialsTokenProvider,
  HttpClient,
  HttpClientConfigBuilder,
  ResponseParseException,
  ResponseTooLargeException,
} from '../../src/index';
import { type LoopbackServer, startServer } from '../support/loopback-server';

const DOCUMENT = JSON.stringify({
  items: Array.from({ length: 200 }, (_, i) => ({ id: i, name: `item-${i}` })),
});

const ENCODERS: Record<string, (input: Buffer) => Buffer> = {
  gzip: (input) => zlib.gzipSync(input),
  'x-gzip': (input) => zlib.gzipSync(input),
  'deflate (zlib)': (input) => zlib.deflateSync(input),
  'deflate (raw)': (input) => zlib.deflateRawSync(input),
  br: (input) => zlib.brotliCompressSync(input),
};
const headerOf = (kind: string) => kind.split(' ')[0]!;

let server: LoopbackServer;
const clients: HttpClient[] = [];
const client = (configure: (builder: HttpClientConfigBuilder) => HttpClientConfigBuilder = (b) => b) => {
  const created = new HttpClient(configure(new HttpClientConfigBuilder().withBaseUrl(server.url)).build());
  clients.push(created);
  return created;
};

beforeAll(async () => {
  server = await startServer();
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  server.requests.length = 0;
});
afterAll(() => server.close());

function answerEncoded(kind: string, body = Buffer.from(DOCUMENT)) {
  server.handle((_request, response) => {
    const encoded = ENCODERS[kind]!(body);
    response.writeHead(200, {
      'content-type': 'application/json',
      'content-encoding': headerOf(kind),
      'content-length': encoded.length,
    });
    response.end(encoded);
  });
}

describe('decompression (on by default)', () => {
  it('asks for gzip, deflate and br unless the caller chose an Accept-Encoding', async () => {
    const c = client();
    await c.get('/a');
    await c.get('/b', { headers: { 'Accept-Encoding': 'identity' } });
    expect(server.requests[0]!.headers['accept-encoding']).toBe('gzip, deflate, br');
    expect(server.requests[1]!.headers['accept-encoding']).toBe('identity');
    const own = client((b) => b.withHeader('Accept-Encoding', 'gzip'));
    await own.get('/c');
    expect(server.requests[2]!.headers['accept-encoding']).toBe('gzip');
  });

  it.each(Object.keys(ENCODERS))('decodes a %s body (buffered)', async (kind) => {
    answerEncoded(kind);
    const response = await client().get('/data');
    expect(response.json()).toEqual(JSON.parse(DOCUMENT));
    // The headers describe the body the caller got.
    expect(response.headers.get('content-encoding')).toBeUndefined();
    expect(response.headers.get('content-length')).toBeUndefined();
    expect(response.headers.get('content-type')).toBe('application/json');
  });

  it.each(Object.keys(ENCODERS))('decodes a %s body (stream())', async (kind) => {
    answerEncoded(kind);
    const { body, headers } = await client().stream({ method: 'GET', url: '/data' });
    const chunks: Buffer[] = [];
    for await (const chunk of body) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe(DOCUMENT);
    expect(headers.get('content-encoding')).toBeUndefined();
  });

  it('decodes a body that arrives in many small chunks', async () => {
    const encoded = zlib.gzipSync(Buffer.from(DOCUMENT.repeat(50)));
    server.handle(async (_request, response) => {
      response.writeHead(200, { 'content-encoding': 'gzip' });
      for (let i = 0; i < encoded.length; i += 7) response.write(encoded.subarray(i, i + 7));
      response.end();
    });
    expect((await client().get('/chunked')).text).toBe(DOCUMENT.repeat(50));
  });

  it('withDecompression(false): no Accept-Encoding and the body as received', async () => {
    answerEncoded('gzip');
    const response = await client((b) => b.withDecompression(false)).get('/raw');
    expect(server.requests[0]!.headers['accept-encoding']).toBeUndefined();
    expect(response.headers.get('content-encoding')).toBe('gzip');
    expect(zlib.gunzipSync(response.body).toString()).toBe(DOCUMENT);
  });

  it('hands identity, unknown and stacked codings out as received', async () => {
    const c = client();
    server.handle((request, response) => {
      const coding = request.url.slice(1);
      response.writeHead(200, { 'content-encoding': coding });
      response.end('as-is');
    });
    for (const coding of ['identity', 'zstd', 'gzip,%20br'.replace('%20', ' ')]) {
      const response = await c.get(`/${encodeURIComponent(coding)}`);
      expect(response.text).toBe('as-is');
    }
  });

  it('HEAD, 204 and 304 answers with a Content-Encoding have no body to decode', async () => {
    server.handle((request, response) => {
      const status = request.url === '/204' ? 204 : request.url === '/304' ? 304 : 200;
      response.writeHead(status, { 'content-encoding': 'gzip' });
      response.end();
    });
    const c = client();
    expect((await c.head('/head')).headers.get('content-encoding')).toBe('gzip');
    expect((await c.get('/204')).statusCode).toBe(204);
    expect((await c.get('/304')).statusCode).toBe(304);
  });

  it('an empty body with a Content-Encoding is an empty body', async () => {
    server.handle((_request, response) => {
      response.writeHead(200, { 'content-encoding': 'gzip', 'content-length': 0 });
      response.end();
    });
    expect((await client().get('/empty')).body.byteLength).toBe(0);
  });

  it('maxResponseBytes applies to the decoded size', async () => {
    answerEncoded('gzip', Buffer.alloc(64 * 1024, 'a'));
    const c = client((b) => b.withMaxResponseBytes(16 * 1024));
    const error = await c.get('/big').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResponseTooLargeException);
    expect((error as ResponseTooLargeException).context.maxResponseBytes).toBe(16 * 1024);
  });

  it('a corrupt or truncated body is a ResponseParseException naming the coding', async () => {
    const good = zlib.gzipSync(Buffer.from(DOCUMENT));
    server.handle((request, response) => {
      const body =
        request.url === '/corrupt'
          ? Buffer.concat([good.subarray(0, 10), Buffer.from('not deflate data at all'), good.subarray(30)])
          : good.subarray(0, good.length - 12);
      response.writeHead(200, { 'content-encoding': 'gzip', 'content-length': body.length });
      response.end(body);
    });
    const c = client();
    for (const path of ['/corrupt', '/truncated']) {
      const error = await c.get(path).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ResponseParseException);
      expect((error as ResponseParseException).code).toBe('ERR_RESPONSE_PARSE');
      expect((error as ResponseParseException).context).toMatchObject({
        reason: 'content-encoding',
        encoding: 'gzip',
      });
    }
    const { body } = await c.stream({ method: 'GET', url: '/corrupt' });
    const streamError = await (async () => {
      for await (const _ of body) {
        // drain
      }
    })().catch((e: unknown) => e);
    expect(streamError).toBeInstanceOf(ResponseParseException);
  });

  it('a decoded/received ratio above maxDecompressionRatio fails, for streams too', async () => {
    // ~3 MiB of JSON lines that gzip about 7:1.
    const lines = Array.from({ length: 100_000 }, (_, i) => JSON.stringify({ id: i, name: `item-${i}` }));
    const document = Buffer.from(lines.join('\n'));
    answerEncoded('gzip', document);
    const strict = client((b) => b.withDecompression({ maxDecompressionRatio: 4 }));
    const error = await strict.get('/spaces').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResponseTooLargeException);
    expect((error as ResponseTooLargeException).context).toMatchObject({ maxDecompressionRatio: 4 });
    const { body } = await strict.stream({ method: 'GET', url: '/spaces' });
    const streamError = await (async () => {
      for await (const _ of body) {
        // drain
      }
    })().catch((e: unknown) => e);
    expect(streamError).toBeInstanceOf(ResponseTooLargeException);
    // The default limit (1000) lets the same body through.
    expect((await client().get('/spaces')).body.byteLength).toBe(document.length);
  });
});

describe('small compressed bodies (decoded in one call when complete)', () => {
  it('a small body that decodes to a lot is still decoded, within the ratio', async () => {
    // ~9 KB of gzip that decode to 3 MiB (about 350:1).
    const body = Buffer.alloc(3 * 1024 * 1024, 'a');
    for (let i = 0; i < body.length; i += 2000) body[i] = (i / 2000) % 256;
    answerEncoded('gzip', body);
    expect(Buffer.from((await client().get('/big')).body).equals(body)).toBe(true);
  });

  it.each([1.5, 8])('a small bomb (%s MiB of zeros) is stopped by the ratio', async (mebibytes) => {
    answerEncoded('gzip', Buffer.alloc(mebibytes * 1024 * 1024));
    const error = await client()
      .get('/small-bomb')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResponseTooLargeException);
    expect((error as ResponseTooLargeException).context.maxDecompressionRatio).toBe(1000);
  });
});

describe('a gzip bomb', () => {
  let bombServer: http.Server;
  let bombUrl: string;
  const MEMBER = zlib.gzipSync(Buffer.alloc(1024 * 1024), { level: 9 });
  // 10,000 concatenated gzip members of 1 MiB of zeros: about 10 MB that decode to 10 GiB.
  const MEMBERS = 10_000;

  beforeAll(async () => {
    bombServer = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-encoding': 'gzip', 'content-length': MEMBER.length * MEMBERS });
      const source = Readable.from(
        (function* () {
          for (let i = 0; i < MEMBERS; i++) yield MEMBER;
        })(),
      );
      source.pipe(res);
      res.on('close', () => source.destroy());
    });
    await new Promise<void>((resolve) => bombServer.listen(0, '127.0.0.1', resolve));
    bombUrl = `http://127.0.0.1:${(bombServer.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    bombServer.closeAllConnections();
    await new Promise((resolve) => bombServer.close(resolve));
  });

  it('10 MB that decode to 10 GiB are stopped with under 100 MB of RSS growth', async () => {
    expect(MEMBER.length * MEMBERS).toBeGreaterThan(10_000_000);
    const c = new HttpClient(
      new HttpClientConfigBuilder()
        .withBaseUrl(bombUrl)
        .withMaxResponseBytes(2 ** 31 - 1)
        .build(),
    );
    clients.push(c);
    globalThis.gc?.();
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 5);
    const error = await c.get('/bomb').catch((e: unknown) => e);
    const stream = await c.stream({ method: 'GET', url: '/bomb' });
    const streamError = await (async () => {
      for await (const _ of stream.body) {
        // drain
      }
    })().catch((e: unknown) => e);
    clearInterval(sampler);
    peak = Math.max(peak, process.memoryUsage().rss);
    expect(error).toBeInstanceOf(ResponseTooLargeException);
    expect((error as ResponseTooLargeException).context.maxDecompressionRatio).toBe(1000);
    expect(streamError).toBeInstanceOf(ResponseTooLargeException);
    expect((peak - before) / 2 ** 20).toBeLessThan(100);
  });
});

describe('token endpoints', () => {
  it('get Accept-Encoding and have compressed answers decoded', async () => {
    server.handle((request, response) => {
      const body = zlib.gzipSync(
        JSON.stringify({ access_token: 'gz-token', token_type: 'Bearer', expires_in: 3600 }),
      );
      response.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
      response.end(body);
      void request;
    });
    const provider = new ClientCredentialsTokenProvider({
      tokenUrl: `${server.url}/oauth/token`,
      clientId: 'id',
      clientSecret: 'secret-value',
      serviceName: 'gz',
    });
    const token = await provider.fetchToken();
    expect(token.accessToken).toBe('gz-token');
    expect(server.requests[0]!.headers['accept-encoding']).toBe('gzip, deflate, br');
    await provider.close();
  });
});
