// The token-endpoint guard: pure policy and state, driven by an injected clock.
import { describe, expect, it } from 'vitest';
import { AuthenticationException } from '../../src/index';
import { backoffMs, EndpointGuard, heldError } from '../../src/tokens/endpoint-guard';

const policy = (random = () => 0) => ({ minRefreshIntervalMs: 2_000, maxRefreshBackoffMs: 60_000, random });
const down = () => new AuthenticationException('down', { serviceName: 's', statusCode: 503 });

describe('backoffMs', () => {
  it('doubles from minRefreshIntervalMs, adds up to half again at random, and is capped', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => backoffMs(n, policy()))).toEqual([
      2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000,
    ]);
    expect(
      backoffMs(
        1,
        policy(() => 0.999),
      ),
    ).toBeCloseTo(2_999, 0);
    expect(
      backoffMs(
        50,
        policy(() => 0.5),
      ),
    ).toBe(60_000);
    expect(backoffMs(1, { ...policy(), minRefreshIntervalMs: 0 })).toBe(0);
  });
});

describe('EndpointGuard', () => {
  it('lets requests through until a failure, then holds them for the backoff; a success starts over', () => {
    const guard = new EndpointGuard(policy());
    expect(guard.hold(0)).toBeUndefined();
    expect(guard.failed(down(), 0)).toMatchObject({ reason: 'backoff', until: 2_000, failures: 1 });
    expect(guard.hold(1_999)?.reason).toBe('backoff');
    expect(guard.hold(2_000)).toBeUndefined();
    expect(guard.failed(down(), 2_000)).toMatchObject({ until: 6_000, failures: 2 });
    expect(guard.failed(down(), 6_000)).toMatchObject({ until: 14_000, failures: 3 });
    guard.succeeded();
    expect(guard.hold(6_001)).toBeUndefined();
    expect(guard.failed(down(), 20_000)).toMatchObject({ until: 22_000, failures: 1 });
  });

  it('a Retry-After holds exactly until then, and is not shortened by a shorter one', () => {
    const guard = new EndpointGuard(policy());
    const throttled = new AuthenticationException('429', { statusCode: 429, retryAfterMs: 2_000 });
    expect(guard.failed(throttled, 1_000)).toMatchObject({
      reason: 'throttled',
      until: 3_000,
      statusCode: 429,
    });
    expect(guard.throttled(2_000, 503)).toMatchObject({ until: 3_000, statusCode: 429 });
    expect(guard.throttled(9_000, 503)).toMatchObject({ until: 9_000, statusCode: 503 });
    expect(guard.hold(8_999)?.reason).toBe('throttled');
    expect(guard.hold(9_000)).toBeUndefined();
  });

  it('honours a Retry-After of at most an hour', () => {
    const guard = new EndpointGuard(policy());
    const absurd = new AuthenticationException('429', { statusCode: 429, retryAfterMs: 365 * 86_400_000 });
    expect(guard.failed(absurd, 0).until).toBe(3_600_000);
  });

  it('a permanent refusal holds for maxRefreshBackoffMs', () => {
    const guard = new EndpointGuard(policy());
    const refused = new AuthenticationException('no', { statusCode: 401, error: 'invalid_client' });
    expect(refused.retryable).toBe(false);
    expect(guard.failed(refused, 0)).toMatchObject({ reason: 'refused', until: 60_000 });
    expect(guard.throttled(5_000)).toMatchObject({ reason: 'refused' });
  });
});

describe('heldError', () => {
  it('is ERR_TOKEN_ENDPOINT_THROTTLED with retryAfterMs for a throttle or a backoff', () => {
    const guard = new EndpointGuard(policy());
    const cause = new AuthenticationException('429', {
      serviceName: 's',
      statusCode: 429,
      retryAfterMs: 2_000,
      error: 'slow_down',
    });
    const error = heldError('s', guard.failed(cause, 0), 500);
    expect(error).toMatchObject({
      code: 'ERR_TOKEN_ENDPOINT_THROTTLED',
      serviceName: 's',
      retryAfterMs: 1_500,
      retryable: true,
      statusCode: 429,
      error: 'slow_down',
      cause,
    });
    expect(error.context).toMatchObject({ reason: 'throttled' });
    expect(error.message).toMatch(
      /asked to wait \(HTTP 429, Retry-After\); no token request is sent for 1500 ms/,
    );
    const backoff = heldError('s', new EndpointGuard(policy()).failed(down(), 0), 0);
    expect(backoff.message).toMatch(/failed 1 time in a row/);
    expect(backoff.code).toBe('ERR_TOKEN_ENDPOINT_THROTTLED');
  });

  it('after a permanent refusal carries its OAuth error, retryable: false, and says to fix the configuration', () => {
    const cause = new AuthenticationException('no', {
      serviceName: 's',
      statusCode: 401,
      error: 'invalid_client',
    });
    const error = heldError('s', new EndpointGuard(policy()).failed(cause, 0), 10_000);
    expect(error).toMatchObject({ code: 'ERR_AUTHENTICATION', error: 'invalid_client', retryable: false });
    expect(error.retryAfterMs).toBe(50_000);
    expect(error.message).toMatch(/fix the configuration/);
  });
});
