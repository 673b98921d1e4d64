// Attribute names: the stable OpenTelemetry HTTP semantic conventions, and requestforge's own.
import type { Attributes } from '@opentelemetry/api';

/** Stable HTTP semantic-convention attribute names (written out: no dependency on a semconv package). */
export const HTTP = {
  method: 'http.request.method',
  methodOriginal: 'http.request.method_original',
  statusCode: 'http.response.status_code',
  resendCount: 'http.request.resend_count',
  errorType: 'error.type',
  urlFull: 'url.full',
  urlScheme: 'url.scheme',
  serverAddress: 'server.address',
  serverPort: 'server.port',
} as const;

/** requestforge's own attribute names. */
export const RF = {
  tokenService: 'requestforge.token.service',
  tokenReason: 'requestforge.token.reason',
  tokenGrant: 'requestforge.token.grant',
  tokenOutcome: 'requestforge.token.outcome',
  tokenOAuthError: 'requestforge.token.oauth_error',
  retryReason: 'requestforge.retry.reason',
  retryDelayMs: 'requestforge.retry.delay_ms',
  replay: 'requestforge.auth.replay',
  circuitState: 'requestforge.circuit_breaker.state',
  circuitPrevious: 'requestforge.circuit_breaker.previous_state',
} as const;

const KNOWN_METHODS = new Set([
  'GET',
  'HEAD',
  'POST',
  'PUT',
  'DELETE',
  'CONNECT',
  'OPTIONS',
  'TRACE',
  'PATCH',
]);

/** The span name of an HTTP client span: the method, or `HTTP` for a method semconv does not know. */
export function spanName(method: string): string {
  return KNOWN_METHODS.has(method) ? method : 'HTTP';
}

/** `http.request.method` (and `_original` for an unknown method), the way the conventions ask. */
export function methodAttributes(method: string, into: Attributes = {}): Attributes {
  if (KNOWN_METHODS.has(method)) {
    into[HTTP.method] = method;
  } else {
    into[HTTP.method] = '_OTHER';
    into[HTTP.methodOriginal] = method;
  }
  return into;
}

/** `server.address`, `server.port` and `url.scheme` of a URL (already redacted by the client). */
export function serverAttributes(url: string, into: Attributes = {}): Attributes {
  try {
    const parsed = new URL(url);
    into[HTTP.serverAddress] = parsed.hostname.replace(/^\[|\]$/g, '');
    into[HTTP.serverPort] = parsed.port ? Number(parsed.port) : parsed.protocol === 'https:' ? 443 : 80;
    into[HTTP.urlScheme] = parsed.protocol.slice(0, -1);
  } catch {
    // The client only sends absolute http(s) URLs; nothing to add otherwise.
  }
  return into;
}

const SERVERS_CACHED = 1000;
const servers = new Map<string, Attributes>();

/**
 * `serverAttributes` of a URL's origin, computed once per origin: the duration histogram and the
 * counters need them on every send, and parsing a URL each time would cost the request path.
 */
export function cachedServerAttributes(url: string): Readonly<Attributes> {
  const authorityEnd = url.indexOf('/', url.indexOf('//') + 2);
  const origin = authorityEnd === -1 ? url : url.slice(0, authorityEnd);
  let attributes = servers.get(origin);
  if (attributes === undefined) {
    if (servers.size >= SERVERS_CACHED) servers.clear();
    attributes = Object.freeze(serverAttributes(origin));
    servers.set(origin, attributes);
  }
  return attributes;
}

/** Everything a client span knows before the answer: method, redacted URL, server. */
export function requestAttributes(method: string, url: string): Attributes {
  const attributes = methodAttributes(method);
  attributes[HTTP.urlFull] = url;
  return serverAttributes(url, attributes);
}

/** `error.type` per the conventions: the status code for 4xx/5xx answers, else our stable error code. */
export function errorType(statusCode: number | undefined, error: string | undefined): string | undefined {
  if (error !== undefined) return error;
  return statusCode !== undefined && statusCode >= 400 ? String(statusCode) : undefined;
}
