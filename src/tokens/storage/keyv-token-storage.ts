import { TokenData, type TokenDataJSON } from 'requestforge';
import { optionKeys, readOptions } from '../../checks/options';
import type { TokenStorage } from '../token-storage';
import { storedUntil } from './retention';
import { type EncryptionKeyOption, EncryptionKeys } from './token-cipher';

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
  /**
   * A Keyv instance fronting any store: Redis, Memcached, Postgres, MySQL, SQLite, MongoDB, a Map…
   * @default none (required)
   * @example new KeyvTokenStorage({ keyv: new Keyv() })
   */
  readonly keyv: KeyvLike;
  /**
   * Prefix of every key: `<keyPrefix>:<cache key>`.
   * @default 'requestforge'
   * @example new KeyvTokenStorage({ keyv, keyPrefix: 'api_tokens' })
   */
  readonly keyPrefix?: string;
  /**
   * A 32-byte key (bytes, hex or base64): tokens are then stored AES-256-GCM encrypted, bound to
   * their Keyv key, as with `RedisTokenStorage`. A list `[current, ...previous]` rotates keys:
   * values are written with the first and read with whichever key the value names.
   * @default none: stored as JSON
   * @example new KeyvTokenStorage({ keyv, encryptionKey: process.env.TOKEN_KEY! })
   */
  readonly encryptionKey?: EncryptionKeyOption;
}

const KEYS = optionKeys<KeyvTokenStorageOptions>()({ keyv: true, keyPrefix: true, encryptionKey: true });

/** What an encrypting storage writes: the id of the key and the AES-256-GCM ciphertext of the token. */
interface SealedEntry {
  readonly v: 1;
  readonly kid: string;
  readonly sealed: string;
}

/** The token JSON inside a sealed entry; throws for anything else (a plaintext token included: no downgrade). */
function openEntry(value: unknown, keys: EncryptionKeys, boundTo: string): string {
  const entry = (value ?? {}) as Partial<SealedEntry>;
  if (entry.v !== 1 || typeof entry.kid !== 'string' || typeof entry.sealed !== 'string') {
    throw new TypeError('not a sealed token');
  }
  return keys.open({ kid: entry.kid, sealed: entry.sealed }, boundTo);
}

/**
 * Tokens in any cache that Keyv fronts — the counterpart of the Python guide's Django cache
 * storage. Entries expire with their token; an unreadable value is a miss; with `encryptionKey`
 * the cache holds only ciphertext. Keyv has no atomic lock, so each process fetches its own token
 * on a miss (use `RedisTokenStorage` for one fetch per fleet).
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
  /** True when values are stored AES-256-GCM encrypted (an `encryptionKey` was given). */
  readonly encrypted: boolean;
  readonly #keyv: KeyvLike;
  readonly #keys: EncryptionKeys | undefined;

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
    this.#keys =
      options.encryptionKey === undefined
        ? undefined
        : EncryptionKeys.from(options.encryptionKey, 'KeyvTokenStorage');
    this.encrypted = this.#keys !== undefined;
  }

  #key(key: string): string {
    return this.keyPrefix ? `${this.keyPrefix}:${key}` : key;
  }

  /** The stored token, or `undefined`. */
  async get(key: string): Promise<TokenData | undefined> {
    const keyvKey = this.#key(key);
    const raw = await this.#keyv.get(keyvKey);
    if (raw === undefined || raw === null) return undefined;
    try {
      const value: unknown = typeof raw === 'string' ? JSON.parse(raw) : raw;
      const token = this.#keys
        ? TokenData.fromJSON(openEntry(value, this.#keys, keyvKey))
        : TokenData.fromJSON(value as TokenDataJSON);
      const until = storedUntil(token);
      return until !== undefined && until <= Date.now() ? undefined : token;
    } catch {
      return undefined;
    }
  }

  /**
   * Stores a token with its remaining lifetime as the TTL; one that holds a refresh token is kept
   * for the refresh token's lifetime (see `storedUntil`).
   */
  async set(key: string, token: TokenData): Promise<void> {
    let ttlMs: number | undefined;
    const until = storedUntil(token);
    if (until !== undefined) {
      ttlMs = Math.floor(until - Date.now());
      if (ttlMs <= 0) return;
    }
    const keyvKey = this.#key(key);
    const json = JSON.stringify(token.toJSON());
    const value = this.#keys ? JSON.stringify({ v: 1, ...this.#keys.seal(json, keyvKey) }) : json;
    await this.#keyv.set(keyvKey, value, ttlMs);
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
    return { type: 'KeyvTokenStorage', keyPrefix: this.keyPrefix, encrypted: this.#keys !== undefined };
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `KeyvTokenStorage ${JSON.stringify(this.toJSON())}`;
  }
}
