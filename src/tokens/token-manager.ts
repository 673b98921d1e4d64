import { createHash } from 'node:crypto';
import { AuthenticationException } from '../errors/authentication-exception';
import { HttpClientException } from '../errors/http-client-exception';
import { RequestAbortedException } from '../errors/transport-errors';
import { channels, publish } from '../observability/events';
import { INSPECT } from '../observability/redact-constants';
import { withDeadline } from './deadline';
import { scheduleOf, type TokenSchedule } from './freshness';
import { GuardedStorage, STORAGE_FAILED } from './guarded-storage';
import { InMemoryTokenStorage } from './storage/in-memory-token-storage';
import { TokenData } from './token-data';
import type { GetTokenOptions, TokenManagerOptions, TokenManagerStats } from './token-manager-options';
import type { RefreshContext, TokenProvider } from './token-provider';
import type { TokenStorage, TokenStorageLock } from './token-storage';

type Reason = 'initial' | 'expired' | 'invalidated' | 'forced' | 'background';

const REFRESH_REASONS: Readonly<Record<Reason, RefreshContext['reason']>> = {
  initial: 'expired',
  expired: 'expired',
  invalidated: 'rejected',
  forced: 'forced',
  background: 'background',
};

type LockOutcome =
  | { readonly kind: 'held'; readonly lock: TokenStorageLock }
  | { readonly kind: 'adopted'; readonly token: TokenData }
  | { readonly kind: 'none' };

const NO_LOCK: LockOutcome = Object.freeze({ kind: 'none' });

const NO_SCHEDULE: TokenSchedule = Object.freeze({
  usableUntil: Number.NEGATIVE_INFINITY,
  refreshFrom: Number.NEGATIVE_INFINITY,
});
const REMEMBERED_REJECTIONS = 16;

function fingerprint(token: TokenData): string {
  return createHash('sha256').update(token.accessToken).digest('hex').slice(0, 12);
}

function positive(value: number, option: string, allowZero = false): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || (!allowZero && value === 0)) {
    throw new RangeError(
      `TokenManager: ${option} must be a ${allowZero ? 'non-negative' : 'positive'} number of ms`,
    );
  }
  return value;
}

/**
 * Owns one service's token: caches it, renews it ahead of expiry, and makes sure that however
 * many requests race, exactly one provider call happens.
 *
 * - Single flight: concurrent `getToken()` calls on a cold or expired cache share one provider call.
 * - Compare-and-invalidate: a 401 invalidates the token only if it is still the current one, so
 *   N concurrent 401s for one token cause one refresh.
 * - Refresh ahead: in the last min(5 min, 20 %) of a token's lifetime callers still get it at once
 *   while one background renewal runs. No timers: nothing to stop, nothing left running.
 * - Refresh tokens are used when issued; a rotated refresh token replaces the old one before any
 *   waiter resumes.
 * - A storage outage never fails a request: the token is fetched directly and a warning logged.
 *
 * @example
 * ```ts
 * const manager = new TokenManager(provider, new InMemoryTokenStorage(), { refreshLeewayMs: 30_000 });
 * const token = await manager.getToken();
 * ```
 */
export class TokenManager {
  readonly provider: TokenProvider;
  readonly storage: TokenStorage;
  /** The storage key: `auth_token:<serviceName>`. */
  readonly cacheKey: string;
  readonly #refreshLeewayMs: number;
  readonly #fetchTimeoutMs: number;
  readonly #minForcedIntervalMs: number;
  readonly #lockTtlMs: number;
  readonly #logger: NonNullable<TokenManagerOptions['logger']>;
  readonly #now: () => number;
  #current: TokenData | undefined;
  #schedule: TokenSchedule = NO_SCHEDULE;
  /** The last token we had, kept for its refresh token after expiry or invalidation. */
  #previous: TokenData | undefined;
  #flight: Promise<TokenData> | undefined;
  #invalidated = false;
  readonly #rejected: string[] = [];
  #backgroundBlockedUntil = 0;
  #accepted: string | undefined;
  #forcedToken: string | undefined;
  #forcedAt = Number.NEGATIVE_INFINITY;
  readonly #store: GuardedStorage;
  #stats = { hits: 0, fetches: 0, refreshes: 0, failures: 0, backgroundRefreshes: 0 };

