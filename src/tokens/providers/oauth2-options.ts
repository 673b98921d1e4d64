import { CLIENT_AUTH_OPTION_KEYS, type ClientAuthOptions } from '../client-auth/options';
import type { DpopOption } from '../dpop/dpop-options';
import { TOKEN_ENDPOINT_OPTION_KEYS, type TokenEndpointOptions } from '../exchange/token-http';
import { checkTokenUrlSecurity } from '../exchange/token-url';

/** Options shared by the OAuth 2 providers: endpoints, client, client authentication, transport. */
export interface OAuth2ProviderOptions extends TokenEndpointOptions, ClientAuthOptions {
  /**
   * The token endpoint, an absolute https URL (plain http only to loopback or with
   * `allowInsecureTokenUrl`). Required unless `issuer` is given.
   * @default discovered from `issuer`
   * @example 'https://auth.example.com/oauth/token'
   */
  readonly tokenUrl?: string;
  /**
   * The authorization server's issuer identifier. Its metadata (RFC 8414
   * `/.well-known/oauth-authorization-server`, then OpenID Connect
   * `/.well-known/openid-configuration`) supplies what is not configured: the token endpoint
   * (its mTLS alias when a client certificate is presented), the revocation endpoint, and the
   * client authentication methods it accepts. The metadata's `issuer` must equal this exactly.
   * It is also the `aud` of signed assertions. Metadata is cached per issuer for the whole
   * process (its `Cache-Control`, 1 h by default; fetched again after a failure).
   * @default none
   * @example 'https://login.example.com/tenant-a'
   */
  readonly issuer?: string;
  /**
   * The revocation endpoint (RFC 7009), for `revokeToken()` and `TokenManager.close({ revoke: true })`.
   * @default the issuer's `revocation_endpoint`, when `issuer` is given
   * @example 'https://auth.example.com/oauth/revoke'
   */
  readonly revocationUrl?: string;
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
   * More form parameters (e.g. `audience`, `resource`). They cannot override the grant type or
   * any credential.
   * @example { audience: 'https://api.example.com' }
   */
  readonly extraParams?: Readonly<Record<string, string>>;
  /**
   * DPoP (RFC 9449): tokens bound to a key this client holds. Every token request (refreshes
   * included) carries a proof; the server's token must come back as `token_type: DPoP`; requests
   * with it send `Authorization: DPoP <token>` and a fresh proof per send. `true` generates an
   * ES256 key per provider; an object configures the key, the algorithm and whether an unbound
   * token is refused. A fleet sharing tokens through a storage either configures the same
   * `privateKey` everywhere, or lets the storage keep the generated key with the token (an
   * encrypted storage only).
   * @default off
   * @example dpop: true
   * @example dpop: { privateKey: createPrivateKey(process.env.DPOP_KEY_PEM!), alg: 'ES256' }
   */
  readonly dpop?: DpopOption;
}

/** The keys of {@link OAuth2ProviderOptions}, for the providers' own-property reading. */
export const OAUTH2_OPTION_KEYS = {
  ...CLIENT_AUTH_OPTION_KEYS,
  tokenUrl: true,
  issuer: true,
  revocationUrl: true,
  clientId: true,
  serviceName: true,
  scope: true,
  extraParams: true,
  dpop: true,
  ...TOKEN_ENDPOINT_OPTION_KEYS,
} as const;

/** Form fields a grant may never take from `extraParams`: the client's credentials. */
export const CREDENTIAL_PARAMS: readonly string[] = [
  'client_id',
  'client_secret',
  'client_assertion',
  'client_assertion_type',
];

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
export function checkTokenUrl(tokenUrl: unknown, allowInsecure?: unknown, option = 'tokenUrl'): string {
  let url: URL;
  try {
    url = new URL(checkString(tokenUrl, option));
  } catch {
    throw new TypeError(`${option} must be an absolute http(s) URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new TypeError(`${option} must be an absolute http(s) URL`);
  if (url.username || url.password) throw new TypeError(`${option} must not contain credentials`);
  checkTokenUrlSecurity(url, allowInsecure, option);
  return url.href;
}
