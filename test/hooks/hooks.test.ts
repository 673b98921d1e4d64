import diagnosticsChannel from 'node:diagnostics_channel';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  AuthorizationHook,
  CHANNELS,
  CorrelationIdHook,
  createClient,
  HttpClient,
  HttpClientConfigBuilder,
  type HttpRequest,
  RateLimitResponseHook,
  RequestBuildException,
  type RequestContext,
} from '../../src/index';
import { captureLogger } from '../support/helpers';
import { echo, type LoopbackServer, startServer } from '../support/loopback-server';

let server: LoopbackServer;
let other: LoopbackServer;
let hits = 0;

beforeAll(async () => {
  server = await startServer();
  other = await startServer();
});
afterAll(async () => {
  await server.close();
  await other.close();
});
afterEach(() => {
  server.handle(echo);
  server.requests.length = 0;
  other.requests.length = 0;
  hits = 0;
});

function failTwiceThenOk() {
  server.handle((_req, res) => {
    hits++;
    res.writeHead(hits <= 2 ? 503 : 200, {
      'x-ratelimit-remaining': String(10 - hits),
      'x-ratelimit-reset': '1700000000',
    });
    res.end();
  });
}

const fastRetry = (b: HttpClientConfigBuilder) =>
  b.withRetry({ maxRetries: 3, baseDelayMs: 1, maxDelayMs: 1 });

