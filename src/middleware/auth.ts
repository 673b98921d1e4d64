import type { AuthHook } from '../auth/auth-hook';
import type { HttpRequest } from '../http/request';
import type { HttpResponse } from '../http/response';
import { channels, publish } from '../observability/events';
import type { Handler, Middleware } from './chain';
import type { RequestContext } from './context';
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

/** A send with credentials and what came back: where the replays start. */
interface Rejected {
  readonly sent: HttpRequest;
  readonly response: HttpResponse;
}

/**
 * The auth layer in parts, so the client's success path can run it without an async layer of
 * its own: `applies` and `authorize` before the send (credentials at hand come back at once),
 * `screen` on the response (one status check; the replay loop only after an auth error).
 */
export class AuthLayer {
  readonly #hook: AuthHook;
  readonly #defaultTimeoutMs: number;

  constructor(hook: AuthHook, defaultTimeoutMs: number) {
    this.#hook = hook;
    this.#defaultTimeoutMs = defaultTimeoutMs;
  }

  /** Whether this request gets credentials: a trusted origin (decided per hop) and a path not excluded. */
  applies(request: HttpRequest): boolean {
    return request.credentialsAllowed && this.#hook.shouldAuthenticate(request);
  }

  /** The request with credentials: at once when they are at hand, else when the (bounded) wait ends. */
  authorize(request: HttpRequest): HttpRequest | Promise<HttpRequest> {
    return authorize(this.#hook, request, this.#defaultTimeoutMs);
  }

  /**
   * The response to a send with credentials: `undefined` when it is final here (the hook is told
   * the credentials were accepted), else the promise of the replays. Without replays in the
   * strategy the response is always final, as received.
   */
  screen(
    request: HttpRequest,
    context: RequestContext,
    sent: HttpRequest,
    response: HttpResponse,
    next: Handler,
  ): Promise<HttpResponse> | undefined {
    const hook = this.#hook;
    if (hook.retryStrategy.maxRetries === 0) return undefined;
    if (!hook.isAuthError(response)) {
      hook.onAccepted?.(sent);
      return undefined;
    }
    if (!request.isReplayable || !hook.retryStrategy.shouldRetry(response, 0)) return undefined;
    return this.#replay(request, context, next, { sent, response }, hook.retryStrategy.getDelayMs(0));
  }

  /**
   * The whole layer for one send: `request` as is when it gets no credentials, else with them
   * (waiting if need be), its answer screened for replays. May throw synchronously.
   */
  run(request: HttpRequest, context: RequestContext, next: Handler): Promise<HttpResponse> {
    if (!this.applies(request)) return next(request, context);
    const applied = this.authorize(request);
    return applied instanceof Promise
      ? applied.then((sent) => this.send(request, context, sent, next))
      : this.send(request, context, applied, next);
  }

  /** Sends `sent` (the request with credentials) and screens the answer. */
  send(
    request: HttpRequest,
    context: RequestContext,
    sent: HttpRequest,
    next: Handler,
  ): Promise<HttpResponse> {
    return next(sent, context).then(
      (response) => this.screen(request, context, sent, response, next) ?? response,
    );
  }

  /**
   * Replays within the hook's retry strategy: for replay n (1…maxRetries) it asks the hook to
   * refresh (which may renew the token or, when renewals are refused, keep it), waits
   * `getDelayMs(n − 1)`, and sends again with whatever credentials the hook then gives.
   */
  async #replay(
    request: HttpRequest,
    context: RequestContext,
    next: Handler,
    first: Rejected,
    firstDelayMs: number,
  ): Promise<HttpResponse> {
    const hook = this.#hook;
    const strategy = hook.retryStrategy;
    let rejected = first;
    let delayMs = firstDelayMs;
    for (let attempt = 1; ; attempt++) {
      const wait = new CredentialWait(request, this.#defaultTimeoutMs);
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
      const applied = authorize(hook, request, this.#defaultTimeoutMs, wait);
      const sent = applied instanceof Promise ? await applied : applied;
      publishReplay(hook, rejected.sent, rejected.response, sent, attempt, delayMs);
      const response = await next(sent, context);
      if (!hook.isAuthError(response)) {
        hook.onAccepted?.(sent);
        return response;
      }
      if (!strategy.shouldRetry(response, attempt)) return response;
      rejected = { sent, response };
      delayMs = strategy.getDelayMs(attempt);
    }
  }
}

/**
 * Adds credentials to requests that may carry them and, after an auth error, replays within the
 * hook's retry strategy (`AuthLayer`). Waiting for credentials counts against the
 * request's timeout (`defaultTimeoutMs` unless the request has its own). A replay does not
 * spend a request-retry attempt. An excluded path (or an untrusted origin, decided once per hop)
 * is sent as is, and its 401 comes back untouched.
 */
export function authMiddleware(hook: AuthHook, defaultTimeoutMs: number): Middleware {
  const layer = new AuthLayer(hook, defaultTimeoutMs);
  return (request, context, next) => {
    try {
      return layer.run(request, context, next);
    } catch (error) {
      return Promise.reject(error);
    }
  };
}