  constructor(
    provider: TokenProvider,
    storage: TokenStorage = new InMemoryTokenStorage(),
    options: TokenManagerOptions = {},
  ) {
    if (
      !provider ||
      typeof provider.fetchToken !== 'function' ||
      typeof provider.refreshToken !== 'function'
    ) {
      throw new TypeError('TokenManager: provider must implement fetchToken() and refreshToken()');
    }
    if (typeof provider.serviceName !== 'string' || provider.serviceName === '') {
      throw new TypeError('TokenManager: provider.serviceName must be a non-empty string');
    }
    if (
      !storage ||
      ['get', 'set', 'delete', 'exists'].some(
        (m) => typeof (storage as unknown as Record<string, unknown>)[m] !== 'function',
      )
    ) {
      throw new TypeError('TokenManager: storage must implement get, set, delete and exists');
    }
    this.provider = provider;
    this.storage = storage;
    this.cacheKey = `auth_token:${provider.serviceName}`;
    this.#refreshLeewayMs = positive(options.refreshLeewayMs ?? 30_000, 'refreshLeewayMs', true);
    this.#fetchTimeoutMs = positive(options.fetchTimeoutMs ?? 60_000, 'fetchTimeoutMs');
    this.#minForcedIntervalMs = positive(
      options.minForcedRefreshIntervalMs ?? 5_000,
      'minForcedRefreshIntervalMs',
      true,
    );
    this.#lockTtlMs = positive(options.lockTtlMs ?? 30_000, 'lockTtlMs');
    this.#logger = options.logger ?? console;
    this.#now = options.now ?? (() => Date.now());
    this.#store = new GuardedStorage(storage, this.cacheKey, {
      timeoutMs: positive(options.storageTimeoutMs ?? 2_000, 'storageTimeoutMs'),
      retryMs: positive(options.storageRetryMs ?? 5_000, 'storageRetryMs', true),
      serviceName: provider.serviceName,
      logger: this.#logger,
      now: this.#now,
    });
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
    if (
      now >= this.#schedule.refreshFrom &&
      this.#flight === undefined &&
      now >= this.#backgroundBlockedUntil
    ) {
      this.#renewInBackground(token);
    }
    return token;
  }

  /**
   * A usable token: from memory, else from the storage, else from the provider (one call for
   * all concurrent callers). Provider failures reject with `AuthenticationException`.
   */
  async getToken(options: GetTokenOptions = {}): Promise<TokenData> {
    const token = this.peek();
    if (token) return token;
    const reason: Reason = this.#invalidated ? 'invalidated' : this.#previous ? 'expired' : 'initial';
    return this.#wait(this.#acquire(reason), options.signal);
  }

  /** Forgets the current token (memory and storage); the next `getToken()` obtains a new one. */
  async invalidateToken(): Promise<void> {
    if (this.#current) this.#previous = this.#current;
    this.#current = undefined;
    this.#schedule = NO_SCHEDULE;
    this.#invalidated = true;
    publish(channels.tokenInvalidate, () => ({ serviceName: this.serviceName, reason: 'explicit' }));
    await this.#store.remove();
  }

  /**
   * After the server rejected `rejected`: invalidates it only if it is still the current token
   * (so N concurrent rejections cause one refresh). Resolves `true` when a replay may get a
   * different token, `false` when a renewal is refused (see `minForcedRefreshIntervalMs`).
   */
  async invalidateIfCurrent(rejected: TokenData | string): Promise<boolean> {
    const value = typeof rejected === 'string' ? rejected : rejected.accessToken;
    if (!this.#rejected.includes(value)) {
      this.#rejected.push(value);
      if (this.#rejected.length > REMEMBERED_REJECTIONS) this.#rejected.shift();
    }
    const current = this.#current;
    if (current === undefined || current.accessToken !== value) return true;
    const now = this.#now();
    if (
      this.#forcedToken === value &&
      this.#accepted !== value &&
      now - this.#forcedAt < this.#minForcedIntervalMs
    ) {
      this.#logger.warn(
        `requestforge: a token for "${this.serviceName}" was rejected right after a forced renewal; not renewing again for ${this.#minForcedIntervalMs} ms`,
      );
      return false;
    }
    this.#previous = current;
    this.#current = undefined;
    this.#schedule = NO_SCHEDULE;
    this.#invalidated = true;
    publish(channels.tokenInvalidate, () => ({
      serviceName: this.serviceName,
      reason: 'rejected',
      fingerprint: fingerprint(current),
    }));
    // Compare-and-delete: another process may already have stored a newer token.
    const stored = await this.#store.read();
    if (stored?.accessToken === value) await this.#store.remove();
    return true;
  }

  /** Obtains a new token now (with the refresh token when there is one), whatever the cache holds. */
  async forceRefresh(options: GetTokenOptions = {}): Promise<TokenData> {
    if (this.#flight === undefined) {
      if (this.#current) this.#previous = this.#current;
      this.#current = undefined;
      this.#schedule = NO_SCHEDULE;
    }
    return this.#wait(this.#acquire('forced'), options.signal);
  }

  /** Records that the server accepted `token` (so a later rejection of it is a real revocation). */
  markAccepted(token: TokenData | string): void {
    const value = typeof token === 'string' ? token : token.accessToken;
    if (this.#accepted !== value && this.#current?.accessToken === value) this.#accepted = value;
  }

  #wait(flight: Promise<TokenData>, signal: AbortSignal | undefined): Promise<TokenData> {
    if (!signal) return flight;
    if (signal.aborted) return Promise.reject(this.#aborted(signal));
    return new Promise<TokenData>((resolve, reject) => {
      const onAbort = () => reject(this.#aborted(signal));
      signal.addEventListener('abort', onAbort, { once: true });
      flight.then(
        (token) => {
          signal.removeEventListener('abort', onAbort);
          resolve(token);
        },
        (error: unknown) => {
          signal.removeEventListener('abort', onAbort);
          reject(error);
        },
      );
    });
  }

  #aborted(signal: AbortSignal): RequestAbortedException {
    return new RequestAbortedException(`Waiting for a token for "${this.serviceName}" was aborted`, {
      cause: signal.reason,
    });
  }

  #acquire(reason: Reason): Promise<TokenData> {
    if (this.#flight) return this.#flight;
    const flight = this.#obtain(reason);
    this.#flight = flight;
    const clear = () => {
      if (this.#flight === flight) this.#flight = undefined;
    };
    // Also marks the flight as handled: a background failure with no waiter is not an unhandled rejection.
    flight.then(clear, clear);
    return flight;
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

  async #obtain(reason: Reason): Promise<TokenData> {
    const previous = this.#current ?? this.#previous;
    // Another caller, process or host may have renewed it already.
    const stored = reason === 'forced' ? undefined : await this.#store.read();
    if (stored && this.#adoptable(stored, reason, previous)) {
      this.#install(stored, false);
      return stored;
    }
    const lock = await this.#lock(reason, previous);
    if (lock.kind === 'adopted') {
      this.#install(lock.token, false);
      return lock.token;
    }
    try {
      let base = previous;
      const latest = lock.kind === 'held' ? await this.#store.read() : stored;
      if (
        latest &&
        lock.kind === 'held' &&
        reason !== 'forced' &&
        this.#adoptable(latest, reason, previous)
      ) {
        this.#install(latest, false);
        return latest;
      }
      // Inside the lock the stored refresh token is the newest one (another process may have rotated ours).
      if (latest?.refreshToken && !this.#rejected.includes(latest.accessToken)) base = latest;
      return await this.#fetch(reason, base);
    } finally {
      if (lock.kind === 'held') await this.#store.unlock(lock.lock);
    }
  }

  /**
   * Takes the storage's cross-process lock when it has one. While another process holds it, waits
   * for that process's token to appear in the storage (bounded by `fetchTimeoutMs`, then fetches
   * anyway). A background renewal never waits: someone else is already renewing.
   */
  async #lock(reason: Reason, previous: TokenData | undefined): Promise<LockOutcome> {
    if (!this.#store.canLock) return NO_LOCK;
    // Real time, not the injectable token clock: this bounds an actual wait.
    const deadline = performance.now() + this.#fetchTimeoutMs;
    let delay = 20;
    for (;;) {
      const lock = await this.#store.tryLock(this.#lockTtlMs);
      if (lock === STORAGE_FAILED) return NO_LOCK;
      if (lock) return { kind: 'held', lock };
      if (reason === 'background' && previous) return { kind: 'adopted', token: previous };
      await new Promise((resolve) => setTimeout(resolve, delay * (0.5 + Math.random())));
      delay = Math.min(delay * 2, 250);
      const stored = await this.#store.read();
      if (stored && this.#adoptable(stored, reason, previous)) return { kind: 'adopted', token: stored };
      if (performance.now() >= deadline) return NO_LOCK;
    }
  }

  async #fetch(reason: Reason, base: TokenData | undefined): Promise<TokenData> {
    // Replacing a token we had is a refresh (the provider decides how: refresh token, new grant,
    // pipeline re-run); only a cold start is a plain fetch.
    const useRefresh = base !== undefined;
    const started = this.#now();
    let token: TokenData;
    try {
      token = await this.#callProvider(
        useRefresh
          ? () => this.provider.refreshToken(base!, { reason: REFRESH_REASONS[reason] })
          : () => this.provider.fetchToken(),
      );
    } catch (error) {
      this.#stats.failures++;
      publish(channels.tokenError, () => ({
        serviceName: this.serviceName,
        reason,
        error: error instanceof Error ? error.name : 'Error',
        code: error instanceof HttpClientException ? error.code : undefined,
        oauthError: error instanceof AuthenticationException ? error.error : undefined,
      }));
      throw error;
    }
    if (useRefresh) this.#stats.refreshes++;
    else this.#stats.fetches++;
    this.#install(token, reason === 'invalidated' || reason === 'forced');
    const channel = useRefresh ? channels.tokenRefresh : channels.tokenFetch;
    publish(channel, () => ({
      serviceName: this.serviceName,
      reason,
      grant: base?.refreshToken ? 'refresh_token' : 'new',
      durationMs: this.#now() - started,
      expiresAt: token.expiresAt?.toISOString(),
      rotatedRefreshToken: base?.refreshToken !== undefined && token.refreshToken !== base.refreshToken,
      fingerprint: fingerprint(token),
    }));
    await this.#store.write(token);
    return token;
  }

  #adoptable(stored: TokenData, reason: Reason, previous: TokenData | undefined): boolean {
    if (this.#rejected.includes(stored.accessToken)) return false;
    const schedule = scheduleOf(stored, { refreshLeewayMs: this.#refreshLeewayMs });
    const now = this.#now();
    if (now >= schedule.usableUntil) return false;
    if (reason === 'forced') return stored.accessToken !== previous?.accessToken;
    // In the background we only want something fresher than what we are already serving.
    if (reason === 'background')
      return now < schedule.refreshFrom && stored.accessToken !== previous?.accessToken;
    return true;
  }

  #install(token: TokenData, forced: boolean): void {
    this.#current = token;
    this.#previous = token;
    this.#invalidated = false;
    this.#schedule = scheduleOf(token, { refreshLeewayMs: this.#refreshLeewayMs });
    const now = this.#now();
    // A server that hands out an already ageing token would trigger a renewal per request; wait for the hard expiry instead.
    this.#backgroundBlockedUntil = now >= this.#schedule.refreshFrom ? this.#schedule.usableUntil : 0;
    if (forced) {
      this.#forcedToken = token.accessToken;
      this.#forcedAt = now;
    }
  }

  async #callProvider(call: () => Promise<TokenData>): Promise<TokenData> {
    const timeoutMs = this.#fetchTimeoutMs;
    const timedOut = () =>
      new AuthenticationException(
        `Token request for "${this.serviceName}" did not complete within ${timeoutMs} ms`,
        {
          serviceName: this.serviceName,
        },
      );
    try {
      return this.#asToken(await withDeadline<unknown>(call, timeoutMs, timedOut));
    } catch (error) {
      throw this.#asAuthenticationError(error);
    }
  }

  #asToken(value: unknown): TokenData {
    if (value instanceof TokenData) return value;
    if (
      value &&
      typeof value === 'object' &&
      typeof (value as { accessToken?: unknown }).accessToken === 'string'
    ) {
      try {
        return new TokenData(value as ConstructorParameters<typeof TokenData>[0]);
      } catch (error) {
        throw new AuthenticationException(
          `Token provider for "${this.serviceName}" returned an unusable token`,
          {
            serviceName: this.serviceName,
            cause: error,
          },
        );
      }
    }
    throw new AuthenticationException(`Token provider for "${this.serviceName}" returned no TokenData`, {
      serviceName: this.serviceName,
    });
  }

  #asAuthenticationError(error: unknown): AuthenticationException {
    if (error instanceof AuthenticationException) return error;
    const detail =
      error instanceof HttpClientException ? error.code : error instanceof Error ? error.name : typeof error;
    return new AuthenticationException(`Token provider for "${this.serviceName}" failed (${detail})`, {
      serviceName: this.serviceName,
      cause: error,
    });
  }

  toJSON(): Record<string, unknown> {
    return {
      serviceName: this.serviceName,
      cacheKey: this.cacheKey,
      token: this.#current ? String(this.#current) : undefined,
      stats: this.stats,
    };
  }

  [INSPECT](): string {
    return `TokenManager ${JSON.stringify(this.toJSON())}`;
  }
}