describe('hooks', () => {
  it('run in order, per attempt, sharing one context per call', async () => {
    failTwiceThenOk();
    const calls: string[] = [];
    const contexts = new Set<RequestContext>();
    const client = new HttpClient(
      fastRetry(new HttpClientConfigBuilder().withBaseUrl(server.url))
        .withRequestHook((request, context) => {
          calls.push(`req1#${context.attempt}`);
          contexts.add(context);
          return request.withHeaders({ 'X-Order': 'one' });
        })
        .withRequestHook({
          beforeRequest(request: HttpRequest, context: RequestContext) {
            calls.push(`req2#${context.attempt}`);
            return request.withHeaders({ 'X-Order': `${request.headers['x-order']},two` });
          },
        })
        .withResponseHook((response, context) => {
          calls.push(`res#${context.attempt}:${response.statusCode}`);
          contexts.add(context);
        })
        .build(),
    );
    const response = await client.get('/x');
    expect(response.statusCode).toBe(200);
    expect(calls).toEqual([
      'req1#0',
      'req2#0',
      'res#0:503',
      'req1#1',
      'req2#1',
      'res#1:503',
      'req1#2',
      'req2#2',
      'res#2:200',
    ]);
    expect(contexts.size).toBe(1);
    expect(server.requests.every((r) => r.headers['x-order'] === 'one,two')).toBe(true);
    await client.close();
  });

  it('error hooks see each failed attempt; a throwing hook fails the request with its error', async () => {
    server.handle((_req, res) => res.socket?.destroy());
    const seen: string[] = [];
    const client = new HttpClient(
      fastRetry(new HttpClientConfigBuilder().withBaseUrl(server.url))
        .withErrorHook((error, context) => {
          seen.push(`${(error as Error).name}#${context.attempt}`);
        })
        .build(),
    );
    await expect(client.get('/x')).rejects.toThrow();
    expect(seen).toEqual([
      'ConnectionException#0',
      'ConnectionException#1',
      'ConnectionException#2',
      'ConnectionException#3',
    ]);
    await client.close();

    server.requests.length = 0;
    server.handle(echo);
    const boom = new Error('hook failed');
    const throwing = new HttpClient(
      new HttpClientConfigBuilder()
        .withBaseUrl(server.url)
        .withRequestHook(() => {
          throw boom;
        })
        .build(),
    );
    await expect(throwing.get('/x')).rejects.toBe(boom);
    expect(server.requests).toHaveLength(0);
    await throwing.close();

    const throwingResponse = new HttpClient(
      new HttpClientConfigBuilder()
        .withBaseUrl(server.url)
        .withResponseHook(async () => {
          throw boom;
        })
        .build(),
    );
    await expect(throwingResponse.get('/x')).rejects.toBe(boom);
    await throwingResponse.close();
  });

  it('a hook that returns something else than a request is an error, not a silent success', async () => {
    const client = new HttpClient(
      new HttpClientConfigBuilder()
        .withBaseUrl(server.url)
        .withRequestHook(() => ({ not: 'a request' }) as never)
        .build(),
    );
    await expect(client.get('/x')).rejects.toThrow(/must return an HttpRequest/);
    await client.close();
  });

  it('a header with CR/LF added by a hook is refused before anything is sent', async () => {
    const client = new HttpClient(
      new HttpClientConfigBuilder()
        .withBaseUrl(server.url)
        .withRequestHook((request) => request.withHeaders({ 'X-Evil': 'a\r\nInjected: 1' }))
        .build(),
    );
    const error = await client.get('/x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RequestBuildException);
    expect((error as Error).message).not.toContain('Injected');
    expect(server.requests).toHaveLength(0);
    await client.close();
  });

  it('rejects hooks that are neither functions nor hook objects', () => {
    expect(() => new HttpClientConfigBuilder().withRequestHook({} as never).build()).toThrow(
      /withRequestHook/,
    );
    expect(() => new HttpClientConfigBuilder().withErrorHook(42 as never).build()).toThrow(/withErrorHook/);
  });
});

describe('built-in hooks', () => {
  it('CorrelationIdHook sends the same id on every retry', async () => {
    failTwiceThenOk();
    const client = new HttpClient(
      fastRetry(new HttpClientConfigBuilder().withBaseUrl(server.url))
        .withRequestHook(new CorrelationIdHook())
        .build(),
    );
    await client.get('/x');
    await client.get('/y');
    const ids = server.requests.map((r) => r.headers['x-correlation-id']);
    expect(ids).toHaveLength(4);
    expect(new Set(ids.slice(0, 3)).size).toBe(1);
    expect(ids[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(ids[3]).not.toBe(ids[0]);
    await client.close();
  });

  it('CorrelationIdHook takes a header name', async () => {
    const client = new HttpClient(
      new HttpClientConfigBuilder()
        .withBaseUrl(server.url)
        .withRequestHook(new CorrelationIdHook({ headerName: 'X-Request-ID' }))
        .build(),
    );
    await client.get('/');
    expect(server.requests[0]!.headers['x-request-id']).toBeDefined();
    await client.close();
  });

  it('RateLimitResponseHook puts the limits into metadata', async () => {
    failTwiceThenOk();
    const metadata: Array<Record<string, unknown>> = [];
    const client = new HttpClient(
      new HttpClientConfigBuilder()
        .withBaseUrl(server.url)
        .withResponseHook(new RateLimitResponseHook())
        .withResponseHook((_response, context) => {
          metadata.push({ ...context.metadata });
        })
        .build(),
    );
    await client.get('/');
    expect(metadata[0]).toMatchObject({ rateLimitRemaining: 9, rateLimitReset: 1700000000 });
    server.handle(echo);
    await client.get('/');
    expect(metadata[1]).not.toHaveProperty('rateLimitRemaining');
    await client.close();
  });

  it('AuthorizationHook adds a bearer token to trusted origins only', async () => {
    const client = new HttpClient(
      new HttpClientConfigBuilder()
        .withBaseUrl(server.url)
        .withRequestHook(new AuthorizationHook(async () => 'supplied-token'))
        .build(),
    );
    await client.get('/mine');
    await client.get(`${other.url}/theirs`);
    expect(server.requests[0]!.headers.authorization).toBe('Bearer supplied-token');
    expect(other.requests[0]!.headers.authorization).toBeUndefined();
    await client.close();

    const none = new HttpClient(
      new HttpClientConfigBuilder()
        .withBaseUrl(server.url)
        .withRequestHook(new AuthorizationHook(() => null))
        .build(),
    );
    await none.get('/anonymous');
    expect(server.requests[1]!.headers.authorization).toBeUndefined();
    await none.close();
  });
});

describe('createClient', () => {
  it('builds a client with retries and console-style logging in one call', async () => {
    const log = captureLogger();
    const client = createClient({
      baseUrl: server.url,
      timeoutMs: 2000,
      maxRetries: 2,
      headers: { 'X-From': 'createClient' },
      logging: { logger: log.logger },
    });
    expect(client.config.timeoutMs).toBe(2000);
    expect(client.config.retryStrategy?.maxRetries).toBe(2);
    expect((await client.get('/x')).statusCode).toBe(200);
    expect(server.requests[0]!.headers['x-from']).toBe('createClient');
    expect(log.lines.some((line) => line.includes('→ GET'))).toBe(true);
    await client.close();
    const quiet = createClient({ baseUrl: server.url, logging: false, maxRetries: 0 });
    expect(quiet.config.requestHooks).toHaveLength(0);
    expect(quiet.config.retryStrategy).toBeUndefined();
    await quiet.close();
  });
});

describe('diagnostics_channel events', () => {
  it('publishes request start/end/retry/redirect without secrets', async () => {
    const messages: Array<[string, unknown]> = [];
    const listeners = Object.values(CHANNELS)
      .filter((name) => name.includes(':request:'))
      .map((name) => {
        const listener = (message: unknown) => messages.push([name, message]);
        diagnosticsChannel.subscribe(name, listener);
        return () => diagnosticsChannel.unsubscribe(name, listener);
      });
    server.handle((req, res) => {
      hits++;
      if (req.url.startsWith('/old')) res.writeHead(302, { location: '/new?token=secret-q' }).end();
      else res.writeHead(hits < 3 ? 503 : 200).end();
    });
    const client = new HttpClient(
      fastRetry(new HttpClientConfigBuilder().withBaseUrl(server.url))
        .withBearerToken('event-secret')
        .build(),
    );
    await client.get('/old?access_token=secret-q');
    for (const unsubscribe of listeners) unsubscribe();
    const names = messages.map(([name]) => name.replace('requestforge:', ''));
    expect(names).toContain('request:start');
    expect(names).toContain('request:end');
    expect(names).toContain('request:redirect');
    expect(names).toContain('request:retry');
    const dump = JSON.stringify(messages);
    expect(dump).not.toContain('event-secret');
    expect(dump).not.toContain('secret-q');
    await client.close();
  });
});
