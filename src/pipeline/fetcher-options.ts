// Validation of fetcher options: a TypeError naming the option, at construction.
import { positiveMs } from '../checks/numbers';
import { hasForbiddenHeaderChars, isToken } from '../checks/syntax';
import { buildRequestUrl, parseBaseUrl } from '../http/url';
import { checkTokenUrlSecurity } from '../tokens/exchange/token-url';
import type {
  HttpTokenFetcherOptions,
  RequestDataOption,
  RequestHeadersOption,
  TokenRequestMethod,
} from './fetcher-types';

const METHODS: readonly string[] = ['GET', 'POST', 'PUT', 'PATCH'];

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

export function checkHeaders(headers: unknown, where: string): Record<string, string> {
  if (!isPlainObject(headers)) throw new TypeError(`${where} must be an object of strings`);
  for (const [name, value] of Object.entries(headers)) {
    if (!isToken(name)) throw new TypeError(`${where}: "${name}" is not a valid header name`);
    if (typeof value !== 'string') throw new TypeError(`${where}.${name} must be a string`);
    if (hasForbiddenHeaderChars(value)) throw new TypeError(`${where}.${name} contains a line break`);
  }
  return headers as Record<string, string>;
}

interface CheckedOptions {
  readonly url: string;
  readonly method: TokenRequestMethod;
  readonly contentType: 'form' | 'json';
  readonly dependsOn: readonly string[];
  readonly requestHeaders: RequestHeadersOption;
  readonly requestData: RequestDataOption;
}

/** Validates the options (TypeError naming the option) and resolves the endpoint URL once. */
export function checkOptions(options: HttpTokenFetcherOptions): CheckedOptions {
  let base: ReturnType<typeof parseBaseUrl>;
  try {
    base = parseBaseUrl(options.baseUrl);
  } catch (error) {
    throw new TypeError(`baseUrl is not usable: ${(error as Error).message.replace(/^withBaseUrl: /, '')}`);
  }
  checkTokenUrlSecurity(new URL(base.origin), options.allowInsecureTokenUrl, 'baseUrl');
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
  if (options.ttlMs !== undefined) positiveMs(options.ttlMs, 'ttlMs');

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
