import { canonicalPath, routedPath, routedVariants } from '../auth/path-normalization';
import { hasControlChars } from '../checks/syntax';
import { RequestBuildException } from '../errors/transport-errors';

/** Query parameters: repeated keys from arrays; `null`/`undefined` values are skipped. */
export type QueryValue = string | number | boolean | bigint;
/** Query parameters: a record (a list value repeats the key), `URLSearchParams`, or `[key, value]` pairs. */
export type QueryParams =
  | Readonly<Record<string, QueryValue | null | undefined | ReadonlyArray<QueryValue>>>
  | URLSearchParams;

/** A validated base URL, split once at configuration time. */
export interface BaseUrl {
  /** `scheme://host:port` as WHATWG computes it. */
  readonly origin: string;
  /** The base without a trailing slash, e.g. `https://api.example.com/v1`. */
  readonly prefix: string;
  /** The base path without a trailing slash (`''` for the root), e.g. `/v1`. */
  readonly pathPrefix: string;
}

/** A request URL after canonicalisation: what goes on the wire and what every decision sees. */
export interface CanonicalUrl {
  /** The full URL as sent (no fragment). */
  readonly href: string;
  /** `scheme://host:port`. */
  readonly origin: string;
  /** Path and query as sent on the request line. */
  readonly path: string;
  /** Path only, dot segments resolved, still percent-encoded. */
  readonly pathname: string;
}

const SCHEME = /^[a-zA-Z][a-zA-Z0-9+.-]*:/;

function fail(message: string, reason: string): never {
  throw new RequestBuildException(message, { context: { reason } });
}

/** Parses and validates `withBaseUrl`; throws `TypeError` naming the option. */
export function parseBaseUrl(url: string): BaseUrl {
  if (typeof url !== 'string' || url.trim() === '')
    throw new TypeError('withBaseUrl: expected a non-empty URL');
  if (hasControlChars(url)) throw new TypeError('withBaseUrl: the URL contains control characters');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new TypeError('withBaseUrl: not an absolute URL');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new TypeError(`withBaseUrl: only http and https URLs are supported, got ${parsed.protocol}`);
  }
  if (parsed.username || parsed.password) {
    throw new TypeError('withBaseUrl: credentials in the URL are not supported; use withBasicAuth');
  }
  if (parsed.search || parsed.hash)
    throw new TypeError('withBaseUrl: the base URL must not have a query or fragment');
  const pathPrefix = parsed.pathname.replace(/\/+$/, '');
  return { origin: parsed.origin, prefix: parsed.origin + pathPrefix, pathPrefix };
}

