import { randomUUID } from 'node:crypto';
import { TokenData, type TokenDataJSON } from 'requestforge';
import { optionKeys, readOptions } from '../../checks/options';
import type { TokenEndpointThrottle, TokenStorage, TokenStorageLock } from '../token-storage';
import { aes256Key, decrypt, encrypt } from './token-cipher';

/** The little of a Redis client we need: ioredis (`call`) and node-redis (`sendCommand`) both fit. */
export type RedisClientLike =
  | { call(command: string, ...args: Array<string | number>): Promise<unknown> }
  | { sendCommand(args: string[]): Promise<unknown> };

/** Options of {@link RedisTokenStorage}. */
export interface RedisTokenStorageOptions {
  /**
   * A connected ioredis client (or a node-redis v4/v5 client). Tip: `enableOfflineQueue: false`
   * (ioredis) makes commands fail fast while Redis is down instead of queueing.
   */
  readonly client: RedisClientLike;
  /**
   * Prefix of every key: `<keyPrefix>:<cache key>`.
   * @default 'requestforge'
   */
  readonly keyPrefix?: string;
  /**
   * A 32-byte key (bytes, hex or base64): tokens are then stored AES-256-GCM encrypted, bound to their key.
   * @default none: stored as JSON
   */
  readonly encryptionKey?: Uint8Array | string;
  /**
   * Offer the cross-process refresh lock, so one process fetches per expiry and the others wait
   * for its token.
   * @default true
   */
  readonly lock?: boolean;
}

// Writes only if there is no value or ours was issued later: a slow process never replaces a newer token.
const SET_IF_NEWER = `
local current = redis.call('GET', KEYS[1])
if current then
  local ok, decoded = pcall(cjson.decode, current)
  if ok and type(decoded) == 'table' and tonumber(decoded.issuedAt) and tonumber(decoded.issuedAt) > tonumber(ARGV[2]) then
    return 0
  end
end
if tonumber(ARGV[3]) > 0 then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])
else
  redis.call('SET', KEYS[1], ARGV[1])
end
return 1`;

