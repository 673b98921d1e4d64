import { atLeastOne, nonNegativeInteger, nonNegativeMs, statusCodes } from '../checks/numbers';
import { optionKeys, readOptions } from '../checks/options';
import type { HttpResponse } from '../http/response';
import { exponentialDelayMs } from './backoff';

/** Decides whether, and when, a request rejected for its credentials is replayed after a refresh. */
export interface AuthRetryStrategy {
  /** How many replays at most. */
  readonly maxRetries: number;
  /** Whether this response means the credentials were rejected. */
  isAuthError(response: HttpResponse): boolean;
  /** Whether to refresh and replay; `attempt` counts replays already done (0-based). */
  shouldRetry(response: HttpResponse, attempt: number): boolean;
  /** Wait before the replay, in milliseconds. */
  getDelayMs(attempt: number): number;
}

/** The statuses an auth retry strategy treats as auth errors. */
export interface AuthErrorCodesOption {
  /**
   * Statuses that mean "credentials rejected".
   * @default [401]
   */
  readonly authErrorCodes?: Iterable<number>;
}

/**
 * What every built-in auth retry strategy shares: the statuses that mean "credentials rejected",
 * and "replay while replays are left and the response is an auth error". Not exported: users
 * implement {@link AuthRetryStrategy} or extend a concrete strategy.
 */
abstract class StatusAuthRetryStrategy implements AuthRetryStrategy {
  readonly maxRetries: number;
  readonly #codes: ReadonlySet<number>;

  protected constructor(maxRetries: number, options: AuthErrorCodesOption) {
    this.maxRetries = nonNegativeInteger(maxRetries, 'maxRetries');
    this.#codes = statusCodes(options.authErrorCodes ?? [401], 'authErrorCodes');
  }

  isAuthError(response: HttpResponse): boolean {
    return this.#codes.has(response.statusCode);
  }

  shouldRetry(response: HttpResponse, attempt: number): boolean {
    return attempt < this.maxRetries && this.isAuthError(response);
  }

  abstract getDelayMs(attempt: number): number;
}

const CODES_KEYS = optionKeys<AuthErrorCodesOption>()({ authErrorCodes: true });
const SIMPLE_KEYS = optionKeys<SimpleAuthRetryOptions>()({
  authErrorCodes: true,
  maxRetries: true,
  delayMs: true,
});
const EXPONENTIAL_KEYS = optionKeys<ExponentialAuthRetryOptions>()({
  authErrorCodes: true,
  maxRetries: true,
  baseDelayMs: true,
  maxDelayMs: true,
  multiplier: true,
  jitter: true,
});
const CONDITIONAL_KEYS = optionKeys<ConditionalAuthRetryOptions>()({
  authErrorCodes: true,
  maxRetries: true,
  delayMs: true,
  shouldRetry: true,
  isAuthError: true,
});

/** Never replays: an auth error is returned as is. The default of static credentials. */
export class NoAuthRetryStrategy extends StatusAuthRetryStrategy {
  constructor(given: AuthErrorCodesOption = {}) {
    const exact = new.target === NoAuthRetryStrategy;
    super(0, readOptions(given, 'NoAuthRetryStrategy', exact ? CODES_KEYS : undefined));
    if (exact) Object.freeze(this);
  }

  /** The wait before replay number `attempt` (0 for the first), in milliseconds. */
  getDelayMs(): number {
    return 0;
  }
}

/** Options of {@link SimpleAuthRetryStrategy}. */
export interface SimpleAuthRetryOptions extends AuthErrorCodesOption {
  /** Replays at most. @default 1 */
  readonly maxRetries?: number;
  /** Fixed wait before each replay. @default 0 */
  readonly delayMs?: number;
}

/**
 * Refresh and replay up to `maxRetries` times with a fixed delay. The default of `withTokenAuth`.
 * @example
 * ```ts
 * builder.withTokenAuth(manager, { authRetryStrategy: new SimpleAuthRetryStrategy({ maxRetries: 1, delayMs: 500 }) });
 * ```
 */
export class SimpleAuthRetryStrategy extends StatusAuthRetryStrategy {
  /** The wait before each replay, in milliseconds. */
  readonly delayMs: number;

  constructor(given: SimpleAuthRetryOptions = {}) {
    const exact = new.target === SimpleAuthRetryStrategy;
    const options = readOptions(given, 'SimpleAuthRetryStrategy', exact ? SIMPLE_KEYS : undefined);
    super(options.maxRetries ?? 1, options);
    this.delayMs = nonNegativeMs(options.delayMs ?? 0, 'delayMs');
    if (exact) Object.freeze(this);
  }

  /** The wait before replay number `attempt` (0 for the first), in milliseconds. */
  getDelayMs(): number {
    return this.delayMs;
  }
}

