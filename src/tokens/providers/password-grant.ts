import { optionKeys, readOptions } from '../../checks/options';
import { hashedPart, type IdentityParts } from '../identity';
import { OAuth2GrantProvider } from './oauth2-grant-provider';
import type { OAuth2ProviderOptions } from './oauth2-options';
import { checkString, OAUTH2_OPTION_KEYS } from './oauth2-options';

/** Options of {@link PasswordGrantTokenProvider}. */
export interface PasswordGrantOptions extends OAuth2ProviderOptions {
  /** The resource owner's user name. */
  readonly username: string;
  /** The resource owner's password. */
  readonly password: string;
}

const KEYS = optionKeys<PasswordGrantOptions>()({
  ...OAUTH2_OPTION_KEYS,
  username: true,
  password: true,
});

const RESERVED = ['grant_type', 'username', 'password', 'refresh_token', 'scope'];

/**
 * OAuth 2 resource owner password grant (RFC 6749 §4.3). Refreshes with the refresh token when
 * one was issued (rotation handled), and logs in again when the refresh is refused.
 *
 * @example
 * ```ts
 * const provider = new PasswordGrantTokenProvider({
 *   tokenUrl: 'https://auth.example.com/oauth/token',
 *   clientId: 'your-client-id',
 *   clientSecret: 'your-client-secret',
 *   username: 'user@example.com',
 *   password: process.env.USER_PASSWORD!,
 *   serviceName: 'my-api',
 *   scope: 'profile email',
 * });
 * ```
 */
export class PasswordGrantTokenProvider extends OAuth2GrantProvider {
  /** The grant type sent: `password`. */
  readonly grantType = 'password';
  /** The resource owner's user name. */
  readonly username: string;
  readonly #password: string;

  constructor(given: PasswordGrantOptions) {
    const exact = new.target === PasswordGrantTokenProvider;
    const options = readOptions(given, 'PasswordGrantTokenProvider', exact ? KEYS : undefined);
    try {
      super(options, RESERVED, true);
      this.username = checkString(options.username, 'username');
      this.#password = checkString(options.password, 'password');
    } catch (error) {
      if (error instanceof TypeError) error.message = `PasswordGrantTokenProvider: ${error.message}`;
      throw error;
    }
  }

  protected grantForm(): Record<string, string> {
    return { grant_type: 'password', username: this.username, password: this.#password };
  }

  protected grantSecrets(): readonly string[] {
    return [this.#password];
  }

  protected grantIdentity(): IdentityParts {
    return { grantType: 'password', subject: hashedPart(this.username) };
  }

  /** A secret-free description, for logs and `JSON.stringify`. */
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), username: this.username };
  }
}