// Deletes the lock only if it still holds our id (it may have expired and been taken by another process).
const RELEASE_LOCK = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0`;

const KEYS = optionKeys<RedisTokenStorageOptions>()({
  client: true,
  keyPrefix: true,
  encryptionKey: true,
  lock: true,
});

interface Envelope {
  readonly v: 1;
  readonly issuedAt: number;
  /** The token's storage form, or its AES-256-GCM ciphertext. */
  readonly token?: TokenDataJSON;
  readonly sealed?: string;
}

/**
 * Tokens in Redis, shared by every process and host: one fetch per expiry for the whole fleet
 * (with the lock), others read the shared token. Entries expire with their token (`PX`), values
 * are versioned (an unreadable value is a miss, never a crash) and can be encrypted.
 *
 * Import it from `requestforge/redis`; `ioredis` (or `redis`) is an optional peer dependency.
 *
 * @example
 * ```ts
 * import Redis from 'ioredis';
 * import { RedisTokenStorage } from 'requestforge/redis';
 *
 * const storage = new RedisTokenStorage({ client: new Redis(process.env.REDIS_URL!), encryptionKey: process.env.TOKEN_KEY });
 * const manager = new TokenManager(provider, storage);
 * ```
 */
export class RedisTokenStorage implements TokenStorage {
  readonly keyPrefix: string;
  readonly #command: (args: Array<string | number>) => Promise<unknown>;
  readonly #key: Buffer | undefined;
  readonly #lock: boolean;

  constructor(given: RedisTokenStorageOptions) {
    const options = readOptions(given, 'RedisTokenStorage', KEYS);
    const client = options.client as { call?: unknown; sendCommand?: unknown } | undefined;
    if (client && typeof client.call === 'function') {
      const ioredis = options.client as {
        call(command: string, ...args: Array<string | number>): Promise<unknown>;
      };
      this.#command = ([command, ...args]) => ioredis.call(String(command), ...args);
    } else if (client && typeof client.sendCommand === 'function') {
      const nodeRedis = options.client as { sendCommand(args: string[]): Promise<unknown> };
      this.#command = (args) => nodeRedis.sendCommand(args.map(String));
    } else {
      throw new TypeError('RedisTokenStorage: client must be an ioredis or node-redis client');
    }
    const prefix = options.keyPrefix ?? 'requestforge';
    if (typeof prefix !== 'string') throw new TypeError('RedisTokenStorage: keyPrefix must be a string');
    this.keyPrefix = prefix;
    this.#key = options.encryptionKey === undefined ? undefined : aes256Key(options.encryptionKey);
    this.#lock = options.lock ?? true;
  }

  #redisKey(key: string): string {
    return this.keyPrefix ? `${this.keyPrefix}:${key}` : key;
  }

  async get(key: string): Promise<TokenData | undefined> {
    const redisKey = this.#redisKey(key);
    const raw = await this.#command(['GET', redisKey]);
    if (raw === null || raw === undefined) return undefined;
    try {
      const envelope = JSON.parse(String(raw)) as Envelope;
      if (envelope.v !== 1) return undefined;
      if (envelope.sealed !== undefined) {
        if (!this.#key) return undefined;
        return TokenData.fromJSON(decrypt(envelope.sealed, this.#key, redisKey));
      }
      return envelope.token && !this.#key ? TokenData.fromJSON(envelope.token) : undefined;
    } catch {
      // Another version, another key, a tampered value: a miss, overwritten by the next fetch.
      return undefined;
    }
  }

  async set(key: string, token: TokenData): Promise<void> {
    const redisKey = this.#redisKey(key);
    const json = token.toJSON();
    const envelope: Envelope = this.#key
      ? { v: 1, issuedAt: json.issuedAt, sealed: encrypt(JSON.stringify(json), this.#key, redisKey) }
      : { v: 1, issuedAt: json.issuedAt, token: json };
    let ttlMs = 0;
    if (token.expiresAt) {
      ttlMs = Math.floor(token.expiresAt.getTime() - Date.now());
      if (ttlMs <= 0) return;
    }
    await this.#command(['EVAL', SET_IF_NEWER, 1, redisKey, JSON.stringify(envelope), json.issuedAt, ttlMs]);
  }

  async delete(key: string): Promise<void> {
    await this.#command(['DEL', this.#redisKey(key)]);
  }

  async exists(key: string): Promise<boolean> {
    return Number(await this.#command(['EXISTS', this.#redisKey(key)])) > 0;
  }

  /** `SET NX PX` with a random owner id; released by compare-and-delete. */
  async acquireLock(key: string, ttlMs: number): Promise<TokenStorageLock | undefined> {
    if (!this.#lock) return { release: async () => undefined };
    const lockKey = `${this.#redisKey(key)}:lock`;
    const owner = randomUUID();
    const taken = await this.#command(['SET', lockKey, owner, 'PX', Math.max(1, Math.ceil(ttlMs)), 'NX']);
    if (taken === null || taken === undefined) return undefined;
    return {
      release: async () => {
        await this.#command(['EVAL', RELEASE_LOCK, 1, lockKey, owner]);
      },
    };
  }

  toJSON(): Record<string, unknown> {
    return {
      type: 'RedisTokenStorage',
      keyPrefix: this.keyPrefix,
      encrypted: this.#key !== undefined,
      lock: this.#lock,
    };
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `RedisTokenStorage ${JSON.stringify(this.toJSON())}`;
  }

  // Token-endpoint throttles, shared by the fleet. The key sits next to the token's
  // (`<token key>:throttle`, like the lock), so whatever keeps the token key in one Redis Cluster
  // slot (a hash tag in keyPrefix) keeps this one there too.

  /** The remaining wait a token endpoint asked for on `key` (from the key's TTL: no clock skew between hosts). */
  async getThrottle(key: string): Promise<TokenEndpointThrottle | undefined> {
    const found = await this.#command(['EVAL', READ_THROTTLE, 1, `${this.#redisKey(key)}:throttle`]);
    if (!Array.isArray(found) || found.length !== 2) return undefined;
    const retryAfterMs = Number(found[1]);
    if (!Number.isFinite(retryAfterMs) || retryAfterMs <= 0) return undefined;
    try {
      const { statusCode } = JSON.parse(String(found[0])) as { statusCode?: unknown };
      return { retryAfterMs, statusCode: typeof statusCode === 'number' ? statusCode : undefined };
    } catch {
      return { retryAfterMs };
    }
  }

  /** Stores the wait for every process: `SET <token key>:throttle PX retryAfterMs`. */
  async setThrottle(key: string, throttle: TokenEndpointThrottle): Promise<void> {
    const ttlMs = Math.ceil(throttle.retryAfterMs);
    if (!(ttlMs > 0)) return;
    const value = JSON.stringify({ v: 1, statusCode: throttle.statusCode });
    await this.#command(['SET', `${this.#redisKey(key)}:throttle`, value, 'PX', ttlMs]);
  }
}

// The throttle's value and its remaining TTL in one round trip.
const READ_THROTTLE = `
local value = redis.call('GET', KEYS[1])
if not value then return nil end
return { value, redis.call('PTTL', KEYS[1]) }`;
