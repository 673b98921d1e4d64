import { nonNegativeMs, positiveInteger } from '../checks/numbers';
import { optionKeys, readOptions } from '../checks/options';
import { CircuitOpenException, RequestAbortedException } from '../errors/transport-errors';
import { HttpResponse } from '../http/response';
import type { RequestContext } from '../middleware/context';
import { channels, publish } from '../observability/events';
import { exponentialDelayMs } from './backoff';
import { ClassifyingRetryStrategy, type RetryClassificationOptions } from './request-retry-strategies';
import type { RetryOutcome } from './retry-strategy';

/** A circuit breaker's state: `closed` (calls go through), `open` (calls fail fast), `half_open` (probes go through). */
export type CircuitState = 'closed' | 'open' | 'half_open';

export interface CircuitBreakerOptions extends RetryClassificationOptions {
  /** Retries within one call while the circuit is closed. @default 3 */
  readonly maxRetries?: number;
  /** The first backoff delay's cap (exponential, full jitter). @default 1000 */
  readonly baseDelayMs?: number;
  /** The largest backoff delay. @default 60000 */
  readonly maxDelayMs?: number;
  /** Failed calls in a row that open the circuit. @default 5 */
  readonly failureThreshold?: number;
  /** How long the circuit stays open before probes are let through. @default 30000 */
  readonly recoveryTimeoutMs?: number;
  /** Concurrent probes while half-open, and the successes that close the circuit. @default 3 */
  readonly halfOpenMaxCalls?: number;
  /** The clock, for tests. @default Date.now */
  readonly now?: () => number;
}

const KEYS = optionKeys<CircuitBreakerOptions>()({
  retryableStatusCodes: true,
  retryMethods: true,
  retryOnErrors: true,
  maxRetries: true,
  baseDelayMs: true,
  maxDelayMs: true,
  failureThreshold: true,
  recoveryTimeoutMs: true,
  halfOpenMaxCalls: true,
  now: true,
});

/**
 * Retries like `ExponentialBackoffRetryStrategy`, and stops calling a failing service: a call
 * that still fails after its retries (a retryable status, an error in `retryOnErrors`) counts as
 * one failure; at `failureThreshold` failures in a row the circuit opens and calls fail fast with
 * `CircuitOpenException` without being sent. After
 * `recoveryTimeoutMs` up to `halfOpenMaxCalls` probes go through; that many successes close it,
 * one failure opens it again. Share one instance between the clients of one downstream service.
 *
 * @example
 * ```ts
 * builder.withRetryStrategy(new CircuitBreakerRetryStrategy({ failureThreshold: 5, recoveryTimeoutMs: 30_000 }));
 * ```
 */
export class CircuitBreakerRetryStrategy extends ClassifyingRetryStrategy {
  /** The cap of the first retry's delay, in milliseconds. */
  readonly baseDelayMs: number;
  /** The largest retry delay, in milliseconds. */
  readonly maxDelayMs: number;
  /** Failed calls in a row that open the circuit. */
  readonly failureThreshold: number;
  /** How long the circuit stays open before probes are let through, in milliseconds. */
  readonly recoveryTimeoutMs: number;
  /** Concurrent probes while half-open, and the successes that close the circuit. */
  readonly halfOpenMaxCalls: number;
  /** How much the delay cap grows per retry. */
  readonly multiplier = 2;
  /** Delays are drawn uniformly below the cap (full jitter). */
  readonly jitter = true;
  readonly #now: () => number;
  #state: CircuitState = 'closed';
  #failures = 0;
  #openedAt = 0;
  #probes = 0;
  #probeSuccesses = 0;
  /** Calls let through as probes while half-open. */
  readonly #probeCalls = new WeakSet<RequestContext>();

