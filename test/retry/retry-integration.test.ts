import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  CircuitBreakerRetryStrategy,
  CircuitOpenException,
  ConnectionException,
  HttpClient,
  HttpClientConfigBuilder,
  RequestAbortedException,
  ServerErrorException,
  SimpleRetryStrategy,
} from '../../src/index';
import { until } from '../support/helpers';
import { echo, type LoopbackServer, startServer } from '../support/loopback-server';

let server: LoopbackServer;
let hits = 0;

beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());
afterEach(() => {
  vi.useRealTimers();
  server.handle(echo);
  server.requests.length = 0;
  hits = 0;
});

/** Answers with the given statuses in turn (the last one repeats). */
function script(statuses: number[], headers: Record<string, string> = {}) {
  server.handle((_req, res) => {
    const status = statuses[Math.min(hits, statuses.length - 1)]!;
    hits++;
    res.writeHead(status, { 'content-type': 'text/plain', ...headers });
    res.end(`attempt ${hits}`);
  });
}

const fakeTimers = () => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });

function retryingClient(
  configure: (b: HttpClientConfigBuilder) => HttpClientConfigBuilder = (b) => b.withRetry(),
) {
  return new HttpClient(configure(new HttpClientConfigBuilder().withBaseUrl(server.url)).build());
}

/** Asserts that the second attempt comes exactly `ms` after the first (on the fake clock). */
async function expectSleep(ms: number) {
  await until(() => hits === 1);
  await vi.advanceTimersByTimeAsync(ms - 10);
  for (let i = 0; i < 50; i++) await new Promise((resolve) => setImmediate(resolve));
  expect(hits).toBe(1);
  await vi.advanceTimersByTimeAsync(10);
  await until(() => hits === 2);
}

/** Drives a request under fake timers: lets I/O run, and advances the clock whenever the client sleeps. */
async function drive<T>(promise: Promise<T>, stepMs = 1000, maxSteps = 200): Promise<T> {
  let settled = false;
  const tracked = promise.finally(() => {
    settled = true;
  });
  for (let step = 0; step < maxSteps && !settled; step++) {
    await new Promise((resolve) => setImmediate(resolve));
    await vi.advanceTimersByTimeAsync(stepMs);
  }
  return tracked;
}

