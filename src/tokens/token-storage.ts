import type { TokenData } from './token-data';

/** A value or a promise of it: storages may be synchronous or asynchronous. */
export type Awaitable<T> = T | Promise<T>;

/** A token endpoint's request to wait, shared by every process using a storage. */
export interface TokenEndpointThrottle {
  /** How long from now no token request may be sent, in ms. */
  readonly retryAfterMs: number;
  /** The status that asked for the wait (429 or 503). */
  readonly statusCode?: number;
}

/** A held cross-process lock. */
export interface TokenStorageLock {
  /** Releases the lock if it is still ours (never someone else's after it expired). */
  release(): Promise<void>;
}

/**
 * Where tokens live between requests: process memory, Redis, any Keyv store, your own.
 * `TokenManager` keeps a valid token in process memory too, so a shared storage is only read on
 * a local miss or expiry, and an unreachable storage never fails a request.
 *
 * @example
 * ```ts
 * const storage: TokenStorage = {
 *   get: async (key) => { const raw = await db.read(key); return raw ? TokenData.fromJSON(raw) : undefined; },
 *   set: async (key, token) => db.write(key, JSON.stringify(token)),
 *   delete: async (key) => db.remove(key),
 *   exists: async (key) => (await db.read(key)) !== undefined,
 * };
 * ```
 */
export interface TokenStorage {
  /** The token stored under `key`, or nothing. */
  get(key: string): Awaitable<TokenData | undefined | null>;
  /** Stores `token` under `key`. */
  set(key: string, token: TokenData): Awaitable<void>;
  /** Removes the token under `key`. */
  delete(key: string): Awaitable<void>;
  /** True when a token is stored under `key`. */
  exists(key: string): Awaitable<boolean>;
  /**
   * Optional: true when values are encrypted at rest. A DPoP provider with a generated key
   * stores the private key with the token, in a shared storage that says so only.
   * `RedisTokenStorage` and `KeyvTokenStorage` set it when given an `encryptionKey`.
   * @default false
   * @example const storage = { get, set, delete: remove, exists, encrypted: true };
   */
  readonly encrypted?: boolean;
  /**
   * Optional: a lock shared by every process using this storage, so one fetch per expiry happens
   * for the whole fleet. Resolves `undefined` when another holder has it. `RedisTokenStorage` has one.
   */
  acquireLock?(key: string, ttlMs: number): Promise<TokenStorageLock | undefined>;
  /**
   * Optional, with {@link TokenStorage.setThrottle}: the wait a token endpoint asked for (429/503
   * `Retry-After`) on the token stored under `key`, so one process's 429 stops the whole fleet
   * until then. Resolves the remaining wait, or nothing. `RedisTokenStorage` and
   * `InMemoryTokenStorage` have it; keep it next to the token (same Redis hash slot).
   * @example
   * ```ts
   * getThrottle: async (key) => { const ms = await db.ttl(`${key}:throttle`); return ms > 0 ? { retryAfterMs: ms } : undefined; },
   * ```
   */
  getThrottle?(key: string): Awaitable<TokenEndpointThrottle | undefined | null>;
  /**
   * Optional: remembers `throttle` for `key` for `throttle.retryAfterMs` (see {@link TokenStorage.getThrottle}).
   * @example
   * ```ts
   * setThrottle: (key, throttle) => db.write(`${key}:throttle`, JSON.stringify(throttle), { ttlMs: throttle.retryAfterMs }),
   * ```
   */
  setThrottle?(key: string, throttle: TokenEndpointThrottle): Awaitable<void>;
}
