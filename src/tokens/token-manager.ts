import { nonNegativeMs, positiveMs } from '../checks/numbers';
import { optionKeys, readOptions } from '../checks/options';
import { RequestAbortedException } from '../errors/transport-errors';
import { INSPECT } from '../observability/redact-constants';
import { storageFor } from './dpop/dpop-storage';
import { EndpointGuard } from './endpoint-guard';
import { EndpointProtection } from './endpoint-protection';
import { RenewalLatency, scheduleOf, type TokenSchedule } from './freshness';
import { GuardedStorage } from './guarded-storage';
import { checkCacheKey, checkIdentity, identityKey } from './identity';
import { checkManagerParts } from './manager-parts';
import { callProvider } from './provider-call';
import { closeProviderUse, openProviderUse, providerUnused } from './provider-users';
import { RejectionGuard } from './rejection-guard';
import { type RenewalParticipant, type RenewalReason, renew } from './renewal';
import { revokeTokens } from './revocation';
import { SingleFlight, waitAbortable } from './single-flight';
import { InMemoryTokenStorage } from './storage/in-memory-token-storage';
import type { TokenData } from './token-data';
import { publishCacheHit, publishFailed, publishInvalidated, publishObtained } from './token-events';
import type {
  CloseOptions,
  GetTokenOptions,
  TokenManagerOptions,
  TokenManagerStats,
} from './token-manager-options';
import type { RefreshContext, TokenProvider } from './token-provider';
import type { TokenStorage } from './token-storage';
import { grantOf, traceTokenRequest } from './token-tracing';

const REFRESH_REASONS: Readonly<Record<RenewalReason, RefreshContext['reason']>> = {
  initial: 'expired',
  expired: 'expired',
  invalidated: 'rejected',
  forced: 'forced',
  background: 'background',
};

const NO_SCHEDULE: TokenSchedule = Object.freeze({
  usableUntil: Number.NEGATIVE_INFINITY,
  refreshFrom: Number.NEGATIVE_INFINITY,
});

const KEYS = optionKeys<TokenManagerOptions>()({
  cacheKey: true,
  minRefreshIntervalMs: true,
  maxRefreshBackoffMs: true,
  refreshLeewayMs: true,
  fetchTimeoutMs: true,
  storageTimeoutMs: true,
  storageRetryMs: true,
  lockTtlMs: true,
  minForcedRefreshIntervalMs: true,
  logger: true,
  now: true,
});
const GET_KEYS = optionKeys<GetTokenOptions>()({ signal: true });
const CLOSE_KEYS = optionKeys<CloseOptions>()({ revoke: true });

/**
 * Owns one service's token: caches it, renews it ahead of expiry, and makes sure that however
 * many requests race, exactly one provider call happens.
 *
 * - Single flight: concurrent `getToken()` calls on a cold or expired cache share one provider call.
 * - Compare-and-invalidate: a 401 invalidates the token only if it is still the current one, so
 *   N concurrent 401s for one token cause one refresh.
 * - Refresh ahead: in the last min(5 min, 20 %) of a token's lifetime callers still get it at once
 *   while one background renewal runs. The window adapts to the token endpoint: it opens at least
 *   3× the recent p95 of token requests before the token stops being served (never before a
 *   quarter of its lifetime), so with short-lived tokens and a slow endpoint no request waits for a renewal.
 *   No timers: nothing to stop, nothing left running.
 * - Refresh tokens are used when issued; a rotated refresh token replaces the old one before any
 *   waiter resumes.
 * - A storage outage never fails a request: the token is fetched directly and a warning logged.
 * - The token endpoint is protected: a 429/503 `Retry-After` is honoured (fleet-wide with a
 *   storage that shares throttles), consecutive failures back off, permanent refusals are not
 *   repeated; meanwhile callers without a usable token get an `AuthenticationException` at once.
 * - The token is keyed by the provider's identity: managers whose tokens differ never share one.
 *
 * @example
 * ```ts
 * const manager = new TokenManager(provider, new InMemoryTokenStorage(), { refreshLeewayMs: 30_000 });
 * const token = await manager.getToken();
 * ```
 */
