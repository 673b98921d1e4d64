import { describeError } from '../checks/describe-error';
import { unsendableToken } from '../checks/syntax';
import type { Logger } from '../hooks/types';
import { withDeadline } from './deadline';
import { TokenData } from './token-data';
import type { TokenEndpointThrottle, TokenStorage, TokenStorageLock } from './token-storage';

/** What a failed storage call yields: distinct from "nothing stored". */
export const STORAGE_FAILED: unique symbol = Symbol('storage-failed');

class StorageTimeoutError extends Error {}

/** A logger that receives storage warnings (and, optionally, the recovery notice). */
export type StorageLogger = Pick<Logger, 'warn'> & Partial<Pick<Logger, 'info'>>;

export interface GuardedStorageOptions {
  /** The longest wait for one storage call. */
  readonly timeoutMs: number;
  /** After a failure, the storage is left alone for this long. */
  readonly retryMs: number;
  /** Who uses the storage, for log lines (a service name, a pipeline). */
  readonly owner: string;
  readonly logger: StorageLogger;
  readonly now: () => number;
}

/**
 * A token storage made safe for the request path: every call is bounded by a timeout, a failure
 * is logged once and the storage is then left alone for `retryMs`, and anything that is not a
 * `TokenData` reads as nothing. A failing storage never fails a request: callers just fetch.
 * One guard per storage user: the back-off covers every key it reads.
 */
export class GuardedStorage {
  readonly #storage: TokenStorage;
  readonly #options: GuardedStorageOptions;
  #down = false;
  #skipUntil = 0;

  constructor(storage: TokenStorage, options: GuardedStorageOptions) {
    this.#storage = storage;
    this.#options = options;
  }

  /** True when the storage offers a cross-process lock. */
  get canLock(): boolean {
    return typeof this.#storage.acquireLock === 'function';
  }

  /** The stored token, or `undefined` (nothing stored, garbage, or the storage is unreachable). */
  async read(key: string): Promise<TokenData | undefined> {
    const stored = await this.lookup(key);
    return stored === STORAGE_FAILED ? undefined : stored;
  }

  /** Like {@link read}, but tells an unreachable storage (`STORAGE_FAILED`) from an empty one. */
  async lookup(key: string): Promise<TokenData | undefined | typeof STORAGE_FAILED> {
    const stored = await this.#call('get', key, () => this.#storage.get(key));
    if (stored === STORAGE_FAILED) return stored;
    if (stored instanceof TokenData) {
      // Another process (or a tampered storage) may have written a token no request could carry.
      if (unsendableToken(stored.accessToken, stored.tokenType === '') === undefined) return stored;
      this.#warn('get', key, new TypeError('the stored token cannot be sent in a header'));
      return undefined;
    }
    if (stored === undefined || stored === null) return undefined;
    this.#warn('get', key, new TypeError('the storage returned something that is not a TokenData'));
    return undefined;
  }

  async write(key: string, token: TokenData): Promise<void> {
    await this.#call('set', key, () => this.#storage.set(key, token));
  }

  async remove(key: string): Promise<void> {
    await this.#call('delete', key, () => this.#storage.delete(key));
  }

  /** Compare-and-delete: another process may already have stored a newer token. */
  async removeIfHolds(key: string, accessToken: string): Promise<void> {
    if ((await this.read(key))?.accessToken === accessToken) await this.remove(key);
  }

  /** The lock, `undefined` while someone else holds it, `STORAGE_FAILED` when the storage failed. */
  tryLock(key: string, ttlMs: number): Promise<TokenStorageLock | undefined | typeof STORAGE_FAILED> {
    return this.#call('lock', key, () => this.#storage.acquireLock!(key, ttlMs));
  }

  async unlock(key: string, lock: TokenStorageLock): Promise<void> {
    await this.#call('unlock', key, () => lock.release());
  }

  /** True when the storage shares token-endpoint throttles between processes. */
  get sharesThrottle(): boolean {
    return typeof this.#storage.getThrottle === 'function' && typeof this.#storage.setThrottle === 'function';
  }

  /** The throttle another process stored for `key`; nothing when none, garbage, or the storage failed. */
  async readThrottle(key: string): Promise<TokenEndpointThrottle | undefined> {
    if (!this.sharesThrottle) return undefined;
    const found = await this.#call('getThrottle', key, () => this.#storage.getThrottle!(key));
    if (found === STORAGE_FAILED || found === null || typeof found !== 'object') return undefined;
    const { retryAfterMs, statusCode } = found;
    if (typeof retryAfterMs !== 'number' || !Number.isFinite(retryAfterMs) || retryAfterMs <= 0)
      return undefined;
    return { retryAfterMs, statusCode: typeof statusCode === 'number' ? statusCode : undefined };
  }

  async writeThrottle(key: string, throttle: TokenEndpointThrottle): Promise<void> {
    if (this.sharesThrottle)
      await this.#call('setThrottle', key, () => this.#storage.setThrottle!(key, throttle));
  }

  async #call<T>(
    operation: string,
    key: string,
    run: () => T | Promise<T>,
  ): Promise<T | typeof STORAGE_FAILED> {
    const { timeoutMs, retryMs, now, logger, owner } = this.#options;
    if (this.#down && now() < this.#skipUntil) return STORAGE_FAILED;
    try {
      const result = await withDeadline(
        run,
        timeoutMs,
        () => new StorageTimeoutError(`timed out after ${timeoutMs} ms`),
      );
      if (this.#down) {
        this.#down = false;
        logger.info?.(`requestforge: token storage of ${owner} is reachable again`);
      }
      return result;
    } catch (error) {
      this.#warn(operation, key, error);
      this.#skipUntil = now() + retryMs;
      return STORAGE_FAILED;
    }
  }

  #warn(operation: string, key: string, error: unknown): void {
    if (this.#down) return;
    this.#down = true;
    // Only the error's kind (and our own timeout text): a storage's message may quote what it was given.
    const what = error instanceof StorageTimeoutError ? error.message : describeError(error);
    this.#options.logger.warn(
      `requestforge: token storage ${operation} of "${key}" for ${this.#options.owner} failed (${what}); fetching tokens directly until it recovers`,
    );
  }
}
