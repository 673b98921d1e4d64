import { describeError } from '../checks/describe-error';
import { RequestAbortedException } from '../errors/transport-errors';
import { HttpResponse } from '../http/response';
import { channels, publish } from '../observability/events';
import type { RetryStrategy } from '../retry/retry-strategy';
import type { Middleware } from './chain';
import { sleep } from './sleep';

function describeOutcome(outcome: unknown): string | number {
  return outcome instanceof HttpResponse ? outcome.statusCode : describeError(outcome);
}

/**
 * Retries attempts the strategy calls transient. Bounded whatever the strategy answers:
 * never more than `maxRetries` retries, never a one-shot body twice, never after an abort.
 * Exhausted status retries return the last response; exhausted error retries throw the last error.
 */
export function retryMiddleware(strategy: RetryStrategy): Middleware {
  const maxRetries = strategy.maxRetries;
  return async (request, context, next) => {
    for (;;) {
      strategy.beforeAttempt?.(context);
      let outcome: HttpResponse | unknown;
      let failed = false;
      try {
        outcome = await next(request, context);
      } catch (error) {
        outcome = error;
        failed = true;
      }
      const retry =
        context.attempt < maxRetries &&
        request.isReplayable &&
        !(outcome instanceof RequestAbortedException) &&
        strategy.shouldRetry(outcome, context);
      if (!retry) {
        strategy.onCallComplete?.(outcome, context);
        if (failed) throw outcome;
        return outcome as HttpResponse;
      }
      const proposed = strategy.getDelayMs(context, outcome);
      const delayMs = Number.isFinite(proposed) && proposed > 0 ? proposed : 0;
      publish(channels.requestRetry, () => ({
        method: request.method,
        url: request.redactor.url(request.url),
        attempt: context.attempt,
        delayMs,
        reason: describeOutcome(outcome),
      }));
      if (!failed) (outcome as HttpResponse).discard();
      await sleep(delayMs, request.signal);
      context.attempt++;
    }
  };
}
