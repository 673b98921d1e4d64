import type { ErrorHook, RequestHook, ResponseHook } from '../hooks/types';
import { HttpRequest } from '../http/request';
import { HttpResponse } from '../http/response';
import type { Middleware } from './chain';

/**
 * Runs request hooks before each attempt, response hooks after it and error hooks when it
 * fails, in the order they were added. A throwing hook fails the request with its own error.
 */
export function hooksMiddleware(
  requestHooks: readonly RequestHook[],
  responseHooks: readonly ResponseHook[],
  errorHooks: readonly ErrorHook[],
): Middleware {
  return async (request, context, next) => {
    for (const hook of requestHooks) {
      const changed = await hook.beforeRequest(request, context);
      if (changed === undefined) continue;
      if (!(changed instanceof HttpRequest)) {
        throw new TypeError('A request hook must return an HttpRequest (or nothing to keep the request)');
      }
      request = changed;
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
