import type { Logger } from '../hooks/types';

/** Options of {@link TokenManager}. */
export interface TokenManagerOptions {
  /**
   * The storage key of the token. By default it is derived from the provider's identity, so
   * managers whose tokens differ never share one even with the same `serviceName`; give two
   * managers the same `cacheKey` to share a token on purpose (a custom provider and a built-in
   * one for the same client, a renamed service during a migration).
   * @default `auth_token:<serviceName>:<first 16 hex of sha256(provider.identity)>`, or
   * `auth_token:<serviceName>` for a provider without `identity`
   * @example 'auth_token:billing:shared'
   */
  readonly cacheKey?: string;
  /**
   * After a failed token request, no other is sent for this long; each further consecutive
   * failure doubles the wait (plus up to half again at random), up to `maxRefreshBackoffMs`.
   * Meanwhile callers that hold no usable token get an `AuthenticationException` with code
   * `ERR_TOKEN_ENDPOINT_THROTTLED` and `retryAfterMs` at once. `0` turns the backoff off (a
   * `Retry-After` and permanent refusals are still honoured).
   * @default 2000
   * @example 500
   */
  readonly minRefreshIntervalMs?: number;
  /**
   * The longest backoff after consecutive failures, and how long a permanent refusal
   * (`invalid_client`, `unauthorized_client`, `unsupported_grant_type`, `invalid_scope`) keeps
   * the token endpoint from being asked again.
   * @default 30000
   * @example 300_000
   */
  readonly maxRefreshBackoffMs?: number;
  /**
   * The most a token's expiry is anticipated; the leeway used is min(this, 10 % of the token's
   * lifetime), so short-lived tokens are never "always expired".
   * @default 30000
   */
  readonly refreshLeewayMs?: number;
  /**
   * The longest wait for the provider; past it waiting callers get an `AuthenticationException`.
   * @default 60000
   */
  readonly fetchTimeoutMs?: number;
  /**
   * The longest wait for one storage operation; past it the storage counts as down for that
   * call and the token is fetched directly.
   * @default 2000
   */
  readonly storageTimeoutMs?: number;
  /**
   * After a storage failure, the storage is left alone for this long (tokens are fetched
   * directly meanwhile), so an outage costs one slow call, not one per request.
   * @default 5000
   */
  readonly storageRetryMs?: number;
  /**
   * With a storage that offers a cross-process lock (`RedisTokenStorage`): how long the lock is
   * held at most. When its holder dies, the others take over after this.
   * @default 30000
   */
  readonly lockTtlMs?: number;
  /**
   * After a token obtained because of a 401 is itself rejected before ever being accepted, no
   * new forced renewal happens for this long (protects the token endpoint from an API that
   * rejects everything). This limits refreshes, not replays: the request is still replayed, with
   * the same token, as its auth retry strategy says.
   * @default 5000
   * @example 10_000
   */
  readonly minForcedRefreshIntervalMs?: number;
  /**
   * Receives warnings (storage outages, failed background refreshes). Never a secret.
   * @default console
   */
  readonly logger?: Pick<Logger, 'warn'> & Partial<Pick<Logger, 'info'>>;
  /** The clock (epoch ms), for tests. @default Date.now */
  readonly now?: () => number;
}

/** Counters of a {@link TokenManager}. */
export interface TokenManagerStats {
  /** Tokens served from memory. */
  readonly hits: number;
  /**
   * `getToken()` callers (requests) that found no token to serve in memory and waited for one: a
   * cold start, an expiry, a rejection, or a renewal ahead of expiry that was not done in time.
   */
  readonly waits: number;
  /** Provider calls for a first token (`fetchToken`). */
  readonly fetches: number;
  /** Provider calls to replace a token (`refreshToken`: expiry, rejection, forced, background). */
  readonly refreshes: number;
  /** Provider calls that failed. */
  readonly failures: number;
  /** Renewals started ahead of expiry while the current token was still served. */
  readonly backgroundRefreshes: number;
  /**
   * Renewals refused without a token request because requests were held back (a `Retry-After`,
   * a backoff, a permanent refusal); one per renewal, shared by the callers waiting on it.
   */
  readonly throttled: number;
}

/** Options of `TokenManager.getToken()` and `forceRefresh()`. */
export interface GetTokenOptions {
  /** Cancels this caller's wait (never the shared fetch). */
  readonly signal?: AbortSignal;
}

/** Options of `TokenManager.close()`. */
export interface CloseOptions {
  /**
   * Revoke the current access token (while still valid) and refresh token at the server's
   * revocation endpoint (RFC 7009; `revocationUrl` or the issuer's `revocation_endpoint`) and
   * remove them from the storage. For a process that owns its tokens (a job that ends, a CLI
   * logout): with a shared storage, the fleet's token is revoked too. Without a revocation
   * endpoint (or a provider that cannot revoke) a warning is logged and the manager closes.
   * @default false
   * @example await manager.close({ revoke: true });
   */
  readonly revoke?: boolean;
}
