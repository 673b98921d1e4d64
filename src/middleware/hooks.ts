import type { ErrorHook, RequestHook, ResponseHook } from '../hooks/types';
import { HttpRequest } from '../http/request';
import { HttpResponse } from '../http/response';
import { type Handler, type Middleware, sendThrough } from './chain';
import type { RequestContext } from './context';
import type { OriginTrust } from './origin-trust';

/** A hook's answer that must be waited for (a promise, or any thenable). */
function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

/**
 * Runs request hooks before each attempt, response hooks after it and error hooks when it
 * fails, in the order they were added. A throwing hook fails the request with its own error.
 * A request a hook returns may carry credentials only if the request it was given could and its
 * origin is trusted: a hook that points a request elsewhere starts a new hop.
 * Hooks that answer synchronously (logging, correlation ids) are not awaited: an attempt costs
 * one continuation, and a hook's promise is waited for only when it returns one.
 */
export function hooksMiddleware(
  requestHooks: readonly RequestHook[],
  responseHooks: readonly ResponseHook[],
  errorHooks: readonly ErrorHook[],
  trust: OriginTrust,
): Middleware {
  /** The request a hook handed back, with this hop's credential decision. */
  const adopt = (request: HttpRequest, changed: unknown): HttpRequest => {
    if (changed === undefined || changed === request) return request;
    if (!(changed instanceof HttpRequest)) {
      throw new TypeError('A request hook must return an HttpRequest (or nothing to keep the request)');
    }
    return changed.withCredentialsAllowed(
      request.credentialsAllowed &&
        (changed.target.origin === request.target.origin || trust.isTrusted(changed.target.origin)),
    );
  };

  const before = (
    from: number,
    request: HttpRequest,
    context: RequestContext,
    next: Handler,
  ): Promise<HttpResponse> => {
    for (let i = from; i < requestHooks.length; i++) {
      const changed = requestHooks[i]!.beforeRequest(request, context);
      if (isThenable(changed)) {
        const given = request;
        return Promise.resolve(changed).then((value) => before(i + 1, adopt(given, value), context, next));
      }
      request = adopt(request, changed);
    }
    return sendThrough(next, request, context).then(
      (response) => after(0, response, context),
      (error: unknown) => failed(error, context),
    );
  };

  const after = (
    from: number,
    response: HttpResponse,
    context: RequestContext,
  ): HttpResponse | Promise<HttpResponse> => {
    for (let i = from; i < responseHooks.length; i++) {
      const changed = responseHooks[i]!.afterResponse(response, context);
      if (isThenable(changed)) {
        const given = response;
        return Promise.resolve(changed).then((value) => after(i + 1, adoptResponse(given, value), context));
      }
      response = adoptResponse(response, changed);
    }
    return response;
  };

  const failed = async (error: unknown, context: RequestContext): Promise<never> => {
    for (const hook of errorHooks) await hook.onError(error, context);
    throw error;
  };

  return (request, context, next) => {
    try {
      return before(0, request, context, next);
    } catch (error) {
      return Promise.reject(error);
    }
  };
}

/** The response a hook handed back (nothing keeps the one it was given). */
function adoptResponse(response: HttpResponse, changed: unknown): HttpResponse {
  if (changed === undefined) return response;
  if (!(changed instanceof HttpResponse)) {
    throw new TypeError('A response hook must return an HttpResponse (or nothing to keep the response)');
  }
  return changed;
}
