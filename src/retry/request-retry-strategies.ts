import { atLeastOne, nonNegativeInteger, nonNegativeMs, statusCodes } from '../checks/numbers';
import { optionKeys, readOptions } from '../checks/options';
import { type ErrorCode, HttpClientException } from '../errors/http-client-exception';
import { HttpResponse } from '../http/response';
import type { RequestContext } from '../middleware/context';
import { exponentialDelayMs } from './backoff';
import { parseRetryAfterMs } from './retry-after';
import type { RetryOutcome, RetryStrategy } from './retry-strategy';

/** Statuses retried by default: timeouts, throttling and transient server errors. */
export const DEFAULT_RETRYABLE_STATUS_CODES: readonly number[] = Object.freeze([
  408, 429, 500, 502, 503, 504,
]);
/** Methods retried by default: the idempotent ones (RFC 9110 §9.2.2). */
export const IDEMPOTENT_METHODS: readonly string[] = Object.freeze([
  'GET',
  'HEAD',
  'OPTIONS',
  'PUT',
  'DELETE',
  'TRACE',
]);

/** Error codes retried by default: timeouts and connection failures. */
export const DEFAULT_RETRY_ON_ERRORS: readonly ErrorCode[] = Object.freeze([
  'ERR_TIMEOUT',
  'ERR_CONNECTION',
] as const);

/** Every error code, so a misspelt `retryOnErrors` entry is refused (the compiler keeps it complete). */
const KNOWN_ERROR_CODES: Readonly<Record<ErrorCode, true>> = {
  ERR_HTTP_CLIENT: true,
  ERR_CLIENT_CLOSED: true,
  ERR_TIMEOUT: true,
  ERR_CONNECTION: true,
  ERR_TLS: true,
  ERR_ABORTED: true,
  ERR_RESPONSE_PARSE: true,
  ERR_RESPONSE_TOO_LARGE: true,
  ERR_REQUEST_BUILD: true,
  ERR_TOO_MANY_REDIRECTS: true,
  ERR_CIRCUIT_OPEN: true,
  ERR_AUTHENTICATION: true,
  ERR_TOKEN_ENDPOINT_THROTTLED: true,
  ERR_TOKEN_REFRESH: true,
  ERR_HTTP_STATUS: true,
};

function errorCodes(value: Iterable<ErrorCode>): ReadonlySet<string> {
  if (value === null || typeof value !== 'object' || typeof value[Symbol.iterator] !== 'function') {
    throw new TypeError('retryOnErrors must be an iterable of error codes');
  }
  const codes = new Set<string>();
  for (const code of value) {
    if (typeof code !== 'string' || !Object.hasOwn(KNOWN_ERROR_CODES, code)) {
      throw new RangeError(
        `retryOnErrors: ${typeof code === 'string' ? `"${code.slice(0, 40)}"` : typeof code} is not an error code (e.g. 'ERR_CONNECTION', 'ERR_TIMEOUT', 'ERR_TLS')`,
      );
    }
    codes.add(code);
  }
  return codes;
}

/** Which failures are worth another attempt. */
export interface RetryClassificationOptions {
  /**
   * Response statuses that are retried.
   * @default [408, 429, 500, 502, 503, 504]
   */
  readonly retryableStatusCodes?: Iterable<number>;
  /**
   * Methods that are retried. Add `POST` only for endpoints that are safe to repeat
   * (e.g. with an `Idempotency-Key`).
   * @default ['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE']
   */
  readonly retryMethods?: Iterable<string>;
  /**
   * Errors that are retried, by their `code` (see `HttpClientException.code`). A request aborted
   * by its signal is never retried, whatever the list.
   * @default ['ERR_TIMEOUT', 'ERR_CONNECTION']
   * @example ['ERR_CONNECTION', 'ERR_TIMEOUT', 'ERR_TLS']
   */
  readonly retryOnErrors?: Iterable<ErrorCode>;
}

/** Retries timeouts, connection failures and retryable statuses of retryable methods. */
export abstract class ClassifyingRetryStrategy implements RetryStrategy {
  readonly maxRetries: number;
  /** The statuses that are retried. */
  readonly retryableStatusCodes: ReadonlySet<number>;
  /** The methods that are retried. */
  readonly retryMethods: ReadonlySet<string>;
  /** The error codes this strategy retries. */
  readonly retryOnErrors: ReadonlySet<string>;

  protected constructor(maxRetries: number, options: RetryClassificationOptions) {
    this.maxRetries = nonNegativeInteger(maxRetries, 'maxRetries');
    this.retryableStatusCodes = statusCodes(
      options.retryableStatusCodes ?? DEFAULT_RETRYABLE_STATUS_CODES,
      'retryableStatusCodes',
    );
    this.retryMethods = new Set(
      [...(options.retryMethods ?? IDEMPOTENT_METHODS)].map((method) => String(method).toUpperCase()),
    );
    this.retryOnErrors = errorCodes(options.retryOnErrors ?? DEFAULT_RETRY_ON_ERRORS);
  }

  /** True for a status this strategy retries. */
  isRetryableStatus(statusCode: number): boolean {
    return this.retryableStatusCodes.has(statusCode);
  }

  /** True for an error this strategy retries: an `HttpClientException` whose code is in `retryOnErrors`. */
  isRetryableError(error: unknown): boolean {
    return error instanceof HttpClientException && this.retryOnErrors.has(error.code);
  }

