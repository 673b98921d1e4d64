import { optionKeys, readOptions } from '../../checks/options';
import { AuthenticationException } from '../../errors/authentication-exception';
import { carryBinding } from '../dpop/dpop-handle';
import { hashedPart, type IdentityParts } from '../identity';
import type { TokenData } from '../token-data';
import { OAuth2GrantProvider } from './oauth2-grant-provider';
import { checkString, OAUTH2_OPTION_KEYS, type OAuth2ProviderOptions } from './oauth2-options';

/** Options of {@link RefreshTokenProvider}. */
export interface RefreshTokenProviderOptions extends OAuth2ProviderOptions {
  /**
   * The long-lived refresh token the service was given (a user's offline grant, a service
   * account's refresh token). Used until the server rotates it; the newest one then lives in the
   * manager's storage, so a restarted process reads it from there.
   * @example process.env.ORDERS_REFRESH_TOKEN
   */
  readonly refreshToken: string;
}

const KEYS = optionKeys<RefreshTokenProviderOptions>()({ ...OAUTH2_OPTION_KEYS, refreshToken: true });
const RESERVED = ['grant_type', 'refresh_token', 'scope'];

/**
 * Access tokens from a refresh token the service was given (RFC 6749 §6). Rotation is followed:
 * a new refresh token in an answer replaces the old one, in memory and — through
 * `TokenManager` — in its storage, where an entry that holds a refresh token outlives its access
 * token. So a restarted process (or another process of a fleet) continues with the newest
 * refresh token, not the configured one the server already retired.
 *
 * @example
 * ```ts
 * const provider = new RefreshTokenProvider({
 *   tokenUrl: 'https://auth.example.com/oauth/token',
 *   clientId: 'reports-job',
 *   clientSecret: process.env.CLIENT_SECRET!,
 *   refreshToken: process.env.REPORTS_REFRESH_TOKEN!,
 *   serviceName: 'reports-api',
 * });
 * const manager = new TokenManager(provider, redisStorage); // rotation survives restarts
 * ```
 */
export class RefreshTokenProvider extends OAuth2GrantProvider {
  /** The grant type sent: `refresh_token`. */
  readonly grantType = 'refresh_token';
  /** SHA-256 of the configured refresh token: who the tokens are for. */
  readonly #subject: string;
  /** The newest refresh token this process knows (configured, or rotated since). */
  #latest: string;

  constructor(given: RefreshTokenProviderOptions) {
    const exact = new.target === RefreshTokenProvider;
    const options = readOptions(given, 'RefreshTokenProvider', exact ? KEYS : undefined);
    try {
      super(options, RESERVED, true);
      this.#latest = checkString(options.refreshToken, 'refreshToken');
      this.#subject = hashedPart(this.#latest);
    } catch (error) {
      if (error instanceof TypeError) error.message = `RefreshTokenProvider: ${error.message}`;
      throw error;
    }
  }

  protected grantForm(): Record<string, string> {
    return { grant_type: 'refresh_token', refresh_token: this.#latest };
  }

  protected grantSecrets(): readonly string[] {
    return [this.#latest];
  }

  protected grantIdentity(): IdentityParts {
    return { grantType: 'refresh_token', subject: this.#subject };
  }

  /**
   * An access token from the newest refresh token known here. A refresh token the server refused
   * (`invalid_grant`) is never sent again: configure a new one.
   */
  override async fetchToken(): Promise<TokenData> {
    const used = this.#latest;
    if (this.isRefused(used)) {
      throw new AuthenticationException(
        `The refresh token of "${this.serviceName}" was refused by the server (invalid_grant); configure a new one`,
        { serviceName: this.serviceName, error: 'invalid_grant', retryable: false },
      );
    }
    try {
      return this.#remember(
        await this.requestToken(() => ({ grant_type: 'refresh_token', refresh_token: used })),
        used,
      );
    } catch (error) {
      this.noteIfRefused(error, used);
      throw error;
    }
  }

  /** Refreshes with `current`'s refresh token (the newest: maybe another process rotated it), else the newest known here. */
  override async refreshToken(current: TokenData): Promise<TokenData> {
    const token = await super.refreshToken(current);
    return this.#remember(token, current?.refreshToken ?? this.#latest);
  }

  /** Keeps the refresh token that was used when the answer has none (RFC 6749 §6), and remembers the newest. */
  #remember(token: TokenData, used: string): TokenData {
    const withRefresh = token.refreshToken ? token : carryBinding(token, token.with({ refreshToken: used }));
    this.#latest = withRefresh.refreshToken!;
    return withRefresh;
  }
}
