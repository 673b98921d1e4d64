import type { ErrorHook, RequestHook, ResponseHook } from '../hooks/types';
import { HttpRequest } from '../http/request';
import { HttpResponse } from '../http/response';
import type { Middleware } from './chain';
import type { OriginTrust } from './origin-trust';

/**
 * Runs request hooks before each attempt, response hooks after it and error hooks when it
 * fails, in the order they were added. A throwing hook fails the request with its own error.
 * A request a hook returns may carry credentials only if the request it was given could and its
 * origin is trusted: a hook that points a request elsewhere starts a new hop.
 */
export function hooksMiddleware(
  requestHooks: readonly RequestHook[],
  responseHooks: readonly ResponseHook[],
  errorHooks: readonly ErrorHook[],
  trust: OriginTrust,
): Middleware {
  return async (request, context, next) => {
    for (const hook of requestHooks) {
      const changed = await hook.beforeRequest(request, context);
      if (changed === undefined || changed === request) continue;
      if (!(changed instanceof HttpRequest)) {
        throw new TypeError('A request hook must return an HttpRequest (or nothing to keep the request)');
      }
      request = changed.withCredentialsAllowed(
        request.credentialsAllowed &&
          (changed.target.origin === request.target.origin || trust.isTrusted(changed.target.origin)),
      );
    }
    let response: HttpResponse;
    try {
      response = await next(request, context);
    } catch (error) {
      for (const hook of errorHooks) await hook.onError(error, context);
      throw error;
    }
    for (const hook of responseHooks) {
      const changed = await hook.afterResponse(response, context);
      if (changed === undefined) continue;
      if (!(changed instanceof HttpResponse)) {
        throw new TypeError('A response hook must return an HttpResponse (or nothing to keep the response)');
      }
      response = changed;
    }
    return response;
  };
}