/** Options of {@link ExponentialAuthRetryStrategy}. */
export interface ExponentialAuthRetryOptions extends AuthErrorCodesOption {
  /** Replays at most. @default 2 */
  readonly maxRetries?: number;
  /** First delay. @default 500 */
  readonly baseDelayMs?: number;
  /** Largest delay. @default 5000 */
  readonly maxDelayMs?: number;
  /** Growth per replay. @default 2 */
  readonly multiplier?: number;
  /** Full jitter: a random delay in `[0, cap]`. @default true */
  readonly jitter?: boolean;
}

/**
 * Refresh and replay with exponentially growing, jittered delays.
 * @example
 * ```ts
 * new ExponentialAuthRetryStrategy({ maxRetries: 3, baseDelayMs: 500, maxDelayMs: 5000 });
 * ```
 */
export class ExponentialAuthRetryStrategy extends StatusAuthRetryStrategy {
  /** The cap of the first replay's delay, in milliseconds. */
  readonly baseDelayMs: number;
  /** The largest delay, in milliseconds. */
  readonly maxDelayMs: number;
  /** How much the cap grows per replay. */
  readonly multiplier: number;
  /** Whether delays are drawn uniformly below the cap (full jitter). */
  readonly jitter: boolean;

  constructor(given: ExponentialAuthRetryOptions = {}) {
    const exact = new.target === ExponentialAuthRetryStrategy;
    const options = readOptions(given, 'ExponentialAuthRetryStrategy', exact ? EXPONENTIAL_KEYS : undefined);
    super(options.maxRetries ?? 2, options);
    this.baseDelayMs = nonNegativeMs(options.baseDelayMs ?? 500, 'baseDelayMs');
    this.maxDelayMs = nonNegativeMs(options.maxDelayMs ?? 5000, 'maxDelayMs');
    this.multiplier = atLeastOne(options.multiplier ?? 2, 'multiplier');
    this.jitter = options.jitter ?? true;
    if (exact) Object.freeze(this);
  }

  /** The wait before replay number `attempt` (0 for the first), in milliseconds. */
  getDelayMs(attempt: number): number {
    return exponentialDelayMs(attempt, this);
  }
}

/** Options of {@link ConditionalAuthRetryStrategy}. */
export interface ConditionalAuthRetryOptions extends AuthErrorCodesOption {
  /** Replays at most. @default 1 */
  readonly maxRetries?: number;
  /** Fixed wait before each replay. @default 0 */
  readonly delayMs?: number;
  /**
   * Decides from the (fully read) response whether a refresh can help.
   * @example (response) => response.jsonOrNull<{ error?: string }>()?.error === 'token_expired'
   */
  readonly shouldRetry?: (response: HttpResponse) => boolean;
  /** Overrides `authErrorCodes`. */
  readonly isAuthError?: (response: HttpResponse) => boolean;
}

/**
 * Replays only when your predicate says a refresh can help.
 * @example
 * ```ts
 * new ConditionalAuthRetryStrategy({
 *   maxRetries: 2,
 *   shouldRetry: (response) => response.jsonOrNull<{ error?: string }>()?.error === 'token_expired',
 * });
 * ```
 */
export class ConditionalAuthRetryStrategy extends StatusAuthRetryStrategy {
  /** The wait before each replay, in milliseconds. */
  readonly delayMs: number;
  readonly #shouldRetry: ((response: HttpResponse) => boolean) | undefined;
  readonly #isAuthError: ((response: HttpResponse) => boolean) | undefined;

  constructor(given: ConditionalAuthRetryOptions = {}) {
    const exact = new.target === ConditionalAuthRetryStrategy;
    const options = readOptions(given, 'ConditionalAuthRetryStrategy', exact ? CONDITIONAL_KEYS : undefined);
    super(options.maxRetries ?? 1, options);
    this.delayMs = nonNegativeMs(options.delayMs ?? 0, 'delayMs');
    if (options.shouldRetry !== undefined && typeof options.shouldRetry !== 'function') {
      throw new TypeError('shouldRetry must be a function');
    }
    if (options.isAuthError !== undefined && typeof options.isAuthError !== 'function') {
      throw new TypeError('isAuthError must be a function');
    }
    this.#shouldRetry = options.shouldRetry;
    this.#isAuthError = options.isAuthError;
    if (exact) Object.freeze(this);
  }

  /** True when the response is an auth error (one of `authErrorCodes`, or your `isAuthError`). */
  override isAuthError(response: HttpResponse): boolean {
    return this.#isAuthError ? this.#isAuthError(response) === true : super.isAuthError(response);
  }

  /** True when the request should be replayed after this auth error (`attempt` replays so far). */
  override shouldRetry(response: HttpResponse, attempt: number): boolean {
    if (!super.shouldRetry(response, attempt)) return false;
    return this.#shouldRetry ? this.#shouldRetry(response) === true : true;
  }

  /** The wait before replay number `attempt` (0 for the first), in milliseconds. */
  getDelayMs(): number {
    return this.delayMs;
  }
}
