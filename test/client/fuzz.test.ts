// Fuzzing in the style of undici's test/fuzzing: whatever the caller passes and whatever bytes the
// server sends, a call settles once, with a response or one of our typed errors, never a hang.
import net from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient, HttpClientConfigBuilder, HttpClientException } from '../../src/index';
import { within } from '../support/helpers';
import { type LoopbackServer, startServer } from '../support/loopback-server';

let server: LoopbackServer;
let client: HttpClient;
beforeAll(async () => {
  server = await startServer();
  client = new HttpClient(
    new HttpClientConfigBuilder()
      .withBaseUrl(`${server.url}/api`)
      .withBearerToken('fuzz-token')
      .withTimeout(1000)
      .build(),
  );
});
afterAll(async () => {
  await client.close();
  await server.close();
});

const anything = fc.oneof(
  fc.string(),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.constant({}),
  fc.constant([]),
  fc.constant(() => 1),
  fc.constant(Symbol('s')),
  fc.constant(10n),
  fc.constant(new Date(0)),
);

describe('fuzzed calls', () => {
  it('any options: a response or a typed error, never an untyped crash', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record(
          {
            method: fc.oneof(fc.constantFrom('GET', 'post', 'PUT', 'CONNECT', 'G E T', ''), anything),
            url: fc.oneof(
              fc.constantFrom('/x', '', '//evil', 'https:evil', '/a/../../b', '/%zz', '/ok?x=1#f'),
              fc.string(),
              anything,
            ),
            params: fc.oneof(fc.dictionary(fc.string(), anything), anything),
            headers: fc.oneof(fc.dictionary(fc.string(), anything), anything),
            json: anything,
            data: fc.oneof(fc.dictionary(fc.string(), anything), anything),
            body: fc.oneof(fc.string(), anything),
            timeoutMs: fc.oneof(fc.integer({ min: -5, max: 2000 }), anything),
            signal: fc.oneof(fc.constant(undefined), anything),
          },
          { requiredKeys: [] },
        ),
        async (init) => {
          try {
            const response = await within(5000, client.request(init as never));
            expect(response.statusCode).toBe(200);
          } catch (error) {
            expect(error).toBeInstanceOf(HttpClientException);
            expect((error as Error).message).not.toContain('fuzz-token');
          }
        },
      ),
      { numRuns: 400 },
    );
  });
});

describe('fuzzed responses', () => {
  let raw: net.Server;
  let port = 0;
  let reply = Buffer.alloc(0);
  beforeAll(async () => {
    raw = net.createServer((socket) => {
      socket.on('error', () => undefined);
      socket.once('data', () => socket.end(reply));
    });
    await new Promise<void>((resolve) => raw.listen(0, '127.0.0.1', resolve));
    port = (raw.address() as net.AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => raw.close(() => resolve())));

  it('any bytes after the status line: a response or a typed error, settled once', async () => {
    const rawClient = new HttpClient(
      new HttpClientConfigBuilder()
        .withBaseUrl(`http://127.0.0.1:${port}`)
        .withTimeout(1000)
        .withMaxResponseBytes(4096)
        .build(),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.uint8Array({ maxLength: 300 }),
          fc.string({ maxLength: 200 }).map((s) => Buffer.from(`HTTP/1.1 200 OK\r\n${s}`)),
          fc
            .tuple(fc.integer({ min: 0, max: 40 }), fc.string({ maxLength: 60 }))
            .map(([length, body]) =>
              Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: ${length}\r\n\r\n${body}`),
            ),
          fc
            .string({ maxLength: 100 })
            .map((s) => Buffer.from(`HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n${s}`)),
        ),
        async (bytes) => {
          reply = Buffer.from(bytes);
          let settled = 0;
          const outcome = await within(
            5000,
            rawClient.get('/').then(
              (response) => {
                settled++;
                return response;
              },
              (error: unknown) => {
                settled++;
                return error;
              },
            ),
          );
          expect(settled).toBe(1);
          if (!(outcome instanceof HttpClientException))
            expect(typeof (outcome as { statusCode: number }).statusCode).toBe('number');
        },
      ),
      { numRuns: 150 },
    );
    await rawClient.close();
  });
});
