import type { HttpResponse } from '../http/response';
import type { RequestContext } from '../middleware/context';

/** What an attempt ended with: a response, or the error it failed with. */
export type RetryOutcome = HttpResponse | unknown;

/**
 * Decides whether a failed attempt is tried again, and after how long.
 *
 * @example
 * ```ts
 * const retryTwiceOn503: RetryStrategy = {
 *   maxRetries: 2,
 *   shouldRetry: (outcome, context) =>
 *     context.attempt < 2 && outcome instanceof HttpResponse && outcome.statusCode === 503,
 *   getDelayMs: () => 100,
 * };
 * ```
 */
export interface RetryStrategy {
  /** The most retries after the first attempt. */
  readonly maxRetries: number;
  /** Whether to try again; `context.attempt` is the attempt that just ended (0-based). */
  shouldRetry(outcome: RetryOutcome, context: RequestContext): boolean;
  /** How long to wait before the next attempt. */
  getDelayMs(context: RequestContext, outcome: RetryOutcome): number;
  /** Called before each attempt; throwing refuses it (a circuit breaker throws `CircuitOpenException`). */
  beforeAttempt?(context: RequestContext): void;
  /** Called once per call with its final outcome. */
  onCallComplete?(outcome: RetryOutcome, context: RequestContext): void;
}
