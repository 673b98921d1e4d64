// Validation of fetcher options and the secret-handling helpers of HttpTokenFetcher.
import { HttpClientException } from '../errors/http-client-exception';
import { buildRequestUrl, parseBaseUrl } from '../http/url';
import { REDACTED } from '../observability/redact-constants';
import type {
  HttpTokenFetcherOptions,
  RequestDataOption,
  RequestHeadersOption,
  TokenRequestMethod,
} from './token-fetcher';

const METHODS: readonly string[] = ['GET', 'POST', 'PUT', 'PATCH'];
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what we refuse
export const CONTROL = /[\u0000-\u001f\u007f]/;
const MAX_SECRET_DEPTH = 10;

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

export function checkHeaders(headers: unknown, where: string): Record<string, string> {
  if (!isPlainObject(headers)) throw new TypeError(`${where} must be an object of strings`);
  for (const [name, value] of Object.entries(headers)) {
    if (!HEADER_NAME.test(name)) throw new TypeError(`${where}: "${name}" is not a valid header name`);
    if (typeof value !== 'string') throw new TypeError(`${where}.${name} must be a string`);
    if (/[\r\n\0]/.test(value)) throw new TypeError(`${where}.${name} contains a line break`);
  }
  return headers as Record<string, string>;
}

export function collectStrings(value: unknown, into: string[], depth = 0): void {
  if (typeof value === 'string') into.push(value);
  else if (depth < MAX_SECRET_DEPTH && value !== null && typeof value === 'object') {
    for (const item of Object.values(value)) collectStrings(item, into, depth + 1);
  }
}

/**
 * A transport error of our own request quotes its URL, where a GET carries `requestData`; the
 * client only redacts well-known field names, so the values we sent are replaced in place.
 */
export function scrubTransportError(error: unknown, secrets: readonly string[]): void {
  if (!(error instanceof HttpClientException)) return;
  const variants = secrets
    .filter((secret) => secret.length >= 4)
    .flatMap((secret) => [
      secret,
      encodeURIComponent(secret),
      encodeURIComponent(secret).replaceAll('%20', '+'),
    ]);
  const scrub = (text: string) => variants.reduce((out, secret) => out.split(secret).join(REDACTED), text);
  error.message = scrub(error.message);
  if (error.stack) error.stack = scrub(error.stack);
  const context = Object.fromEntries(
    Object.entries(error.context).map(([key, value]) => [
      key,
      typeof value === 'string' ? scrub(value) : value,
    ]),
  );
  Object.defineProperty(error, 'context', { value: Object.freeze(context) });
}

export function errorName(error: unknown): string {
  if (error instanceof HttpClientException) return error.code;
  return error instanceof Error ? error.name : typeof error;
}

interface CheckedOptions {
  readonly url: string;
  readonly method: TokenRequestMethod;
  readonly contentType: 'form' | 'json';
  readonly dependsOn: readonly string[];
  readonly requestHeaders: RequestHeadersOption;
  readonly requestData: RequestDataOption;
}

function positive(value: unknown, option: string): void {
  if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value) || value <= 0))
    throw new TypeError(`${option} must be a positive number of milliseconds`);
}

/** Validates the options (TypeError naming the option) and resolves the endpoint URL once. */
export function checkOptions(options: HttpTokenFetcherOptions): CheckedOptions {
  let base: ReturnType<typeof parseBaseUrl>;
  try {
    base = parseBaseUrl(options.baseUrl);
  } catch (error) {
    throw new TypeError(`baseUrl is not usable: ${(error as Error).message.replace(/^withBaseUrl: /, '')}`);
  }
  if (typeof options.endpoint !== 'string' || /^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(options.endpoint))
    throw new TypeError('endpoint must be a path under baseUrl, not a URL');
  let url: string;
  try {
    url = buildRequestUrl(base, options.endpoint).href;
  } catch (error) {
    throw new TypeError(`endpoint is not a usable path under baseUrl (${(error as Error).message})`);
  }

  const method = options.method ?? 'POST';
  if (typeof method !== 'string' || !METHODS.includes(method.toUpperCase()))
    throw new TypeError(`method must be one of ${METHODS.join(', ')}`);
  const contentType = options.contentType ?? 'form';
  if (contentType !== 'form' && contentType !== 'json')
    throw new TypeError("contentType must be 'form' or 'json'");
  const dependsOn = options.dependsOn ?? [];
  if (!Array.isArray(dependsOn) || dependsOn.some((d) => typeof d !== 'string' || d === ''))
    throw new TypeError('dependsOn must be an array of step names');
  positive(options.ttlMs, 'ttlMs');
  positive(options.timeoutMs, 'timeoutMs');
  const { maxRetries } = options;
  if (maxRetries !== undefined && (!Number.isInteger(maxRetries) || maxRetries < 0))
    throw new TypeError('maxRetries must be a non-negative integer');

  const headers = options.requestHeaders ?? {};
  if (typeof headers !== 'function') checkHeaders(headers, 'requestHeaders');
  const data = options.requestData ?? {};
  if (typeof data !== 'function' && !isPlainObject(data))
    throw new TypeError('requestData must be an object or a function of the context');
  return {
    url,
    method: method.toUpperCase() as TokenRequestMethod,
    contentType,
    dependsOn: Object.freeze([...new Set(dependsOn)]),
    requestHeaders: typeof headers === 'function' ? headers : Object.freeze({ ...headers }),
    requestData: typeof data === 'function' ? data : Object.freeze({ ...data }),
  };
}