export class TokenManager {
  /** Where tokens come from. */
  readonly provider: TokenProvider;
  /** Where tokens are kept between requests (and shared, for shared storages). */
  readonly storage: TokenStorage;
  /**
   * The storage key: `auth_token:<serviceName>:<first 16 hex of sha256(provider.identity)>`,
   * `auth_token:<serviceName>` for a provider without identity, or the `cacheKey` option.
   */
  readonly cacheKey: string;
  readonly #refreshLeewayMs: number;
  readonly #fetchTimeoutMs: number;
  readonly #logger: NonNullable<TokenManagerOptions['logger']>;
  readonly #now: () => number;
  readonly #renewal: RenewalParticipant;
  readonly #rejections: RejectionGuard;
  readonly #protection: EndpointProtection;
  readonly #flight = new SingleFlight<'token', TokenData>();
  #current: TokenData | undefined;
  #schedule: TokenSchedule = NO_SCHEDULE;
  /** The last token we had, kept for its refresh token after expiry or invalidation. */
  #previous: TokenData | undefined;
  #invalidated = false;
  #backgroundBlockedUntil = 0;
  /** How long token requests take lately: how far ahead of expiry renewals start (see `scheduleOf`). */
  readonly #latency = new RenewalLatency();
  #stats = {
    hits: 0,
    waits: 0,
    fetches: 0,
    refreshes: 0,
    failures: 0,
    backgroundRefreshes: 0,
    throttled: 0,
  };
  /** Clients using this manager through their auth hook. */
  #clients = 0;
  /** Counted among its provider's users (from construction until `close()`). */
  #open = true;

  constructor(
    provider: TokenProvider,
    storage: TokenStorage = new InMemoryTokenStorage(),
    given: TokenManagerOptions = {},
  ) {
    const options = readOptions(given, 'TokenManager', new.target === TokenManager ? KEYS : undefined);
    checkManagerParts(provider, storage);
    // DPoP tokens are stored with their binding (checked before the provider is counted).
    const guarded = storageFor(provider, storage, (message) => this.#logger.warn(message));
    this.provider = provider;
    openProviderUse(provider);
    this.storage = storage;
    const identity = checkIdentity(provider.identity, 'TokenManager: provider');
    this.cacheKey =
      options.cacheKey === undefined
        ? identityKey(`auth_token:${provider.serviceName}`, identity)
        : checkCacheKey(options.cacheKey, 'TokenManager');
    this.#refreshLeewayMs = nonNegativeMs(options.refreshLeewayMs ?? 30_000, 'TokenManager: refreshLeewayMs');
    this.#fetchTimeoutMs = positiveMs(options.fetchTimeoutMs ?? 60_000, 'TokenManager: fetchTimeoutMs');
    this.#rejections = new RejectionGuard(
      nonNegativeMs(options.minForcedRefreshIntervalMs ?? 5_000, 'TokenManager: minForcedRefreshIntervalMs'),
    );
    this.#logger = options.logger ?? console;
    this.#now = options.now ?? (() => Date.now());
    const store = new GuardedStorage(guarded, {
      timeoutMs: positiveMs(options.storageTimeoutMs ?? 2_000, 'TokenManager: storageTimeoutMs'),
      retryMs: nonNegativeMs(options.storageRetryMs ?? 5_000, 'TokenManager: storageRetryMs'),
      owner: `"${provider.serviceName}"`,
      logger: this.#logger,
      now: this.#now,
    });
    const guard = new EndpointGuard({
      minRefreshIntervalMs: nonNegativeMs(
        options.minRefreshIntervalMs ?? 2_000,
        'TokenManager: minRefreshIntervalMs',
      ),
      maxRefreshBackoffMs: nonNegativeMs(
        options.maxRefreshBackoffMs ?? 30_000,
        'TokenManager: maxRefreshBackoffMs',
      ),
      random: Math.random,
    });
    this.#protection = new EndpointProtection(guard, store, this.cacheKey, provider.serviceName, this.#now);
    this.#renewal = {
      key: this.cacheKey,
      store,
      lockTtlMs: positiveMs(options.lockTtlMs ?? 30_000, 'TokenManager: lockTtlMs'),
      lockWaitMs: this.#fetchTimeoutMs,
      adoptable: (stored, reason, previous) => this.#adoptable(stored, reason, previous),
      isRejected: (accessToken) => this.#rejections.isRejected(accessToken),
      assertMaySend: () => {
        const held = this.#protection.heldLocally();
        if (held) this.#refuse(held);
      },
      fetch: (reason, base) => this.#fetch(reason, base),
    };
  }

  /** The provider's service name. */
  get serviceName(): string {
    return this.provider.serviceName;
  }

  /** Counters since construction. */
  get stats(): TokenManagerStats {
    return { ...this.#stats };
  }

  /**
   * The current token when it can be served right now, without any I/O; `undefined` otherwise.
   * Starts a background renewal when the token is in its refresh-ahead window.
   */
  peek(): TokenData | undefined {
    const token = this.#current;
    if (token === undefined) return undefined;
    const now = this.#now();
    if (now >= this.#schedule.usableUntil) return undefined;
    this.#stats.hits++;
    publishCacheHit(this.serviceName);
    if (
      now >= this.#schedule.refreshFrom &&
      this.#flight.running('token') === undefined &&
      now >= this.#backgroundBlockedUntil &&
      !this.#protection.holding()
    ) {
      this.#renewInBackground(token);
    }
    return token;
  }

  /**
   * A usable token: from memory, else from the storage, else from the provider (one call for
   * all concurrent callers). Provider failures reject with `AuthenticationException`; while token
   * requests are held back (a `Retry-After`, a backoff, a permanent refusal) callers without a
   * usable token are refused at once with one (`ERR_TOKEN_ENDPOINT_THROTTLED`, `retryAfterMs`).
   */
  async getToken(options?: GetTokenOptions): Promise<TokenData> {
    const token = this.peek();
    if (token) return token;
    const { signal } = readOptions(options, 'TokenManager.getToken', GET_KEYS);
    this.#stats.waits++;
    const reason: RenewalReason = this.#invalidated ? 'invalidated' : this.#previous ? 'expired' : 'initial';
    return this.#wait(this.#acquire(reason), signal);
  }

  /** Forgets the current token (memory and storage); the next `getToken()` obtains a new one. */
  async invalidateToken(): Promise<void> {
    this.#forget();
    publishInvalidated(this.serviceName, 'explicit');
    await this.#renewal.store.remove(this.cacheKey);
  }

  /**
   * After the server rejected `rejected`: invalidates it only if it is still the current token
   * (so N concurrent rejections cause one refresh). Resolves `true` when a replay may get a
   * different token, `false` when a renewal is refused (see `minForcedRefreshIntervalMs`): the
   * token stays current, and a replay sends it again.
   */
  async invalidateIfCurrent(rejected: TokenData | string): Promise<boolean> {
    const value = typeof rejected === 'string' ? rejected : rejected.accessToken;
    this.#rejections.noteRejected(value);
    const current = this.#current;
    if (current === undefined || current.accessToken !== value) return true;
    if (!this.#rejections.mayRenew(value, this.#now())) {
      this.#logger.warn(
        `requestforge: a token for "${this.serviceName}" was rejected right after a forced renewal; not renewing it again yet (replays send it again)`,
      );
      return false;
    }
    this.#forget();
    publishInvalidated(this.serviceName, 'rejected', current);
    await this.#renewal.store.removeIfHolds(this.cacheKey, value);
    return true;
  }

  /** Obtains a new token now (with the refresh token when there is one), whatever the cache holds. */
  async forceRefresh(options?: GetTokenOptions): Promise<TokenData> {
    const { signal } = readOptions(options, 'TokenManager.forceRefresh', GET_KEYS);
    // While token requests are held back the current token stays: it may still be usable.
    const held = this.#protection.heldLocally();
    if (held) this.#refuse(held);
    if (this.#flight.running('token') === undefined) {
      if (this.#current) this.#previous = this.#current;
      this.#current = undefined;
      this.#schedule = NO_SCHEDULE;
    }
    return this.#wait(this.#acquire('forced'), signal);
  }

  /** Records that the server accepted `token` (so a later rejection of it is a real revocation). */
  markAccepted(token: TokenData | string): void {
    const value = typeof token === 'string' ? token : token.accessToken;
    if (this.#current?.accessToken === value && !this.#rejections.isAccepted(value))
      this.#rejections.noteAccepted(value);
  }

  /** Drops the current token from memory, keeping it as `previous` for its refresh token. */
  #forget(): void {
    if (this.#current) this.#previous = this.#current;
    this.#current = undefined;
    this.#schedule = NO_SCHEDULE;
    this.#invalidated = true;
  }

  #wait(flight: Promise<TokenData>, signal: AbortSignal | undefined): Promise<TokenData> {
    return waitAbortable(
      flight,
      signal,
      (aborted) =>
        new RequestAbortedException(`Waiting for a token for "${this.serviceName}" was aborted`, {
          cause: aborted.reason,
        }),
    );
  }

  #acquire(reason: RenewalReason): Promise<TokenData> {
    return this.#flight.run('token', async () => {
      const renewed = await renew(this.#renewal, reason, this.#current ?? this.#previous);
      if (renewed.adopted) this.#install(renewed.token, false);
      return renewed.token;
    });
  }

  #renewInBackground(current: TokenData): void {
    this.#stats.backgroundRefreshes++;
    this.#acquire('background').catch(() => {
      const lifetime = current.lifetimeMs ?? 60_000;
      this.#backgroundBlockedUntil = this.#now() + Math.min(30_000, Math.max(100, lifetime * 0.05));
      this.#logger.warn(
        `requestforge: background token renewal for "${this.serviceName}" failed; the current token is still served`,
      );
    });
  }

  /** Refuses a caller while token requests are held back. */
  #refuse(held: Error): never {
    this.#stats.throttled++;
    throw held;
  }

  async #fetch(reason: RenewalReason, base: TokenData | undefined): Promise<TokenData> {
    const held = await this.#protection.admit();
    if (held) this.#refuse(held);
    // Replacing a token we had is a refresh (the provider decides how: refresh token, new grant,
    // pipeline re-run); only a cold start is a plain fetch.
    const started = this.#now();
    let token: TokenData;
    try {
      const call = () =>
        callProvider(
          base !== undefined
            ? () => this.provider.refreshToken(base, { reason: REFRESH_REASONS[reason] })
            : () => this.provider.fetchToken(),
          this.serviceName,
          this.#fetchTimeoutMs,
        );
      const grant = () => grantOf(this.provider, base?.refreshToken !== undefined);
      token = await traceTokenRequest(
        () => ({ serviceName: this.serviceName, reason, grant: grant() }),
        call,
      );
    } catch (error) {
      this.#stats.failures++;
      publishFailed(this.serviceName, reason, error);
      await this.#protection.failed(error);
      throw error;
    }
    this.#protection.succeeded();
    this.#latency.record(this.#now() - started);
    if (base !== undefined) this.#stats.refreshes++;
    else this.#stats.fetches++;
    this.#install(token, reason === 'invalidated' || reason === 'forced');
    publishObtained(this.serviceName, reason, base, token, this.#now() - started);
    await this.#renewal.store.write(this.cacheKey, token);
    return token;
  }

  #adoptable(stored: TokenData, reason: RenewalReason, previous: TokenData | undefined): boolean {
    if (this.#rejections.isRejected(stored.accessToken)) return false;
    const schedule = this.#scheduleOf(stored);
    const now = this.#now();
    if (now >= schedule.usableUntil) return false;
    if (reason === 'forced') return stored.accessToken !== previous?.accessToken;
    // In the background we only want something fresher than what we are already serving.
    if (reason === 'background')
      return now < schedule.refreshFrom && stored.accessToken !== previous?.accessToken;
    return true;
  }

  /** When `token` stops being served and when its renewal starts, given how long renewals take. */
  #scheduleOf(token: TokenData): TokenSchedule {
    return scheduleOf(token, {
      refreshLeewayMs: this.#refreshLeewayMs,
      renewalLatencyMs: this.#latency.p95,
    });
  }

  #install(token: TokenData, forced: boolean): void {
    this.#current = token;
    this.#previous = token;
    this.#invalidated = false;
    this.#schedule = this.#scheduleOf(token);
    const now = this.#now();
    // A server that hands out an already ageing token would trigger a renewal per request; wait for the hard expiry instead.
    this.#backgroundBlockedUntil = now >= this.#schedule.refreshFrom ? this.#schedule.usableUntil : 0;
    if (forced) this.#rejections.noteForced(token.accessToken, now);
  }

  /**
   * A client started using this manager (called through its auth hook when the client is
   * constructed). Managers count their clients so the last one to close releases the provider.
   */
  retain(): void {
    this.#clients++;
    if (!this.#open) {
      this.#open = true;
      openProviderUse(this.provider);
    }
  }

  /** A client using this manager closed; when it was the last one, the manager is closed. */
  async release(): Promise<void> {
    if (this.#clients === 0) return;
    this.#clients--;
    if (this.#clients === 0) await this.close();
  }

  /**
   * Releases the provider's connections: calls `provider.close()` when the provider has one and
   * no other open manager uses the same provider. Closing the last client that uses this manager
   * (through `withTokenAuth` or a `TokenAuthHook`) does it for you. The manager stays usable: a
   * later token request opens new connections. With `{ revoke: true }` the current access and
   * refresh tokens are revoked first (RFC 7009) and forgotten (memory and storage); a refused
   * revocation rejects once the manager is closed.
   * @example await manager.close();
   */
  async close(options?: CloseOptions): Promise<void> {
    const { revoke } = readOptions(options, 'TokenManager.close', CLOSE_KEYS);
    if (revoke !== undefined && typeof revoke !== 'boolean')
      throw new TypeError('TokenManager.close: revoke must be a boolean');
    let failure: unknown;
    if (revoke) await this.#revoke().catch((error: unknown) => (failure = error));
    if (this.#open) {
      this.#open = false;
      closeProviderUse(this.provider);
    }
    if (providerUnused(this.provider)) await this.provider.close?.();
    if (failure !== undefined) throw failure;
  }

  /** Forgets the current token (memory and storage) and revokes it at the server. */
  async #revoke(): Promise<void> {
    const token = this.#current ?? this.#previous;
    if (token === undefined) return;
    this.#current = undefined;
    this.#previous = undefined;
    this.#schedule = NO_SCHEDULE;
    await this.#renewal.store.removeIfHolds(this.cacheKey, token.accessToken);
    await revokeTokens(this.provider, token, this.#logger, this.#now());
  }

  /** A secret-free description, for logs and `JSON.stringify`. */
  toJSON(): Record<string, unknown> {
    return {
      serviceName: this.serviceName,
      cacheKey: this.cacheKey,
      token: this.#current ? String(this.#current) : undefined,
      stats: this.stats,
    };
  }

  /** What `util.inspect` prints: the secret-free description. */
  [INSPECT](): string {
    return `TokenManager ${JSON.stringify(this.toJSON())}`;
  }
}
