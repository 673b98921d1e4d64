import type { AuthHook } from '../auth/auth-hook';
import type { HttpRequest } from '../http/request';
import type { HttpResponse } from '../http/response';
import { channels, publish } from '../observability/events';
import type { Middleware } from './chain';
import { CredentialWait } from './credential-wait';
import { sleep } from './sleep';

/**
 * Adds the hook's credentials. When they must be waited for (a token being fetched), the wait
 * counts against the attempt's budget (`wait`, or a new one): credentials at hand cost nothing.
 */
function authorize(
  hook: AuthHook,
  request: HttpRequest,
  defaultTimeoutMs: number,
  wait?: CredentialWait,
): HttpRequest | Promise<HttpRequest> {
  const applied = hook.apply(request);
  if (!(applied instanceof Promise)) return applied;
  const budget = wait ?? new CredentialWait(request, defaultTimeoutMs);
  return budget.within(applied, request).then((sent) => budget.remainder(sent));
}

/** Whether the replay carries other credentials than the rejected send (compared, never published). */
function credentialsChanged(hook: AuthHook, rejected: HttpRequest, replay: HttpRequest): boolean {
  return (hook.headerNames ?? []).some((name) => rejected.headers[name] !== replay.headers[name]);
}

/** `requestforge:auth:replay`, built only when someone listens; no credential, only whether it changed. */
function publishReplay(
  hook: AuthHook,
  sent: HttpRequest,
  rejected: HttpResponse,
  replay: HttpRequest,
  number: number,
  delayMs: number,
): void {
  publish(channels.authReplay, () => {
    const challenge = rejected.challenges()[0];
    return {
      method: replay.method,
      url: replay.redactor.url(replay.url),
      replay: number,
      statusCode: rejected.statusCode,
      delayMs,
      credentialsChanged: credentialsChanged(hook, sent, replay),
      challenge: challenge ? { scheme: challenge.scheme, error: challenge.params.error } : undefined,
    };
  });
}

/**
 * Adds credentials to requests that may carry them and, after an auth error, replays within the
 * hook's retry strategy: for replay n (1…maxRetries) it asks the hook to refresh (which may
 * renew the token or, when renewals are refused, keep it), waits `getDelayMs(n − 1)`, and sends
 * again with whatever credentials the hook then gives. Waiting for credentials counts against
 * the request's timeout (`defaultTimeoutMs` unless the request has its own). A replay does not
 * spend a request-retry attempt. An excluded path (or an untrusted origin, decided once per hop)
 * is sent as is, and its 401 comes back untouched.
 */
export function authMiddleware(hook: AuthHook, defaultTimeoutMs: number): Middleware {
  const skips = (request: HttpRequest) => !request.credentialsAllowed || !hook.shouldAuthenticate(request);
  if (hook.retryStrategy.maxRetries === 0) {
    // Nothing to replay: hand the response straight through, without awaiting it here.
    return (request, context, next) => {
      if (skips(request)) return next(request, context);
      const applied = authorize(hook, request, defaultTimeoutMs);
      return applied instanceof Promise
        ? applied.then((sent) => next(sent, context))
        : next(applied, context);
    };
  }
  return async (request, context, next) => {
    if (skips(request)) return next(request, context);
    const strategy = hook.retryStrategy;
    let rejected: { readonly sent: HttpRequest; readonly response: HttpResponse } | undefined;
    let delayMs = 0;
    for (let attempt = 0; ; attempt++) {
      let wait: CredentialWait | undefined;
      if (rejected !== undefined) {
        wait = new CredentialWait(request, defaultTimeoutMs);
        let replay: boolean;
        try {
          // May wait for a renewal; a refused renewal keeps the token, and the replay still happens.
          replay = await wait.within(hook.refresh(rejected.sent), request);
        } catch (error) {
          rejected.response.discard();
          throw error;
        }
        if (!replay) return rejected.response;
        rejected.response.discard();
        if (delayMs > 0) await sleep(delayMs, request.signal);
      }
      const applied = authorize(hook, request, defaultTimeoutMs, wait);
      const sent = applied instanceof Promise ? await applied : applied;
      if (rejected !== undefined)
        publishReplay(hook, rejected.sent, rejected.response, sent, attempt, delayMs);
      const response = await next(sent, context);
      if (!hook.isAuthError(response)) {
        hook.onAccepted?.(sent);
        return response;
      }
      if (!request.isReplayable || !strategy.shouldRetry(response, attempt)) return response;
      rejected = { sent, response };
      delayMs = strategy.getDelayMs(attempt);
    }
  };
}