describe('request retries (fake clock)', () => {
  it('503, 503, 200 → 200 with three hits', async () => {
    fakeTimers();
    script([503, 503, 200]);
    const client = retryingClient();
    const response = await drive(client.get('/flaky'));
    expect(response.statusCode).toBe(200);
    expect(response.text).toBe('attempt 3');
    expect(hits).toBe(3);
    await client.close();
  });

  it('persistent 503 → maxRetries + 1 hits and the last 503 returned', async () => {
    fakeTimers();
    script([503]);
    const client = retryingClient((b) => b.withRetry({ maxRetries: 2 }));
    const response = await drive(client.get('/down'));
    expect(response.statusCode).toBe(503);
    expect(response.text).toBe('attempt 3');
    expect(hits).toBe(3);
    await client.close();
  });

  it('under withRaiseForStatus, exhausted retries throw the last status with attempts', async () => {
    fakeTimers();
    script([500]);
    const client = retryingClient((b) => b.withRetry({ maxRetries: 2 }).withRaiseForStatus());
    const error = await drive(client.get('/down').catch((e: unknown) => e));
    expect(error).toBeInstanceOf(ServerErrorException);
    expect((error as ServerErrorException).attempts).toBe(3);
    await client.close();
  });

  it('POST is not retried by default, and is when retryMethods includes it', async () => {
    fakeTimers();
    script([503, 200]);
    const plain = retryingClient();
    expect((await drive(plain.post('/orders', { json: { id: 1 } }))).statusCode).toBe(503);
    expect(hits).toBe(1);
    hits = 0;
    const opted = retryingClient((b) => b.withRetry({ retryMethods: ['GET', 'POST'] }));
    expect((await drive(opted.post('/orders', { json: { id: 1 } }))).statusCode).toBe(200);
    expect(hits).toBe(2);
    expect(server.requests.at(-1)?.body).toBe('{"id":1}');
    await Promise.all([plain.close(), opted.close()]);
  });

  it('Retry-After: 2 waits 2 s on the clock', async () => {
    fakeTimers();
    script([429, 200], { 'retry-after': '2' });
    const client = retryingClient();
    const pending = client.get('/throttled');
    await expectSleep(2000);
    expect((await pending).statusCode).toBe(200);
    await client.close();
  });

  it('a huge Retry-After is capped at maxDelayMs', async () => {
    fakeTimers();
    script([503, 200], { 'retry-after': '999999' });
    const client = retryingClient((b) => b.withRetry({ maxDelayMs: 5000 }));
    const pending = client.get('/capped');
    await expectSleep(5000);
    expect((await pending).statusCode).toBe(200);
    await client.close();
  });

  it('connection errors are retried, and the last error is thrown when retries run out', async () => {
    fakeTimers();
    server.handle((_req, res) => {
      hits++;
      res.socket?.destroy();
    });
    const client = retryingClient((b) => b.withRetry({ maxRetries: 2 }));
    const error = await drive(client.get('/reset').catch((e: unknown) => e));
    expect(error).toBeInstanceOf(ConnectionException);
    expect((error as ConnectionException).attempts).toBe(3);
    expect(hits).toBe(3);
    await client.close();
  });

  it('the retry sleep is abortable by the request signal', async () => {
    fakeTimers();
    script([503], { 'retry-after': '60' });
    const client = retryingClient();
    const controller = new AbortController();
    const pending = client.get('/slow', { signal: controller.signal }).catch((e: unknown) => e);
    await until(() => hits === 1);
    controller.abort();
    expect(await pending).toBeInstanceOf(RequestAbortedException);
    expect(hits).toBe(1);
    await client.close();
  });

  it('a one-shot stream body is never retried', async () => {
    fakeTimers();
    script([503, 200]);
    const client = retryingClient((b) => b.withRetry({ retryMethods: ['PUT'] }));
    const { Readable } = await import('node:stream');
    const response = await drive(client.put('/upload', { body: Readable.from(['once']) }));
    expect(response.statusCode).toBe(503);
    expect(hits).toBe(1);
    await client.close();
  });
});

describe('retry storms are bounded', () => {
  it('with maxRetries: 3 no request is sent more than 4 times, whatever the server does', async () => {
    const behaviours = ['503', '500', '429', 'reset', '200', '404'] as const;
    const client = retryingClient((b) => b.withRetry({ maxRetries: 3, baseDelayMs: 0, maxDelayMs: 0 }));
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom(...behaviours), { minLength: 1, maxLength: 8 }),
        async (plan) => {
          hits = 0;
          server.handle((_req, res) => {
            const what = plan[Math.min(hits, plan.length - 1)]!;
            hits++;
            if (what === 'reset') res.socket?.destroy();
            else res.writeHead(Number(what), { 'retry-after': '0' }).end();
          });
          await client.get('/storm').catch(() => undefined);
          expect(hits).toBeGreaterThanOrEqual(1);
          expect(hits).toBeLessThanOrEqual(4);
        },
      ),
      { numRuns: 40 },
    );
    await client.close();
  });

  it('a strategy that always says "retry" is still held to its maxRetries', async () => {
    script([503]);
    const greedy = { maxRetries: 2, shouldRetry: () => true, getDelayMs: () => 0 };
    const client = retryingClient((b) => b.withRetryStrategy(greedy));
    expect((await client.get('/x')).statusCode).toBe(503);
    expect(hits).toBe(3);
    await client.close();
  });

  it('SimpleRetryStrategy retries with its fixed delay', async () => {
    script([502, 200]);
    const client = retryingClient((b) =>
      b.withRetryStrategy(new SimpleRetryStrategy({ maxRetries: 1, delayMs: 1 })),
    );
    expect((await client.get('/x')).statusCode).toBe(200);
    expect(hits).toBe(2);
    await client.close();
  });
});

/**
 * A breaker that one 500 opened (threshold 1, one probe at a time), its clock moved past the
 * recovery timeout: the next call is a probe.
 */
async function halfOpenBreaker() {
  let now = 0;
  const breaker = new CircuitBreakerRetryStrategy({
    maxRetries: 0,
    failureThreshold: 1,
    recoveryTimeoutMs: 1000,
    halfOpenMaxCalls: 1,
    now: () => now,
  });
  script([500]);
  const client = retryingClient((b) => b.withRetryStrategy(breaker));
  await client.get('/fail');
  expect(breaker.state).toBe('open');
  now += 1000;
  return { breaker, client };
}

