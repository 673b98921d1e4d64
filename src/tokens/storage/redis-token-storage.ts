import { randomUUID } from 'node:crypto';
import { TokenData, type TokenDataJSON } from 'requestforge';
import { optionKeys, readOptions } from '../../checks/options';
import type { TokenEndpointThrottle, TokenStorage, TokenStorageLock } from '../token-storage';
import {
  type RedisArgument,
  type RedisClientLike,
  type RedisCommand,
  redisClientKind,
  redisCommand,
} from './redis-commands';
import { storedUntil } from './retention';
import { type EncryptionKeyOption, EncryptionKeys } from './token-cipher';

/** Options of {@link RedisTokenStorage}. */
export interface RedisTokenStorageOptions {
  /**
   * A connected client: ioredis `Redis` (standalone or Sentinel) or `Cluster`, or a node-redis
   * v4/v5 client from `createClient`, `createCluster` or `createSentinel`. Every command touches
   * one key and is routed by it. Tip: `enableOfflineQueue: false` (ioredis) makes commands fail
   * fast while Redis is down instead of queueing.
   * @default none (required)
   * @example new RedisTokenStorage({ client: new Redis.Cluster([{ host: 'redis-1', port: 6379 }]) })
   */
  readonly client: RedisClientLike;
  /**
   * Prefix of every key: `<keyPrefix>:<cache key>` (the lock is `<that>:lock`). On a Redis Cluster,
   * a hash tag such as `'{rf}'` puts every key of this storage in one slot (one shard).
   * @default 'requestforge'
   * @example new RedisTokenStorage({ client, keyPrefix: '{rf}' })
   */
  readonly keyPrefix?: string;
  /**
   * A 32-byte key (bytes, hex or base64): tokens are then stored AES-256-GCM encrypted, bound to
   * their Redis key. A list `[current, ...previous]` rotates keys: values are written with the
   * first and read with whichever key the value names (its key id), so a fleet rolls a new key in
   * two deploys without dropping stored tokens.
   * @default none: stored as JSON
   * @example new RedisTokenStorage({ client, encryptionKey: [process.env.TOKEN_KEY!, process.env.TOKEN_KEY_PREVIOUS!] })
   */
  readonly encryptionKey?: EncryptionKeyOption;
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
  /** The id of the key that sealed it (values written before key ids existed have none). */
  readonly kid?: string;
}

