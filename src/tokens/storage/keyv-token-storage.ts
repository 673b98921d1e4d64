import { TokenData, type TokenDataJSON } from 'requestforge';
import { optionKeys, readOptions } from '../../checks/options';
import type { TokenStorage } from '../token-storage';

/** The little of a Keyv instance we need (Keyv 4 and 5 fit). */
export interface KeyvLike {
  /** Reads the value under `key`. */
  get(key: string): Promise<unknown>;
  /** Writes `value` under `key`, for `ttl` milliseconds when given. */
  set(key: string, value: unknown, ttl?: number): Promise<unknown>;
  /** Removes the value under `key`. */
  delete(key: string): Promise<unknown>;
  /** True when `key` holds a value. */
  has?(key: string): Promise<boolean>;
}

/** Options of {@link KeyvTokenStorage}. */
export interface KeyvTokenStorageOptions {
  /** A Keyv instance fronting any store: Redis, Memcached, Postgres, MySQL, SQLite, MongoDB, a Map… */
  readonly keyv: KeyvLike;
  /**
   * Prefix of every key: `<keyPrefix>:<cache key>`.
   * @default 'requestforge'
   */
  readonly keyPrefix?: string;
}

const KEYS = optionKeys<KeyvTokenStorageOptions>()({ keyv: true, keyPrefix: true });

/**
 * Tokens in any cache that Keyv fronts — the counterpart of the Python guide's Django cache
 * storage. Entries expire with their token; an unreadable value is a miss. Keyv has no atomic
 * lock, so each process fetches its own token on a miss (use `RedisTokenStorage` for one fetch
 * per fleet).
 *
 * Import it from `requestforge/keyv`; `keyv` is an optional peer dependency.
 *
 * @example
 * ```ts
 * import Keyv from 'keyv';
 * import KeyvRedis from '@keyv/redis';
 * import { KeyvTokenStorage } from 'requestforge/keyv';
 *
 * const storage = new KeyvTokenStorage({ keyv: new Keyv(new KeyvRedis('redis://127.0.0.1:6379/1')), keyPrefix: 'api_tokens' });
 * ```
 */
export class KeyvTokenStorage implements TokenStorage {
  /** Prefix of every key: `<keyPrefix>:<cache key>`. */
  readonly keyPrefix: string;
  readonly #keyv: KeyvLike;

  constructor(given: KeyvTokenStorageOptions) {
    const options = readOptions(given, 'KeyvTokenStorage', KEYS);
    const keyv = options.keyv;
    if (
      !keyv ||
      typeof keyv.get !== 'function' ||
      typeof keyv.set !== 'function' ||
      typeof keyv.delete !== 'function'
    ) {
      throw new TypeError('KeyvTokenStorage: keyv must be a Keyv instance');
    }
    const prefix = options.keyPrefix ?? 'requestforge';
    if (typeof prefix !== 'string') throw new TypeError('KeyvTokenStorage: keyPrefix must be a string');
    this.#keyv = keyv;
    this.keyPrefix = prefix;
  }

  #key(key: string): string {
    return this.keyPrefix ? `${this.keyPrefix}:${key}` : key;
  }

  /** The stored token, or `undefined`. */
  async get(key: string): Promise<TokenData | undefined> {
    const raw = await this.#keyv.get(this.#key(key));
    if (raw === undefined || raw === null) return undefined;
    try {
      const token = TokenData.fromJSON(typeof raw === 'string' ? raw : (raw as TokenDataJSON));
      return token.expiresAt && token.expiresAt.getTime() <= Date.now() ? undefined : token;
    } catch {
      return undefined;
    }
  }

  /** Stores a token with its remaining lifetime as the TTL. */
  async set(key: string, token: TokenData): Promise<void> {
    let ttlMs: number | undefined;
    if (token.expiresAt) {
      ttlMs = Math.floor(token.expiresAt.getTime() - Date.now());
      if (ttlMs <= 0) return;
    }
    await this.#keyv.set(this.#key(key), JSON.stringify(token.toJSON()), ttlMs);
  }

  /** Removes a token. */
  async delete(key: string): Promise<void> {
    await this.#keyv.delete(this.#key(key));
  }

  /** True when a token is stored. */
  async exists(key: string): Promise<boolean> {
    return (await this.get(key)) !== undefined;
  }

  /** A secret-free description, for logs and `JSON.stringify`. */
  toJSON(): Record<string, unknown> {
    return { type: 'KeyvTokenStorage', keyPrefix: this.keyPrefix };
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `KeyvTokenStorage ${JSON.stringify(this.toJSON())}`;
  }
}