describe('circuit breaker', () => {
  it('opens after the threshold; while open nothing reaches the server; probes close it again', async () => {
    let now = 1_000_000;
    script([503]);
    const breaker = new CircuitBreakerRetryStrategy({
      maxRetries: 1,
      baseDelayMs: 0,
      failureThreshold: 2,
      recoveryTimeoutMs: 30_000,
      halfOpenMaxCalls: 2,
      now: () => now,
    });
    const client = retryingClient((b) => b.withRetryStrategy(breaker));

    expect((await client.get('/a')).statusCode).toBe(503);
    expect(breaker.state).toBe('closed');
    expect((await client.get('/b')).statusCode).toBe(503);
    expect(hits).toBe(4); // two calls, each with one retry
    expect(breaker.state).toBe('open');

    const error = await client.get('/c').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CircuitOpenException);
    expect((error as CircuitOpenException).attempts).toBe(0);
    expect(hits).toBe(4); // never sent

    now += 30_000;
    expect(breaker.state).toBe('half_open');
    script([200]);
    hits = 0;
    expect((await client.get('/probe-1')).statusCode).toBe(200);
    expect(breaker.state).toBe('half_open');
    expect((await client.get('/probe-2')).statusCode).toBe(200);
    expect(breaker.state).toBe('closed');
    expect(hits).toBe(2);
    await client.close();
  });

  it('counts only what it retries: an error that says nothing of the service neither opens nor closes it', async () => {
    const breaker = new CircuitBreakerRetryStrategy({ maxRetries: 0, failureThreshold: 1 });
    server.handle((_req, res) => res.end('x'.repeat(1000)));
    // A response over maxResponseBytes (ERR_RESPONSE_TOO_LARGE, not in retryOnErrors), a hook
    // that throws: the service answered, the circuit stays closed.
    const tooLarge = retryingClient((b) => b.withRetryStrategy(breaker).withMaxResponseBytes(10));
    expect(await tooLarge.get('/big').catch((e: unknown) => (e as { code?: string }).code)).toBe(
      'ERR_RESPONSE_TOO_LARGE',
    );
    const throwing = retryingClient((b) =>
      b.withRetryStrategy(breaker).withRequestHook(() => {
        throw new TypeError('hook bug');
      }),
    );
    await expect(throwing.get('/hook')).rejects.toThrow('hook bug');
    expect(breaker.state).toBe('closed');
    // A connection that fails (ERR_CONNECTION, retried by default) opens it.
    const refused = new HttpClient(
      new HttpClientConfigBuilder().withBaseUrl('http://127.0.0.1:9').withRetryStrategy(breaker).build(),
    );
    await expect(refused.get('/')).rejects.toBeInstanceOf(ConnectionException);
    expect(breaker.state).toBe('open');
    await Promise.all([tooLarge.close(), throwing.close(), refused.close()]);
  });

  it('an aborted probe frees its slot: the next call may probe', async () => {
    const { breaker, client } = await halfOpenBreaker();
    server.handle(() => undefined); // the probe never gets an answer
    const abort = new AbortController();
    const probe = client.get('/probe', { signal: abort.signal }).catch((e: unknown) => e);
    await until(() => server.requests.length > 0);
    abort.abort();
    expect(await probe).toBeInstanceOf(RequestAbortedException);
    script([200]);
    expect((await client.get('/next-probe')).statusCode).toBe(200);
    expect(breaker.state).toBe('closed');
    await client.close();
  });

  it('a failed probe opens the circuit again; half-open admits at most halfOpenMaxCalls at once', async () => {
    const { breaker, client } = await halfOpenBreaker();
    server.handle((_req, res) => {
      hits++;
      setTimeout(() => res.writeHead(500).end(), 30);
    });
    const [probe, refused] = await Promise.all([
      client.get('/probe'),
      client.get('/second').catch((e: unknown) => e),
    ]);
    expect(probe.statusCode).toBe(500);
    expect(refused).toBeInstanceOf(CircuitOpenException);
    expect(breaker.state).toBe('open');
    breaker.reset();
    expect(breaker.state).toBe('closed');
    await client.close();
  });
});
