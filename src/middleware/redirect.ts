import { ownRecord } from '../checks/options';
import { TooManyRedirectsException } from '../errors/transport-errors';
import { HttpRequest } from '../http/request';
import type { HttpResponse } from '../http/response';
import { channels, publish } from '../observability/events';
import { type Handler, type Middleware, sendThrough } from './chain';
import type { RequestContext } from './context';
import type { OriginTrust } from './origin-trust';

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const BODY_HEADERS = ['content-type', 'content-length', 'content-encoding', 'transfer-encoding'];
/**
 * Headers bound to the origin they were set for, besides the credential headers the redactor
 * knows (`authorization`, `cookie`, `proxy-authorization`, API keys, hook headers): a caller's
 * `Host` names the old origin (undici's own redirect handler drops it too).
 */
const ORIGIN_BOUND = new Set(['host', 'cookie', 'cookie2', 'proxy-authorization', 'authorization']);

export interface RedirectPolicy {
  /** Follow 301/302/303/307/308. */
  readonly follow: boolean;
  /** Longest chain followed; one more is a `TooManyRedirectsException`. */
  readonly maxRedirects: number;
}

function nextHop(
  request: HttpRequest,
  response: HttpResponse,
  location: string,
  trust: OriginTrust,
): HttpRequest | undefined {
  let url: URL;
  try {
    // Resolving Location against the current URL is what RFC 9110 §10.2.2 asks for.
    url = new URL(location, request.url);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  if (url.username || url.password) return undefined;
  url.hash = '';

  const status = response.statusCode;
  const switchToGet =
    status === 303
      ? request.method !== 'HEAD'
      : (status === 301 || status === 302) && request.method === 'POST';
  if (!switchToGet && !request.isReplayable) return undefined;

  const crossOrigin = url.origin !== request.target.origin;
  const downgrade = request.target.origin.startsWith('https:') && url.protocol === 'http:';
  const headers = ownRecord<string>();
  for (const name of Object.keys(request.headers)) {
    if ((crossOrigin || downgrade) && (ORIGIN_BOUND.has(name) || request.redactor.isSensitive(name)))
      continue;
    if (switchToGet && BODY_HEADERS.includes(name)) continue;
    headers[name] = request.headers[name]!;
  }
  const fields = request.fields();
  return HttpRequest.trusted({
    ...fields,
    method: switchToGet ? 'GET' : request.method,
    url: {
      href: url.href,
      origin: url.origin,
      path: url.href.slice(url.origin.length),
      pathname: url.pathname,
    },
    headers: Object.freeze(headers),
    body: switchToGet ? undefined : request.body,
    json: switchToGet ? undefined : request.json,
    data: switchToGet ? undefined : request.data,
    // Once the chain leaves the trusted origins (or drops to http), credentials stay off for good.
    credentialsAllowed: fields.credentialsAllowed && !downgrade && trust.isTrusted(url.origin),
  });
}

/**
 * Follows redirects hop by hop, in parts (like the auth layer's): `screen` looks at a response's
 * status, and only a 3xx to follow enters the hop loop.
 */
export class RedirectLayer {
  readonly #policy: RedirectPolicy;
  readonly #trust: OriginTrust;

  constructor(policy: RedirectPolicy, trust: OriginTrust) {
    this.#policy = policy;
    this.#trust = trust;
  }

  /** `undefined` when `response` is final, else the promise of following it (each hop through `next`). */
  screen(
    request: HttpRequest,
    context: RequestContext,
    response: HttpResponse,
    next: Handler,
  ): Promise<HttpResponse> | undefined {
    if (!REDIRECT_STATUSES.has(response.statusCode) || request.followRedirects === false) return undefined;
    return this.#follow(request, context, response, next);
  }

  async #follow(
    request: HttpRequest,
    context: RequestContext,
    first: HttpResponse,
    next: Handler,
  ): Promise<HttpResponse> {
    const { maxRedirects } = this.#policy;
    let response = first;
    let current = request;
    for (let hops = 0; REDIRECT_STATUSES.has(response.statusCode); hops++) {
      const location = response.headers.get('location');
      if (!location) return response;
      const hop = nextHop(current, response, location, this.#trust);
      if (!hop) return response;
      if (hops >= maxRedirects) {
        response.discard();
        throw new TooManyRedirectsException(
          `${request.method} ${request.redactor.url(request.url)} exceeded maxRedirects (${maxRedirects})`,
          {
            context: { method: request.method, url: request.redactor.url(request.url), maxRedirects },
          },
        );
      }
      response.discard();
      const from = current;
      publish(channels.requestRedirect, () => ({
        method: from.method,
        from: from.redactor.url(from.url),
        to: hop.redactor.url(hop.url),
        statusCode: response.statusCode,
        credentials: hop.credentialsAllowed,
      }));
      current = hop;
      response = await next(current, context);
    }
    return response;
  }
}

/**
 * Follows redirects hop by hop. Sits outside the auth layer, so every hop is authorised (or
 * not) for its own origin; origin-bound headers (credentials, cookies, `Host`, any header the
 * redactor treats as sensitive) never cross to another origin or down to http.
 */
export function redirectMiddleware(policy: RedirectPolicy, trust: OriginTrust): Middleware {
  const layer = new RedirectLayer(policy, trust);
  return (request, context, next) =>
    sendThrough(next, request, context).then(
      (response) => layer.screen(request, context, response, next) ?? response,
    );
}
