import type { TokenEndpointOptions } from '../exchange/token-http';
import { checkTokenUrlSecurity } from '../exchange/token-url';

/** Options shared by the OAuth 2 providers. */
export interface OAuth2ProviderOptions extends TokenEndpointOptions {
  /** The token endpoint, an absolute http(s) URL. */
  readonly tokenUrl: string;
  /** The OAuth client id. */
  readonly clientId: string;
  /** Names the service in errors, events and the cache key. */
  readonly serviceName: string;
  /**
   * Requested scope: a space-separated string or a list.
   * @example 'read write'
   */
  readonly scope?: string | readonly string[];
  /**
   * How the client authenticates: `body` (client_id and client_secret in the form) or `header`
   * (HTTP Basic with form-urlencoded id and secret, RFC 6749 §2.3.1).
   * @default 'body'
   */
  readonly authMethod?: 'body' | 'header';
  /**
   * More form parameters (e.g. `audience`, `resource`). They cannot override the grant type or
   * any credential.
   * @example { audience: 'https://api.example.com' }
   */
  readonly extraParams?: Readonly<Record<string, string>>;
}

/** The keys of {@link OAuth2ProviderOptions}, for the providers' own-property reading. */
export const OAUTH2_OPTION_KEYS = {
  tokenUrl: true,
  clientId: true,
  serviceName: true,
  scope: true,
  authMethod: true,
  extraParams: true,
  timeoutMs: true,
  maxRetries: true,
  httpClient: true,
  dispatcher: true,
  allowInsecureTokenUrl: true,
} as const;

export function checkString(value: unknown, option: string, allowEmpty = false): string {
  if (typeof value !== 'string' || (!allowEmpty && value === ''))
    throw new TypeError(`${option} must be a non-empty string`);
  return value;
}

export function scopeString(scope: string | readonly string[] | undefined): string | undefined {
  if (scope === undefined) return undefined;
  if (typeof scope === 'string') return scope.trim() === '' ? undefined : scope;
  if (!Array.isArray(scope) || scope.some((s) => typeof s !== 'string'))
    throw new TypeError('scope must be a string or a list of strings');
  return scope.length === 0 ? undefined : scope.join(' ');
}

/** Validates `extraParams` against the names the provider owns. */
export function checkExtraParams(
  extra: Readonly<Record<string, string>> | undefined,
  reserved: readonly string[],
): Readonly<Record<string, string>> {
  if (extra === undefined) return {};
  if (extra === null || typeof extra !== 'object')
    throw new TypeError('extraParams must be an object of strings');
  for (const [key, value] of Object.entries(extra)) {
    if (reserved.includes(key)) throw new TypeError(`extraParams cannot set "${key}"`);
    if (typeof value !== 'string') throw new TypeError(`extraParams.${key} must be a string`);
  }
  return { ...extra };
}

/**
 * A token endpoint URL: absolute https (plain http only to loopback or with
 * `allowInsecureTokenUrl`), without credentials; returns it normalised.
 */
export function checkTokenUrl(tokenUrl: unknown, allowInsecure?: unknown): string {
  let url: URL;
  try {
    url = new URL(checkString(tokenUrl, 'tokenUrl'));
  } catch {
    throw new TypeError('tokenUrl must be an absolute http(s) URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new TypeError('tokenUrl must be an absolute http(s) URL');
  if (url.username || url.password) throw new TypeError('tokenUrl must not contain credentials');
  checkTokenUrlSecurity(url, allowInsecure, 'tokenUrl');
  return url.href;
}
