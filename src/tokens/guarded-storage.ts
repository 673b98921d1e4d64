import type { Logger } from '../hooks/types';
import { withDeadline } from './deadline';
import { TokenData } from './token-data';
import type { TokenStorage, TokenStorageLock } from './token-storage';

/** What a failed storage call yields: distinct from "nothing stored". */
export const STORAGE_FAILED: unique symbol = Symbol('storage-failed');

export interface GuardedStorageOptions {
  readonly timeoutMs: number;
  readonly retryMs: number;
  readonly serviceName: string;
  readonly logger: Pick<Logger, 'warn'> & Partial<Pick<Logger, 'info'>>;
  readonly now: () => number;
}

/**
 * One token's storage, made safe for the request path: every call is bounded by a timeout, a
 * failure is logged once and the storage is then left alone for `retryMs`, and anything that is
 * not a `TokenData` reads as nothing. A failing storage never fails a request; the manager just
 * fetches directly.
 */
export class GuardedStorage {
  readonly #storage: TokenStorage;
  readonly #key: string;
  readonly #options: GuardedStorageOptions;
  #down = false;
  #skipUntil = 0;

  constructor(storage: TokenStorage, key: string, options: GuardedStorageOptions) {
    this.#storage = storage;
    this.#key = key;
    this.#options = options;
  }

  /** True when the storage offers a cross-process lock. */
  get canLock(): boolean {
    return typeof this.#storage.acquireLock === 'function';
  }

  /** The stored token, or `undefined` (nothing stored, garbage, or the storage is unreachable). */
  async read(): Promise<TokenData | undefined> {
    const stored = await this.#call('get', () => this.#storage.get(this.#key));
    if (stored === STORAGE_FAILED || stored === undefined || stored === null) return undefined;
    if (stored instanceof TokenData) return stored;
    this.#warn('get', new TypeError('the storage returned something that is not a TokenData'));
    return undefined;
  }

  async write(token: TokenData): Promise<void> {
    await this.#call('set', () => this.#storage.set(this.#key, token));
  }

  async remove(): Promise<void> {
    await this.#call('delete', () => this.#storage.delete(this.#key));
  }

  /** Compare-and-delete: another process may already have stored a newer token. */
  async removeIfHolds(accessToken: string): Promise<void> {
    if ((await this.read())?.accessToken === accessToken) await this.remove();
  }

  /** The lock, `undefined` while someone else holds it, `STORAGE_FAILED` when the storage failed. */
  tryLock(ttlMs: number): Promise<TokenStorageLock | undefined | typeof STORAGE_FAILED> {
    return this.#call('lock', () => this.#storage.acquireLock!(this.#key, ttlMs));
  }

  async unlock(lock: TokenStorageLock): Promise<void> {
    await this.#call('unlock', () => lock.release());
  }

  async #call<T>(operation: string, run: () => T | Promise<T>): Promise<T | typeof STORAGE_FAILED> {
    const { timeoutMs, retryMs, now, logger, serviceName } = this.#options;
    if (this.#down && now() < this.#skipUntil) return STORAGE_FAILED;
    try {
      const result = await withDeadline(run, timeoutMs, () => new Error(`timed out after ${timeoutMs} ms`));
      if (this.#down) {
        this.#down = false;
        logger.info?.(`requestforge: token storage for "${serviceName}" is reachable again`);
      }
      return result;
    } catch (error) {
      this.#warn(operation, error);
      this.#skipUntil = now() + retryMs;
      return STORAGE_FAILED;
    }
  }

  #warn(operation: string, error: unknown): void {
    if (this.#down) return;
    this.#down = true;
    const what = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    this.#options.logger.warn(
      `requestforge: token storage ${operation} for "${this.#options.serviceName}" failed (${what.slice(0, 200)}); fetching tokens directly until it recovers`,
    );
  }
}
