import { describe, expect, it } from 'vitest';
import {
  AuthenticationException,
  CircuitBreakerRetryStrategy,
  ConnectionException,
  DEFAULT_RETRY_ON_ERRORS,
  ExponentialBackoffRetryStrategy,
  HttpRequest,
  RequestContext,
  ResponseParseException,
  SimpleRetryStrategy,
  TimeoutException,
  TlsException,
} from '../../src/index';

const context = () => new RequestContext(new HttpRequest({ method: 'GET', url: 'https://h.test/x' }), 3);
const errors = {
  connection: new ConnectionException('refused'),
  timeout: new TimeoutException('slow'),
  tls: new TlsException('bad certificate'),
  parse: new ResponseParseException('corrupt gzip'),
  plain: Object.assign(new Error('not ours'), { code: 'ERR_CONNECTION' }),
};
const retried = (strategy: { shouldRetry(outcome: unknown, context: RequestContext): boolean }) =>
  Object.entries(errors)
    .filter(([, error]) => strategy.shouldRetry(error, context()))
    .map(([name]) => name);

describe('retryOnErrors', () => {
  it("without it, today's defaults hold: timeouts and connection errors", () => {
    expect(DEFAULT_RETRY_ON_ERRORS).toEqual(['ERR_TIMEOUT', 'ERR_CONNECTION']);
    expect(retried(new ExponentialBackoffRetryStrategy())).toEqual(['connection', 'timeout']);
    expect(retried(new SimpleRetryStrategy())).toEqual(['connection', 'timeout']);
    expect(retried(new CircuitBreakerRetryStrategy())).toEqual(['connection', 'timeout']);
  });

  it('retries exactly the listed codes, on every request retry strategy', () => {
    const options = { retryOnErrors: ['ERR_CONNECTION', 'ERR_TLS', 'ERR_RESPONSE_PARSE'] as const };
    for (const strategy of [
      new ExponentialBackoffRetryStrategy(options),
      new SimpleRetryStrategy(options),
      new CircuitBreakerRetryStrategy(options),
    ]) {
      expect(retried(strategy)).toEqual(['connection', 'tls', 'parse']);
      expect([...strategy.retryOnErrors]).toEqual(['ERR_CONNECTION', 'ERR_TLS', 'ERR_RESPONSE_PARSE']);
    }
    expect(retried(new SimpleRetryStrategy({ retryOnErrors: [] }))).toEqual([]);
    // Only our typed errors carry a code we trust.
    expect(
      new SimpleRetryStrategy(options).shouldRetry(
        new AuthenticationException('x', { serviceName: 's' }),
        context(),
      ),
    ).toBe(false);
  });

  it('refuses codes that do not exist, naming them', () => {
    expect(
      () => new ExponentialBackoffRetryStrategy({ retryOnErrors: ['ERR_CONECTION' as 'ERR_CONNECTION'] }),
    ).toThrow(/retryOnErrors: "ERR_CONECTION" is not an error code/);
    expect(() => new SimpleRetryStrategy({ retryOnErrors: 'ERR_TIMEOUT' as never })).toThrow(/retryOnErrors/);
    expect(() => new CircuitBreakerRetryStrategy({ retryOnErrors: [42 as never] })).toThrow(RangeError);
  });
});
