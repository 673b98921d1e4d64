import { INSPECT } from '../../observability/redact-constants';
import type { TokenData } from '../token-data';
import type { TokenManager } from '../token-manager';
import type { RefreshContext, RevokeTokenOptions, TokenProvider } from '../token-provider';

/** What a subject's provider borrows from the provider that made it. */
export interface SubjectGrant {
  readonly serviceName: string;
  readonly identity: string;
  readonly grantType: string;
  fetch(): Promise<TokenData>;
  refresh(current: TokenData): Promise<TokenData>;
  revoke(token: string, options?: RevokeTokenOptions): Promise<void>;
}

/**
 * The provider of one subject's tokens (`forSubject`): its own identity (the subject's hash), the
 * shared provider's client, endpoints and connections. It owns nothing, so closing its manager
 * leaves the shared provider open.
 */
export class SubjectTokenProvider implements TokenProvider {
  readonly serviceName: string;
  readonly identity: string;
  readonly grantType: string;
  readonly #grant: SubjectGrant;

  constructor(grant: SubjectGrant) {
    this.serviceName = grant.serviceName;
    this.identity = grant.identity;
    this.grantType = grant.grantType;
    this.#grant = grant;
  }

  /** A new token for the subject. */
  fetchToken(): Promise<TokenData> {
    return this.#grant.fetch();
  }

  /** A new token for the subject, with the refresh token when one was issued. */
  refreshToken(current: TokenData, _context?: RefreshContext): Promise<TokenData> {
    return this.#grant.refresh(current);
  }

  /** Revokes a token through the shared provider. */
  revokeToken(token: string, options?: RevokeTokenOptions): Promise<void> {
    return this.#grant.revoke(token, options);
  }

  /** A secret-free description (the subject token is never shown). */
  toJSON(): Record<string, unknown> {
    return { type: 'SubjectTokenProvider', serviceName: this.serviceName };
  }

  /** What `util.inspect` prints: the secret-free description. */
  [INSPECT](): string {
    return `SubjectTokenProvider ${JSON.stringify(this.toJSON())}`;
  }
}

/** One `TokenManager` per subject, the least recently used dropped beyond `max`. */
export class SubjectManagers {
  readonly #max: number;
  readonly #managers = new Map<string, TokenManager>();

  constructor(max: number) {
    this.#max = max;
  }

  /** The manager of `key` (a subject's hash), made with `create` the first time. */
  get(key: string, create: () => TokenManager): TokenManager {
    const found = this.#managers.get(key);
    if (found !== undefined) {
      // Most recently used last: Map keeps insertion order.
      this.#managers.delete(key);
      this.#managers.set(key, found);
      return found;
    }
    const manager = create();
    this.#managers.set(key, manager);
    if (this.#managers.size > this.#max) this.#managers.delete(this.#managers.keys().next().value!);
    return manager;
  }

  /** How many subjects have a manager now. */
  get size(): number {
    return this.#managers.size;
  }
}
