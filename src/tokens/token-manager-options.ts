import type { Logger } from '../hooks/types';

/** Options of {@link TokenManager}. */
export interface TokenManagerOptions {
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
   * rejects everything). The 401 is returned instead.
   * @default 5000
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
  /** Provider calls for a first token (`fetchToken`). */
  readonly fetches: number;
  /** Provider calls to replace a token (`refreshToken`: expiry, rejection, forced, background). */
  readonly refreshes: number;
  /** Provider calls that failed. */
  readonly failures: number;
  /** Renewals started ahead of expiry while the current token was still served. */
  readonly backgroundRefreshes: number;
}

/** Options of `TokenManager.getToken()` and `forceRefresh()`. */
export interface GetTokenOptions {
  /** Cancels this caller's wait (never the shared fetch). */
  readonly signal?: AbortSignal;
}
