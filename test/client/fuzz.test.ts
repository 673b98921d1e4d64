// Fuzzing in the style of undici's test/fuzzing: whatever the caller passes and whatever bytes the
// server sends, a call settles once, with a response or one of our typed errors, never a hang.
import http from 'node:http';
import net from 'node:net';
import fc from 'fast-check';
import { Agent } from 'undici';
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
            // A method that is a valid token but not one Node's parser knows (`!`, `FOO`) is sent
            // as given, and the loopback server's parser answers 400.
            expect(response.statusCode).toBe(http.METHODS.includes(response.request.method) ? 200 : 400);
          } catch (error) {
            expect(error).toBeInstanceOf(HttpClientException);
            expect((error as Error).message).not.toContain('fuzz-token');
          }
        },
      ),
      { numRuns: 400, ...(process.env.FUZZ_SEED ? { seed: Number(process.env.FUZZ_SEED) } : {}) },
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
      socket.once('data', async () => {
        // Written in pieces with pauses between them, the head reaches the client in several reads.
        for (const piece of pieces ?? []) {
          socket.write(piece);
          await new Promise((resolve) => setTimeout(resolve, 2));
        }
        socket.end(reply);
      });
    });
    await new Promise<void>((resolve) => raw.listen(0, '127.0.0.1', resolve));
    port = (raw.address() as net.AddressInfo).port;
  });
  let pieces: Buffer[] | undefined;
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

  it('any valid head, in one read or split across reads: the headers undici parsed, each name and value as sent', async () => {
    const rawClient = new HttpClient(
      new HttpClientConfigBuilder().withBaseUrl(`http://127.0.0.1:${port}`).withTimeout(2000).build(),
    );
    const agent = new Agent();
    const undiciHeaders = () =>
      new Promise<string[]>((resolve, reject) => {
        let seen: string[] = [];
        agent.dispatch(
          { origin: `http://127.0.0.1:${port}`, path: '/', method: 'GET', reset: true },
          {
            onConnect() {},
            onHeaders(_status: number, rawHeaders: Buffer[]) {
              seen = rawHeaders.map((item) => item.toString('latin1'));
              return true;
            },
            onData: () => true,
            onComplete: () => resolve(seen),
            onError: reject,
          },
        );
      });
    const token = fc.stringMatching(/^[a-zA-Z0-9!#$%&'*+.^_`|~-]{1,12}$/);
    const ows = fc.constantFrom('', ' ', '  ', '\t', ' \t ');
    // Field content: visible ASCII, obs-text, and spaces or tabs inside (never first).
    const value = fc.oneof(
      fc.constant(''),
      fc.stringMatching(/^[!-~\x80-\xff]([ \t!-~\x80-\xff]{0,20}[!-~\x80-\xff])?$/),
    );
    const line = fc.tuple(token, ows, value, ows);
    await fc.assert(
      fc.asyncProperty(
        fc.array(line, { minLength: 1, maxLength: 8 }),
        fc.array(fc.integer({ min: 1, max: 200 }), { maxLength: 3 }),
        async (lines, cuts) => {
          const head = lines
            .map(([name, before, v, after]) => `x-${name}:${before}${v}${after}\r\n`)
            .join('');
          const bytes = Buffer.from(`HTTP/1.1 200 OK\r\n${head}content-length: 2\r\n\r\nok`, 'latin1');
          const at = [...new Set(cuts.map((cut) => cut % bytes.length))]
            .filter((cut) => cut > 0)
            .sort((a, b) => a - b);
          const split = (): Buffer[] => at.map((cut, i) => bytes.subarray(i === 0 ? 0 : at[i - 1], cut));
          pieces = split();
          reply = bytes.subarray(at.at(-1) ?? 0);
          const expected = await undiciHeaders();
          pieces = split();
          const response = await rawClient.get('/');
          // Per name (the index joins repeated names), every value in order, exactly as undici had it.
          const byName = new Map<string, string[]>();
          for (let i = 0; i < expected.length; i += 2) {
            const name = expected[i]!.toLowerCase();
            byName.set(name, [...(byName.get(name) ?? []), expected[i + 1]!]);
          }
          expect(response.headers.size).toBe(byName.size);
          for (const [name, values] of byName) expect(response.headers.getAll(name)).toEqual(values);
        },
      ),
      { numRuns: 120 },
    );
    pieces = undefined;
    await rawClient.close();
    await agent.close();
  });
});
