import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ConnectionException,
  ExponentialBackoffRetryStrategy,
  HttpHeaders,
  HttpRequest,
  HttpResponse,
  NoRetryStrategy,
  parseRetryAfterMs,
  RequestBuildException,
  RequestContext,
  SimpleRetryStrategy,
  TimeoutException,
  TlsException,
} from '../../src/index';
import { exponentialDelayMs } from '../../src/retry/backoff';

const NOW = Date.parse('2026-01-01T00:00:00Z');

function context(method = 'GET', attempt = 0): RequestContext {
  const ctx = new RequestContext(new HttpRequest({ method, url: 'https://h.test/x' }), 3);
  ctx.attempt = attempt;
  return ctx;
}

function response(statusCode: number, headers: Record<string, string> = {}): HttpResponse {
  const request = new HttpRequest({ method: 'GET', url: 'https://h.test/x' });
  return new HttpResponse({
    statusCode,
    headers: new HttpHeaders(headers),
    elapsedMs: 1,
    url: request.url,
    request,
  });
}

describe('parseRetryAfterMs', () => {
  it.each([
    ['2', 2000],
    [' 0 ', 0],
    ['120', 120_000],
    ['Thu, 01 Jan 2026 00:00:05 GMT', 5000],
    ['Wed, 31 Dec 2025 23:59:00 GMT', 0],
    ['Thursday, 01-Jan-26 00:00:10 GMT', 10_000],
    ['Thu Jan  1 00:00:03 2026', 3000],
  ])('%j → %d ms', (value, ms) => {
    expect(parseRetryAfterMs(value, NOW)).toBe(ms);
  });

  it.each([[undefined], [''], ['-1'], ['1.5'], ['soon'], ['2026-01-01T00:00:05Z'], ['0x10']])(
    '%j → undefined (fall back to backoff)',
    (value) => {
      expect(parseRetryAfterMs(value, NOW)).toBeUndefined();
    },
  );

  it('never returns a negative or non-number for any string', () => {
    fc.assert(
      fc.property(fc.string(), (value) => {
        const ms = parseRetryAfterMs(value, NOW);
        expect(ms === undefined || (typeof ms === 'number' && ms >= 0)).toBe(true);
      }),
    );
  });
});

describe('exponential backoff with full jitter', () => {
  const parameters = { baseDelayMs: 100, maxDelayMs: 5000, multiplier: 2, jitter: true };

  it('without jitter doubles up to the cap', () => {
    const fixed = { ...parameters, jitter: false };
    expect([0, 1, 2, 3, 10, 2000].map((attempt) => exponentialDelayMs(attempt, fixed))).toEqual([
      100, 200, 400, 800, 5000, 5000,
    ]);
  });

  it('jittered delays stay within [0, cap] for any attempt and random value', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 5000 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (attempt, r) => {
          const cap = Math.min(5000, 100 * 2 ** attempt);
          const delay = exponentialDelayMs(attempt, parameters, () => r);
          expect(delay).toBeGreaterThanOrEqual(0);
          expect(delay).toBeLessThanOrEqual(cap);
        },
      ),
    );
  });

  it('jitter spreads delays', () => {
    const delays = new Set(Array.from({ length: 20 }, () => Math.round(exponentialDelayMs(3, parameters))));
    expect(delays.size).toBeGreaterThan(5);
  });

  it('a zero base delay is fine (no crash, no wait)', () => {
    expect(exponentialDelayMs(4, { ...parameters, baseDelayMs: 0 })).toBe(0);
  });
});

describe('ExponentialBackoffRetryStrategy', () => {
  const strategy = new ExponentialBackoffRetryStrategy({
    maxRetries: 3,
    baseDelayMs: 1000,
    maxDelayMs: 10_000,
  });

  it.each([408, 429, 500, 502, 503, 504])('retries status %i', (status) => {
    expect(strategy.shouldRetry(response(status), context())).toBe(true);
  });

  it.each([200, 301, 400, 401, 403, 404, 501])('does not retry status %i', (status) => {
    expect(strategy.shouldRetry(response(status), context())).toBe(false);
  });

  it('retries timeouts and connection errors, not TLS or build errors', () => {
    expect(strategy.shouldRetry(new TimeoutException('t'), context())).toBe(true);
    expect(strategy.shouldRetry(new ConnectionException('c'), context())).toBe(true);
    expect(strategy.shouldRetry(new TlsException('t'), context())).toBe(false);
    expect(strategy.shouldRetry(new RequestBuildException('b'), context())).toBe(false);
    expect(strategy.shouldRetry(new Error('x'), context())).toBe(false);
  });

  it('only idempotent methods by default; retryMethods opts in', () => {
    for (const method of ['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE'])
      expect(strategy.shouldRetry(response(503), context(method))).toBe(true);
    for (const method of ['POST', 'PATCH'])
      expect(strategy.shouldRetry(response(503), context(method))).toBe(false);
    const withPost = new ExponentialBackoffRetryStrategy({ retryMethods: ['post'] });
    expect(withPost.shouldRetry(response(503), context('POST'))).toBe(true);
    expect(withPost.shouldRetry(response(503), context('GET'))).toBe(false);
  });

  it('stops at maxRetries', () => {
    expect(strategy.shouldRetry(response(503), context('GET', 2))).toBe(true);
    expect(strategy.shouldRetry(response(503), context('GET', 3))).toBe(false);
  });

  it('honours Retry-After (seconds and date), capped at maxDelayMs', () => {
    expect(strategy.getDelayMs(context(), response(503, { 'retry-after': '2' }))).toBe(2000);
    expect(strategy.getDelayMs(context(), response(429, { 'retry-after': '86400' }))).toBe(10_000);
    const inFiveSeconds = new Date(Date.now() + 5000).toUTCString();
    const delay = strategy.getDelayMs(context(), response(503, { 'retry-after': inFiveSeconds }));
    expect(delay).toBeGreaterThan(3000);
    expect(delay).toBeLessThanOrEqual(5000);
    const ignoring = new ExponentialBackoffRetryStrategy({
      respectRetryAfter: false,
      jitter: false,
      baseDelayMs: 10,
    });
    expect(ignoring.getDelayMs(context(), response(503, { 'retry-after': '2' }))).toBe(10);
  });

  it('validates its options', () => {
    expect(() => new ExponentialBackoffRetryStrategy({ maxRetries: -1 })).toThrow(RangeError);
    expect(() => new ExponentialBackoffRetryStrategy({ baseDelayMs: Number.NaN })).toThrow(/baseDelayMs/);
    expect(() => new ExponentialBackoffRetryStrategy({ multiplier: 0.5 })).toThrow(/multiplier/);
    expect(() => new ExponentialBackoffRetryStrategy({ retryableStatusCodes: [42] })).toThrow(
      /retryableStatusCodes/,
    );
  });
});

describe('SimpleRetryStrategy and NoRetryStrategy', () => {
  it('Simple uses a fixed delay and the same classification', () => {
    const simple = new SimpleRetryStrategy({ maxRetries: 5, delayMs: 2000 });
    expect(simple.maxRetries).toBe(5);
    expect(simple.getDelayMs()).toBe(2000);
    expect(simple.shouldRetry(new TimeoutException('t'), context('GET', 4))).toBe(true);
    expect(simple.shouldRetry(new TimeoutException('t'), context('GET', 5))).toBe(false);
  });

  it('No never retries', () => {
    const none = new NoRetryStrategy();
    expect(none.maxRetries).toBe(0);
    expect(none.shouldRetry()).toBe(false);
    expect(none.getDelayMs()).toBe(0);
  });
});