function encodeParam(value: QueryValue, key: string): string {
  if (typeof value === 'string') return encodeURIComponent(value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return encodeURIComponent(String(value));
  throw new RequestBuildException(
    `Query parameter "${key}" must be a string, number, boolean or an array of them`,
    {
      context: { reason: 'params', param: key },
    },
  );
}

/** Serialises query parameters (`a=1&b=x%20y`); an empty string when there are none. */
export function serializeParams(params: QueryParams | undefined): string {
  if (params === undefined || params === null) return '';
  if (params instanceof URLSearchParams) return params.toString();
  if (typeof params !== 'object') {
    throw new RequestBuildException('params must be an object or URLSearchParams', {
      context: { reason: 'params' },
    });
  }
  let out = '';
  for (const key of Object.keys(params)) {
    const value = params[key];
    if (value === undefined || value === null) continue;
    const name = encodeURIComponent(key);
    if (Array.isArray(value)) {
      for (const item of value as ReadonlyArray<QueryValue>)
        out += `${out ? '&' : ''}${name}=${encodeParam(item, key)}`;
    } else {
      out += `${out ? '&' : ''}${name}=${encodeParam(value as QueryValue, key)}`;
    }
  }
  return out;
}

function toCanonical(joined: string): CanonicalUrl {
  let url: URL;
  try {
    url = new URL(joined);
  } catch {
    return fail('Invalid request URL', 'unparsable');
  }
  if (url.username !== '' || url.password !== '') {
    return fail('Credentials in the request URL are not supported; use withBasicAuth', 'userinfo');
  }
  const href = url.href;
  const origin = url.origin;
  // href is origin + path + query for http(s) without user-info; slicing keeps a bare "?" too.
  return Object.freeze({ href, origin, path: href.slice(origin.length), pathname: url.pathname });
}

/**
 * Joins the base URL and a request path as strings and parses the result once.
 *
 * Never `new URL(path, base)`: that turns `//evil`, `\\evil` and `https:evil` into other hosts
 * and drops the base path. Anything ambiguous is refused with `RequestBuildException`.
 */
export function buildRequestUrl(
  base: BaseUrl | undefined,
  input: string,
  params?: QueryParams,
): CanonicalUrl {
  if (typeof input !== 'string') return fail(`Request URL must be a string, got ${typeof input}`, 'type');
  if (hasControlChars(input)) return fail('Request URL contains control characters', 'control-characters');
  const hash = input.indexOf('#');
  let target = hash === -1 ? input : input.slice(0, hash);
  const query = serializeParams(params);
  if (query) target += (target.includes('?') ? '&' : '?') + query;

  if (SCHEME.test(target)) {
    const lower = target.slice(0, 8).toLowerCase();
    if (!(lower.startsWith('http://') || lower.startsWith('https://'))) {
      return fail(
        'Request URL looks like a scheme but is not an absolute http(s) URL; prefix relative paths with "/"',
        'scheme',
      );
    }
    return toCanonical(target);
  }
  if (target.startsWith('//') || target.startsWith('\\') || target.startsWith('/\\')) {
    return fail('Request path must not start with "//" or "\\" (it would name another host)', 'authority');
  }
  if (!base) return fail('A relative request URL needs withBaseUrl', 'no-base-url');

  const joined =
    target === '' || target.startsWith('?')
      ? base.prefix + target
      : target.startsWith('/')
        ? base.prefix + target
        : `${base.prefix}/${target}`;
  const canonical = toCanonical(joined);
  const prefix = base.pathPrefix;
  if (canonical.origin !== base.origin || !isUnder(canonical.pathname, prefix)) {
    return fail('Request path climbs above the base URL path', 'dot-segments');
  }
  if (canonical.pathname.startsWith('//')) {
    return fail('Request path must not resolve to one starting with "//"', 'authority');
  }
  // A decoding proxy turns `..%2F` into `../`, a servlet container `..;/` into `../`, and both
  // resolve it: decide on every path they may route.
  const path = canonical.pathname;
  if (prefix !== '' && (path.includes('%') || path.includes(';'))) {
    const routedPrefix = routedPath(canonicalPath(prefix));
    const climbs = (routed: string) => !isUnder(routed, routedPrefix);
    if (routedPrefix !== '/' && routedVariants(canonicalPath(path)).some(climbs)) {
      return fail(
        'Request path climbs above the base URL path once decoded as a proxy or servlet container would (%2F, %5C, %2E, %25, ;parameters)',
        'encoded-dot-segments',
      );
    }
  }
  return canonical;
}

function isUnder(pathname: string, prefix: string): boolean {
  return prefix === '' || pathname === prefix || pathname.startsWith(`${prefix}/`);
}

/**
 * The path used for exclusion rules: relative to the base path when the URL is under it
 * (base `https://h/v1`, URL `https://h/v1/health` → `/health`), the full path otherwise.
 */
export function pathForMatching(url: CanonicalUrl, base: BaseUrl | undefined): string {
  if (!base || base.pathPrefix === '' || url.origin !== base.origin) return url.pathname;
  const prefix = base.pathPrefix;
  if (url.pathname === prefix) return '/';
  if (url.pathname.startsWith(`${prefix}/`)) return url.pathname.slice(prefix.length);
  return url.pathname;
}
