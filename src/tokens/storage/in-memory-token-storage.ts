import { optionKeys, readOptions } from '../../checks/options';
import type { TokenData } from '../token-data';
import type { TokenEndpointThrottle, TokenStorage } from '../token-storage';
import { storedUntil } from './retention';

/** Options of {@link InMemoryTokenStorage}. */
export interface InMemoryTokenStorageOptions {
  /**
   * The clock (epoch ms) that decides when a stored token (or a remembered token-endpoint
   * throttle) has expired, for tests.
   * @default Date.now
   * @example new InMemoryTokenStorage({ now: () => fakeNow })
   */
  readonly now?: () => number;
}

/**
 * Tokens in process memory (the default storage). Expired entries are dropped when read.
 * Not shared across processes: use `RedisTokenStorage` or `KeyvTokenStorage` for a fleet.
 * @example
 * ```ts
 * const manager = new TokenManager(provider, new InMemoryTokenStorage());
 * ```
 */
export class InMemoryTokenStorage implements TokenStorage {
  readonly #tokens = new Map<string, TokenData>();
  readonly #throttles = new Map<string, { readonly until: number; readonly statusCode?: number }>();
  readonly #now: () => number;

  constructor(options: InMemoryTokenStorageOptions = {}) {
    const own = readOptions(
      options,
      'InMemoryTokenStorage',
      optionKeys<InMemoryTokenStorageOptions>()({ now: true }),
    );
    this.#now = own.now ?? (() => Date.now());
  }

  /**
   * The stored token, or `undefined` when there is none or it has expired. An expired access
   * token that holds a refresh token is kept for its refresh token (see `storedUntil`).
   */
  async get(key: string): Promise<TokenData | undefined> {
    const token = this.#tokens.get(key);
    const until = token === undefined ? undefined : storedUntil(token);
    if (until !== undefined && until <= this.#now()) {
      this.#tokens.delete(key);
      return undefined;
    }
    return token;
  }

  /** Stores a token (it is dropped when it expires, or when its refresh token does). */
  async set(key: string, token: TokenData): Promise<void> {
    this.#tokens.set(key, token);
  }

  /** Removes a token. */
  async delete(key: string): Promise<void> {
    this.#tokens.delete(key);
  }

  /** True when a token is stored (an expired one kept for its refresh token included). */
  async exists(key: string): Promise<boolean> {
    return (await this.get(key)) !== undefined;
  }

  /** The wait a token endpoint asked for on `key`, shared by the managers using this storage. */
  async getThrottle(key: string): Promise<TokenEndpointThrottle | undefined> {
    const throttle = this.#throttles.get(key);
    if (throttle === undefined) return undefined;
    const retryAfterMs = throttle.until - this.#now();
    if (retryAfterMs > 0) return { retryAfterMs, statusCode: throttle.statusCode };
    this.#throttles.delete(key);
    return undefined;
  }

  async setThrottle(key: string, throttle: TokenEndpointThrottle): Promise<void> {
    this.#throttles.set(key, { until: this.#now() + throttle.retryAfterMs, statusCode: throttle.statusCode });
  }

  /** Forgets every token (and every remembered throttle). */
  clear(): void {
    this.#tokens.clear();
    this.#throttles.clear();
  }

  /** How many tokens are held (expired ones included until read). */
  get size(): number {
    return this.#tokens.size;
  }
}
