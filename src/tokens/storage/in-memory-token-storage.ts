import { optionKeys, readOptions } from '../../checks/options';
import type { TokenData } from '../token-data';
import type { TokenStorage } from '../token-storage';

/** Options of {@link InMemoryTokenStorage}. */
export interface InMemoryTokenStorageOptions {
  /**
   * The clock (epoch ms) that decides when a stored token has expired, for tests.
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
  readonly #now: () => number;

  constructor(options: InMemoryTokenStorageOptions = {}) {
    const own = readOptions(
      options,
      'InMemoryTokenStorage',
      optionKeys<InMemoryTokenStorageOptions>()({ now: true }),
    );
    this.#now = own.now ?? (() => Date.now());
  }

  /** The stored token, or `undefined` when there is none or it has expired. */
  async get(key: string): Promise<TokenData | undefined> {
    const token = this.#tokens.get(key);
    if (token?.expiresAt && token.expiresAt.getTime() <= this.#now()) {
      this.#tokens.delete(key);
      return undefined;
    }
    return token;
  }

  /** Stores a token (it is dropped when it expires). */
  async set(key: string, token: TokenData): Promise<void> {
    this.#tokens.set(key, token);
  }

  /** Removes a token. */
  async delete(key: string): Promise<void> {
    this.#tokens.delete(key);
  }

  /** True when a usable token is stored. */
  async exists(key: string): Promise<boolean> {
    return (await this.get(key)) !== undefined;
  }

  /** Forgets every token. */
  clear(): void {
    this.#tokens.clear();
  }

  /** How many tokens are held (expired ones included until read). */
  get size(): number {
    return this.#tokens.size;
  }
}