  constructor(given: CircuitBreakerOptions = {}) {
    const exact = new.target === CircuitBreakerRetryStrategy;
    const options = readOptions(given, 'CircuitBreakerRetryStrategy', exact ? KEYS : undefined);
    super(options.maxRetries ?? 3, options);
    this.baseDelayMs = nonNegativeMs(options.baseDelayMs ?? 1000, 'baseDelayMs');
    this.maxDelayMs = nonNegativeMs(options.maxDelayMs ?? 60_000, 'maxDelayMs');
    this.failureThreshold = positiveInteger(options.failureThreshold ?? 5, 'failureThreshold');
    this.recoveryTimeoutMs = nonNegativeMs(options.recoveryTimeoutMs ?? 30_000, 'recoveryTimeoutMs');
    this.halfOpenMaxCalls = positiveInteger(options.halfOpenMaxCalls ?? 3, 'halfOpenMaxCalls');
    this.#now = options.now ?? Date.now;
    if (exact) Object.freeze(this);
  }

  /** The circuit's state now (an open circuit past its recovery time reads as half-open). */
  get state(): CircuitState {
    if (this.#state === 'open' && this.#now() - this.#openedAt >= this.recoveryTimeoutMs) return 'half_open';
    return this.#state;
  }

  /** Closes the circuit and forgets all failures. */
  reset(): void {
    this.#announce('closed');
    this.#state = 'closed';
    this.#failures = 0;
    this.#probes = 0;
    this.#probeSuccesses = 0;
  }

  /** Lets an attempt through, or throws `CircuitOpenException` while the circuit is open (moving to half-open after `recoveryTimeoutMs`). */
  beforeAttempt(context: RequestContext): void {
    if (this.#state === 'open' && this.#now() - this.#openedAt >= this.recoveryTimeoutMs) {
      this.#announce('half_open');
      this.#state = 'half_open';
      this.#probes = 0;
      this.#probeSuccesses = 0;
    }
    if (this.#state === 'closed') return;
    if (this.#state === 'half_open') {
      if (this.#probeCalls.has(context)) return;
      if (this.#probes < this.halfOpenMaxCalls) {
        this.#probes++;
        this.#probeCalls.add(context);
        return;
      }
    }
    const retryInMs = Math.max(0, this.recoveryTimeoutMs - (this.#now() - this.#openedAt));
    throw new CircuitOpenException(
      `Circuit open: ${context.request.method} ${context.request.redactor.url(context.request.url)} was not sent`,
      {
        context: {
          method: context.request.method,
          url: context.request.redactor.url(context.request.url),
          state: this.#state,
          retryInMs,
        },
      },
    );
  }

  /** Retries only while the circuit is closed, for the outcomes the classification calls transient. */
  override shouldRetry(outcome: RetryOutcome, context: RequestContext): boolean {
    return this.#state === 'closed' && super.shouldRetry(outcome, context);
  }

  /** Exponential backoff with full jitter, in milliseconds. */
  getDelayMs(context: RequestContext): number {
    return exponentialDelayMs(context.attempt, this);
  }

  /**
   * Counts the call's final outcome: failures open the circuit, probe successes close it. A
   * failure is what this strategy retries (a retryable status, an error in `retryOnErrors`); an
   * error that says nothing of the service (an abort, a token endpoint down, a response over
   * `maxResponseBytes`, a throwing hook) counts neither way, but frees its probe slot.
   */
  onCallComplete(outcome: RetryOutcome, context: RequestContext): void {
    if (outcome instanceof CircuitOpenException) return;
    const wasProbe = this.#probeCalls.has(context);
    if (wasProbe) this.#probes = Math.max(0, this.#probes - 1);
    let failed = true;
    if (outcome instanceof HttpResponse) failed = this.isRetryableStatus(outcome.statusCode);
    else if (outcome instanceof RequestAbortedException || !this.isRetryableError(outcome)) return;
    if (this.#state === 'half_open') {
      if (failed) {
        this.#open();
      } else if (wasProbe && ++this.#probeSuccesses >= this.halfOpenMaxCalls) {
        this.reset();
      }
      return;
    }
    if (this.#state === 'open') return;
    if (!failed) {
      this.#failures = 0;
    } else if (++this.#failures >= this.failureThreshold) {
      this.#open();
    }
  }

  #open(): void {
    this.#announce('open');
    this.#state = 'open';
    this.#openedAt = this.#now();
    this.#probes = 0;
    this.#probeSuccesses = 0;
  }

  /** Publishes `requestforge:circuit:state` for a change (only when someone listens). */
  #announce(state: CircuitState): void {
    const previous = this.#state;
    if (previous !== state) publish(channels.circuitState, () => ({ previous, state }));
  }
}