/**
 * Tokens in Redis, shared by every process and host: one fetch per expiry for the whole fleet
 * (with the lock), others read the shared token. Entries expire with their token (`PX`), values
 * are versioned (an unreadable value is a miss, never a crash) and can be encrypted.
 *
 * Works on a single Redis, behind Sentinel and on a Redis Cluster (ioredis or node-redis): every
 * command touches one key and is routed by it (see docs/deployment.md).
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
  /** Prefix of every key: `<keyPrefix>:<cache key>`. */
  readonly keyPrefix: string;
  /** True when values are stored AES-256-GCM encrypted (an `encryptionKey` was given). */
  readonly encrypted: boolean;
  readonly #send: RedisCommand;
  readonly #keys: EncryptionKeys | undefined;
  readonly #lock: boolean;

  constructor(given: RedisTokenStorageOptions) {
    const options = readOptions(given, 'RedisTokenStorage', KEYS);
    const kind = redisClientKind(options.client);
    if (!kind) {
      throw new TypeError(
        'RedisTokenStorage: client must be an ioredis or node-redis client (ioredis Redis or Cluster; node-redis createClient, createCluster or createSentinel)',
      );
    }
    this.#send = redisCommand(options.client, kind);
    const prefix = options.keyPrefix ?? 'requestforge';
    if (typeof prefix !== 'string') throw new TypeError('RedisTokenStorage: keyPrefix must be a string');
    this.keyPrefix = prefix;
    this.#keys =
      options.encryptionKey === undefined
        ? undefined
        : EncryptionKeys.from(options.encryptionKey, 'RedisTokenStorage');
    this.encrypted = this.#keys !== undefined;
    this.#lock = options.lock ?? true;
  }

  /**
   * Every command of this storage goes through here: it touches `key` only and is routed by it,
   * so it works on a Redis Cluster. New commands must keep to one key per command.
   */
  #run(key: string, command: string, ...args: RedisArgument[]): Promise<unknown> {
    return this.#send(key, [command, key, ...args]);
  }

  /** A Lua script on one key (`KEYS[1]`), routed by it like every other command. */
  #eval(script: string, key: string, ...args: RedisArgument[]): Promise<unknown> {
    return this.#send(key, ['EVAL', script, 1, key, ...args]);
  }

  #redisKey(key: string): string {
    return this.keyPrefix ? `${this.keyPrefix}:${key}` : key;
  }

  /** The stored token, or `undefined`. */
  async get(key: string): Promise<TokenData | undefined> {
    const redisKey = this.#redisKey(key);
    const raw = await this.#run(redisKey, 'GET');
    if (raw === null || raw === undefined) return undefined;
    try {
      const envelope = JSON.parse(String(raw)) as Envelope;
      if (envelope.v !== 1) return undefined;
      if (typeof envelope.sealed === 'string') {
        if (!this.#keys) return undefined;
        const sealed = { kid: envelope.kid, sealed: envelope.sealed };
        return TokenData.fromJSON(this.#keys.open(sealed, redisKey));
      }
      // An encrypted storage never accepts a plaintext value (no downgrade).
      return envelope.token && !this.#keys ? TokenData.fromJSON(envelope.token) : undefined;
    } catch {
      // Another version, another key, a tampered value: a miss, overwritten by the next fetch.
      return undefined;
    }
  }

  /**
   * Stores a token unless a newer one is there; it expires with the token, or — when it holds a
   * refresh token — with the refresh token (see `storedUntil`).
   */
  async set(key: string, token: TokenData): Promise<void> {
    const redisKey = this.#redisKey(key);
    const json = token.toJSON();
    const envelope: Envelope = this.#keys
      ? { v: 1, issuedAt: json.issuedAt, ...this.#keys.seal(JSON.stringify(json), redisKey) }
      : { v: 1, issuedAt: json.issuedAt, token: json };
    let ttlMs = 0;
    const until = storedUntil(token);
    if (until !== undefined) {
      ttlMs = Math.floor(until - Date.now());
      if (ttlMs <= 0) return;
    }
    await this.#eval(SET_IF_NEWER, redisKey, JSON.stringify(envelope), json.issuedAt, ttlMs);
  }

  /** Removes a token. */
  async delete(key: string): Promise<void> {
    const redisKey = this.#redisKey(key);
    await this.#run(redisKey, 'DEL');
  }

  /** True when a token is stored. */
  async exists(key: string): Promise<boolean> {
    const redisKey = this.#redisKey(key);
    return Number(await this.#run(redisKey, 'EXISTS')) > 0;
  }

  /** `SET NX PX` with a random owner id; released by compare-and-delete. */
  async acquireLock(key: string, ttlMs: number): Promise<TokenStorageLock | undefined> {
    if (!this.#lock) return { release: async () => undefined };
    const lockKey = `${this.#redisKey(key)}:lock`;
    const owner = randomUUID();
    const taken = await this.#run(lockKey, 'SET', owner, 'PX', Math.max(1, Math.ceil(ttlMs)), 'NX');
    if (taken === null || taken === undefined) return undefined;
    return {
      release: async () => {
        await this.#eval(RELEASE_LOCK, lockKey, owner);
      },
    };
  }

  /** A secret-free description, for logs and `JSON.stringify`. */
  toJSON(): Record<string, unknown> {
    return {
      type: 'RedisTokenStorage',
      keyPrefix: this.keyPrefix,
      encrypted: this.#keys !== undefined,
      lock: this.#lock,
    };
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `RedisTokenStorage ${JSON.stringify(this.toJSON())}`;
  }

  // Token-endpoint throttles, shared by the fleet. The key sits next to the token's
  // (`<token key>:throttle`, like the lock), so a hash tag in keyPrefix keeps it in the token's
  // Redis Cluster slot; every command touches that one key.

  /** The remaining wait a token endpoint asked for on `key` (from the key's TTL: no clock skew between hosts). */
  async getThrottle(key: string): Promise<TokenEndpointThrottle | undefined> {
    const found = await this.#eval(READ_THROTTLE, `${this.#redisKey(key)}:throttle`);
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
    await this.#run(`${this.#redisKey(key)}:throttle`, 'SET', value, 'PX', ttlMs);
  }
}

// The throttle's value and its remaining TTL in one round trip.
const READ_THROTTLE = `
local value = redis.call('GET', KEYS[1])
if not value then return nil end
return { value, redis.call('PTTL', KEYS[1]) }`;
