import type { TokenData } from './token-data';

/** Why `TokenManager` asks a provider to replace a token. */
export interface RefreshContext {
  /**
   * `expired`: past its usable lifetime; `rejected`: the server refused it (a 401) or it was
   * invalidated; `forced`: `forceRefresh()`; `background`: renewal ahead of expiry while the
   * current token is still served.
   */
  readonly reason: 'expired' | 'rejected' | 'forced' | 'background';
}

/** Options of {@link TokenProvider.revokeToken}. */
export interface RevokeTokenOptions {
  /**
   * What the token is (RFC 7009 §2.1 `token_type_hint`): `access_token` or `refresh_token`, or
   * another registered type. It helps the server find the token; it is not binding.
   * @default no hint
   * @example { hint: 'refresh_token' }
   */
  readonly hint?: 'access_token' | 'refresh_token' | (string & {});
}

/**
 * Obtains tokens. Implement it for any custom flow; a plain object works.
 *
 * @example
 * ```ts
 * const provider: TokenProvider = {
 *   serviceName: 'custom-api',
 *   async fetchToken() {
 *     const response = await authClient.post('/auth', { headers: { 'X-API-Key': apiKey } });
 *     const data = response.json<{ token: string; expires_in: number }>();
 *     return new TokenData({ accessToken: data.token, expiresAt: new Date(Date.now() + data.expires_in * 1000) });
 *   },
 *   async refreshToken() {
 *     return this.fetchToken();
 *   },
 * };
 * ```
 */
export interface TokenProvider {
  /** Names the service in errors, events and the cache key (`auth_token:<serviceName>:…`). */
  readonly serviceName: string;
  /**
   * Everything that makes this provider's tokens different from another's: token endpoint,
   * client, grant, client authentication, scopes, audience and other parameters, a hash of the
   * subject. `TokenManager` keys the token by it (`auth_token:<serviceName>:<16 hex of its
   * SHA-256>`), so two providers that share a `serviceName` and a storage never get each other's
   * tokens. It must never hold a secret in clear (hash it). The built-in providers compute it.
   * @default none: the token is stored under `auth_token:<serviceName>` (declare one, or give the
   * manager a `cacheKey`, when two custom providers of one service name share a storage)
   * @example identity: `custom:${tenantId}:${apiKeyId}`
   */
  readonly identity?: string;
  /** A brand-new token. */
  fetchToken(): Promise<TokenData>;
  /**
   * A new token to replace `current` (use its refresh token when it has one). `context` says why;
   * most providers can ignore it.
   */
  refreshToken(current: TokenData, context?: RefreshContext): Promise<TokenData>;
  /**
   * Releases what the provider holds (its token-endpoint connections). Called by
   * `TokenManager.close()`, and so when the last client using the manager closes. A provider
   * that is used again afterwards may open new connections.
   */
  close?(): void | Promise<void>;
  /**
   * Revokes a token at the authorization server (RFC 7009). `TokenManager.close({ revoke: true })`
   * calls it for the current access and refresh tokens. The OAuth providers implement it.
   */
  revokeToken?(token: string, options?: RevokeTokenOptions): Promise<void>;
}
