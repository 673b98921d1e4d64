import type { HttpResponse } from '../http/response';
import type { RequestContext } from '../middleware/context';
import type { ResponseHook } from './types';

function integer(value: string | undefined): number | undefined {
  if (value === undefined || !/^\s*\d+\s*$/.test(value)) return undefined;
  return Number(value);
}

/**
 * Reads `X-RateLimit-Remaining` and `X-RateLimit-Reset` into `context.metadata.rateLimitRemaining`
 * and `context.metadata.rateLimitReset` (numbers), where later hooks and strategies can see them.
 * @example
 * ```ts
 * builder.withResponseHook(new RateLimitResponseHook());
 * ```
 */
export class RateLimitResponseHook implements ResponseHook {
  /** Copies the `X-RateLimit-*` headers into `context.metadata.rateLimit`. */
  afterResponse(response: HttpResponse, context: RequestContext): HttpResponse {
    const remaining = integer(response.headers.get('x-ratelimit-remaining'));
    const reset = integer(response.headers.get('x-ratelimit-reset'));
    if (remaining !== undefined) context.metadata.rateLimitRemaining = remaining;
    if (reset !== undefined) context.metadata.rateLimitReset = reset;
    return response;
  }
}
