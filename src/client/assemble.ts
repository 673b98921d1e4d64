import type { HttpClientConfig } from '../config/http-client-config';
import type { HttpRequest } from '../http/request';
import type { HttpResponse } from '../http/response';
import { AuthLayer, authMiddleware } from '../middleware/auth';
import { compose, type Handler, type Middleware, sendThrough } from '../middleware/chain';
import type { RequestContext } from '../middleware/context';
import { dpopMiddleware } from '../middleware/dpop';
import { hooksMiddleware } from '../middleware/hooks';
import type { OriginTrust } from '../middleware/origin-trust';
import { RedirectLayer, redirectMiddleware } from '../middleware/redirect';
import { retryMiddleware } from '../middleware/retry';

/** What the client does with a call's outcome once every layer is done with it. */
export interface CallEnd {
  /** The final response (may throw its status exception: `withRaiseForStatus`). */
  ok(response: HttpResponse, context: RequestContext): HttpResponse;
  /** The call failed: completes the error (how many sends it took) and throws it. */
  failed(error: unknown, context: RequestContext): never;
}

/** The layers outside redirect and auth: retry, then hooks, each only when configured. */
function outerLayers(config: HttpClientConfig, trust: OriginTrust): Middleware[] {
  const chain: Middleware[] = [];
  const retry = config.retryStrategy;
  if (retry && (retry.maxRetries > 0 || retry.beforeAttempt || retry.onCallComplete))
    chain.push(retryMiddleware(retry));
  if (config.requestHooks.length + config.responseHooks.length + config.errorHooks.length > 0) {
    chain.push(hooksMiddleware(config.requestHooks, config.responseHooks, config.errorHooks, trust));
  }
  return chain;
}

/**
 * The one place that fixes the order of the chain, outermost first:
 * retry → hooks → redirect → auth → transport (the terminal link).
 * Retry wraps hooks, so hooks run per attempt and share the call's context; retry wraps auth,
 * so a 401 replay does not spend a retry and a 5xx retry re-applies fresh credentials; redirect
 * wraps auth, so each hop is authorised for its own origin.
 * Layers that are not configured are left out, so an unused feature costs nothing.
 */
export function assembleChain(config: HttpClientConfig, trust: OriginTrust, terminal: Handler): Handler {
  const chain = outerLayers(config, trust);
  if (config.followRedirects)
    chain.push(redirectMiddleware({ follow: true, maxRedirects: config.maxRedirects }, trust));
  if (config.authHook) chain.push(authMiddleware(config.authHook, config.timeoutMs));
  return compose(chain, withDpop(config, terminal));
}

/**
 * The send, with a DPoP proof per send when the auth hook has DPoP-bound tokens: inside auth
 * (each replay, retry and redirect hop is a send of its own), and only then in the chain.
 */
function withDpop(config: HttpClientConfig, terminal: Handler): Handler {
  const signer = config.authHook?.dpop;
  if (signer === undefined) return terminal;
  const layer = dpopMiddleware(signer);
  return (request, context) => layer(request, context, terminal);
}

/**
 * The same chain as {@link assembleChain}, ended by `end`, with the fewest continuations: the
 * redirect and auth layers run as one step around the send (see `InnerLayers`), and without
 * outer layers `end` runs in that step too, so a plain call costs the send's promise and one
 * continuation.
 */
export function assembleCall(
  config: HttpClientConfig,
  trust: OriginTrust,
  terminal: Handler,
  end: CallEnd,
): Handler {
  terminal = withDpop(config, terminal);
  const outer = outerLayers(config, trust);
  const auth = config.authHook ? new AuthLayer(config.authHook, config.timeoutMs) : undefined;
  const redirect = config.followRedirects
    ? new RedirectLayer({ follow: true, maxRedirects: config.maxRedirects }, trust)
    : undefined;
  if (outer.length === 0) return new InnerLayers(auth, redirect, terminal, end).call;
  const chain = compose(outer, new InnerLayers(auth, redirect, terminal, undefined).call);
  return (request, context) =>
    sendThrough(chain, request, context).then(
      (response) => end.ok(response, context),
      (error: unknown) => end.failed(error, context),
    );
}

/**
 * Redirect → auth → send as one step. Credentials at hand are added synchronously; the answer
 * is looked at once, in one continuation, for an auth error (replays) and a 3xx to follow, and
 * only those enter the layers' async slow paths. A token being fetched (a wait) takes the slow
 * path from the start. `end`, when given, runs in the same continuation.
 */
class InnerLayers {
  readonly #auth: AuthLayer | undefined;
  readonly #redirect: RedirectLayer | undefined;
  readonly #link: Handler;
  readonly #end: CallEnd | undefined;
  /** One hop of a redirect chain: auth and the send, without `end`. */
  readonly #hop: Handler;

  constructor(
    auth: AuthLayer | undefined,
    redirect: RedirectLayer | undefined,
    link: Handler,
    end: CallEnd | undefined,
  ) {
    this.#auth = auth;
    this.#redirect = redirect;
    this.#link = link;
    this.#end = end;
    this.#hop = auth === undefined ? link : (request, context) => auth.run(request, context, link);
  }

  readonly call: Handler = (request, context) => {
    const auth = this.#auth;
    try {
      if (auth === undefined || !auth.applies(request)) {
        return this.#link(request, context).then(
          (response) => this.#outer(request, context, response),
          (error: unknown) => this.#failed(error, context),
        );
      }
      const applied = auth.authorize(request);
      if (applied instanceof Promise) {
        // Waiting for a token: the slow path from the start.
        return this.#slow(
          applied.then((sent) => auth.send(request, context, sent, this.#link)),
          request,
          context,
        );
      }
      return this.#link(applied, context).then(
        (response) => {
          let replays: Promise<HttpResponse> | undefined;
          try {
            replays = auth.screen(request, context, applied, response, this.#link);
          } catch (error) {
            return this.#failed(error, context);
          }
          return replays === undefined
            ? this.#outer(request, context, response)
            : this.#slow(replays, request, context);
        },
        (error: unknown) => this.#failed(error, context),
      );
    } catch (error) {
      return Promise.reject(error);
    }
  };

  /** The response as the auth layer hands it out: a 3xx to follow, else the end. */
  #outer(
    request: HttpRequest,
    context: RequestContext,
    response: HttpResponse,
  ): HttpResponse | Promise<HttpResponse> {
    const end = this.#end;
    try {
      const follows = this.#redirect?.screen(request, context, response, this.#hop);
      if (follows !== undefined) return this.#ended(follows, context);
      return end === undefined ? response : end.ok(response, context);
    } catch (error) {
      return this.#failed(error, context);
    }
  }

  /** An auth response still to come (a wait, replays), then the redirect check and the end. */
  #slow(
    pending: Promise<HttpResponse>,
    request: HttpRequest,
    context: RequestContext,
  ): Promise<HttpResponse> {
    return pending.then(
      (response) => this.#outer(request, context, response),
      (error: unknown) => this.#failed(error, context),
    );
  }

  /** A final response still to come (a redirect chain), then the end. */
  #ended(pending: Promise<HttpResponse>, context: RequestContext): Promise<HttpResponse> {
    const end = this.#end;
    if (end === undefined) return pending;
    return pending.then(
      (response) => end.ok(response, context),
      (error: unknown) => end.failed(error, context),
    );
  }

  #failed(error: unknown, context: RequestContext): never {
    if (this.#end !== undefined) this.#end.failed(error, context);
    throw error;
  }
}
