import type { AuthHook } from '../auth/auth-hook';
import type { HttpRequest } from '../http/request';
import { channels, publish } from '../observability/events';
import type { Middleware } from './chain';
import { sleep } from './sleep';

/**
 * Adds credentials to requests that may carry them and, after an auth error, refreshes and
 * replays within the hook's retry strategy. A replay does not spend a request-retry attempt.
 * An excluded path (or an untrusted origin, decided once per hop) is sent as is, and its 401
 * comes back untouched.
 */
export function authMiddleware(hook: AuthHook): Middleware {
  const skips = (request: HttpRequest) => !request.credentialsAllowed || !hook.shouldAuthenticate(request);
  if (hook.retryStrategy.maxRetries === 0) {
    // Nothing to replay: hand the response straight through, without awaiting it here.
    return (request, context, next) => {
      if (skips(request)) return next(request, context);
      const applied = hook.apply(request);
      return applied instanceof Promise
        ? applied.then((sent) => next(sent, context))
        : next(applied, context);
    };
  }
  return async (request, context, next) => {
    if (skips(request)) return next(request, context);
    const strategy = hook.retryStrategy;
    for (let attempt = 0; ; attempt++) {
      const applied = hook.apply(request);
      const sent = applied instanceof Promise ? await applied : applied;
      const response = await next(sent, context);
      if (!hook.isAuthError(response)) {
        hook.onAccepted?.(sent);
        return response;
      }
      if (!request.isReplayable || !strategy.shouldRetry(response, attempt)) return response;
      const delayMs = strategy.getDelayMs(attempt);
      if (delayMs > 0) await sleep(delayMs, request.signal);
      if (!(await hook.refresh(sent))) return response;
      response.discard();
      publish(channels.authReplay, () => ({
        method: request.method,
        url: request.redactor.url(request.url),
        replay: attempt + 1,
        statusCode: response.statusCode,
      }));
    }
  };
}