  shouldRetry(outcome: RetryOutcome, context: RequestContext): boolean {
    if (context.attempt >= this.maxRetries) return false;
    if (!this.retryMethods.has(context.request.method)) return false;
    if (outcome instanceof HttpResponse) return this.retryableStatusCodes.has(outcome.statusCode);
    return this.isRetryableError(outcome);
  }

  abstract getDelayMs(context: RequestContext, outcome: RetryOutcome): number;
}

/** Never retries. */
export class NoRetryStrategy implements RetryStrategy {
  readonly maxRetries = 0;

  constructor() {
    if (new.target === NoRetryStrategy) Object.freeze(this);
  }

  shouldRetry(): boolean {
    return false;
  }

  getDelayMs(): number {
    return 0;
  }
}

export interface SimpleRetryOptions extends RetryClassificationOptions {
  /** Retries after the first attempt. @default 3 */
  readonly maxRetries?: number;
  /** Fixed wait between attempts. @default 1000 */
  readonly delayMs?: number;
}

/**
 * Retries with a fixed delay.
 * @example
 * ```ts
 * builder.withRetryStrategy(new SimpleRetryStrategy({ maxRetries: 2, delayMs: 250 }));
 * ```
 */
export class SimpleRetryStrategy extends ClassifyingRetryStrategy {
  /** The wait before each retry, in milliseconds. */
  readonly delayMs: number;

  constructor(given: SimpleRetryOptions = {}) {
    const options = readOptions(
      given,
      'SimpleRetryStrategy',
      new.target === SimpleRetryStrategy ? SIMPLE_KEYS : undefined,
    );
    super(options.maxRetries ?? 3, options);
    this.delayMs = nonNegativeMs(options.delayMs ?? 1000, 'delayMs');
    if (new.target === SimpleRetryStrategy) Object.freeze(this);
  }

  /** The wait before the next attempt, in milliseconds. */
  getDelayMs(): number {
    return this.delayMs;
  }
}

export interface ExponentialBackoffRetryOptions extends RetryClassificationOptions {
  /** Retries after the first attempt. @default 3 */
  readonly maxRetries?: number;
  /** The first delay's cap. @default 1000 */
  readonly baseDelayMs?: number;
  /** The largest delay, also the cap on `Retry-After`. @default 60000 */
  readonly maxDelayMs?: number;
  /** Growth of the cap per retry. @default 2 */
  readonly multiplier?: number;
  /** Full jitter: a random delay in `[0, cap]`, so a fleet does not retry in lock-step. @default true */
  readonly jitter?: boolean;
  /** Wait as long as the server's `Retry-After` says (seconds or HTTP-date), up to `maxDelayMs`. @default true */
  readonly respectRetryAfter?: boolean;
}

const CLASSIFICATION = { retryableStatusCodes: true, retryMethods: true, retryOnErrors: true } as const;
const SIMPLE_KEYS = optionKeys<SimpleRetryOptions>()({ ...CLASSIFICATION, maxRetries: true, delayMs: true });
const EXPONENTIAL_KEYS = optionKeys<ExponentialBackoffRetryOptions>()({
  ...CLASSIFICATION,
  maxRetries: true,
  baseDelayMs: true,
  maxDelayMs: true,
  multiplier: true,
  jitter: true,
  respectRetryAfter: true,
});

/**
 * Exponential backoff with full jitter, honouring `Retry-After`. What `withRetry()` installs.
 * @example
 * ```ts
 * new ExponentialBackoffRetryStrategy({ maxRetries: 5, baseDelayMs: 200, maxDelayMs: 10_000 });
 * ```
 */
export class ExponentialBackoffRetryStrategy extends ClassifyingRetryStrategy {
  /** The cap of the first retry's delay, in milliseconds. */
  readonly baseDelayMs: number;
  /** The largest delay (and the largest `Retry-After` honoured), in milliseconds. */
  readonly maxDelayMs: number;
  /** How much the delay cap grows per retry. */
  readonly multiplier: number;
  /** Whether delays are drawn uniformly below the cap (full jitter). */
  readonly jitter: boolean;
  /** Whether a `Retry-After` answer sets the delay (up to `maxDelayMs`). */
  readonly respectRetryAfter: boolean;

  constructor(given: ExponentialBackoffRetryOptions = {}) {
    const exact = new.target === ExponentialBackoffRetryStrategy;
    const options = readOptions(
      given,
      'ExponentialBackoffRetryStrategy',
      exact ? EXPONENTIAL_KEYS : undefined,
    );
    super(options.maxRetries ?? 3, options);
    this.baseDelayMs = nonNegativeMs(options.baseDelayMs ?? 1000, 'baseDelayMs');
    this.maxDelayMs = nonNegativeMs(options.maxDelayMs ?? 60_000, 'maxDelayMs');
    this.multiplier = atLeastOne(options.multiplier ?? 2, 'multiplier');
    this.jitter = options.jitter ?? true;
    this.respectRetryAfter = options.respectRetryAfter ?? true;
    if (exact) Object.freeze(this);
  }

  /** The wait before the next attempt, in milliseconds. */
  getDelayMs(context: RequestContext, outcome: RetryOutcome): number {
    if (this.respectRetryAfter && outcome instanceof HttpResponse) {
      const retryAfter = parseRetryAfterMs(outcome.headers.get('retry-after'));
      if (retryAfter !== undefined) return Math.min(retryAfter, this.maxDelayMs);
    }
    return exponentialDelayMs(context.attempt, this);
  }
}
