import { describeError } from '../checks/describe-error';
import { RequestAbortedException } from '../errors/transport-errors';
import type { HttpRequest } from '../http/request';
import { HttpResponse } from '../http/response';
import { channels, publish } from '../observability/events';
import type { RetryStrategy } from '../retry/retry-strategy';
import { type Handler, type Middleware, sendThrough } from './chain';
import type { RequestContext } from './context';
import { sleep } from './sleep';

function describeOutcome(outcome: unknown): string | number {
  return outcome instanceof HttpResponse ? outcome.statusCode : describeError(outcome);
}

/**
 * Retries attempts the strategy calls transient. Bounded whatever the strategy answers:
 * never more than `maxRetries` retries, never a one-shot body twice, never after an abort.
 * Exhausted status retries return the last response; exhausted error retries throw the last error.
 * An attempt that needs no retry costs one continuation; only a retry enters the async path.
 */
export function retryMiddleware(strategy: RetryStrategy): Middleware {
  const maxRetries = strategy.maxRetries;

  const attempt = (request: HttpRequest, context: RequestContext, next: Handler): Promise<HttpResponse> => {
    // Throwing refuses the attempt (an open circuit): the call fails with that error, as is.
    strategy.beforeAttempt?.(context);
    return sendThrough(next, request, context).then(
      (response) => settle(request, context, next, response, false),
      (error: unknown) => settle(request, context, next, error, true),
    );
  };

  /** The attempt's outcome: the call's (a response or a thrown error), or the promise of a retry. */
  const settle = (
    request: HttpRequest,
    context: RequestContext,
    next: Handler,
    outcome: unknown,
    failed: boolean,
  ): Promise<HttpResponse> | HttpResponse | never => {
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
    return retryAfterDelay(request, context, next, outcome, failed);
  };

  const retryAfterDelay = async (
    request: HttpRequest,
    context: RequestContext,
    next: Handler,
    outcome: unknown,
    failed: boolean,
  ): Promise<HttpResponse> => {
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
    return attempt(request, context, next);
  };

  return (request, context, next) => {
    try {
      return attempt(request, context, next);
    } catch (error) {
      return Promise.reject(error);
    }
  };
}
