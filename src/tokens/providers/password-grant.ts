import { AuthenticationException } from '../../errors/authentication-exception';
import { INSPECT } from '../../observability/redact-constants';
import type { TokenData } from '../token-data';
import type { TokenProvider } from '../token-provider';
import { checkExtraParams, checkString, type OAuth2ProviderOptions, scopeString } from './oauth2-options';
import { clientSecretBasic, TokenEndpoint } from './token-endpoint';

/** Options of {@link PasswordGrantTokenProvider}. */
export interface PasswordGrantOptions extends OAuth2ProviderOptions {
  /** The client secret, for confidential clients. */
  readonly clientSecret?: string;
  /** The resource owner's user name. */
  readonly username: string;
  /** The resource owner's password. */
  readonly password: string;
}

const RESERVED = [
  'grant_type',
  'client_id',
  'client_secret',
  'username',
  'password',
  'refresh_token',
  'scope',
];

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
export class PasswordGrantTokenProvider implements TokenProvider {
  readonly serviceName: string;
  readonly tokenUrl: string;
  readonly clientId: string;
  readonly username: string;
  readonly authMethod: 'body' | 'header';
  readonly scope: string | undefined;
  readonly #clientSecret: string | undefined;
  readonly #password: string;
  readonly #extra: Readonly<Record<string, string>>;
  readonly #endpoint: TokenEndpoint;
  #lastRefreshToken: string | undefined;

  constructor(options: PasswordGrantOptions) {
    if (!options || typeof options !== 'object')
      throw new TypeError('PasswordGrantTokenProvider: expected options');
    try {
      this.serviceName = checkString(options.serviceName, 'serviceName');
      this.clientId = checkString(options.clientId, 'clientId');
      this.#clientSecret =
        options.clientSecret === undefined ? undefined : checkString(options.clientSecret, 'clientSecret');
      this.username = checkString(options.username, 'username');
      this.#password = checkString(options.password, 'password');
      this.authMethod = options.authMethod ?? 'body';
      if (this.authMethod !== 'body' && this.authMethod !== 'header')
        throw new TypeError("authMethod must be 'body' or 'header'");
      if (this.authMethod === 'header' && this.#clientSecret === undefined)
        throw new TypeError("authMethod 'header' needs a clientSecret");
      this.scope = scopeString(options.scope);
      this.#extra = checkExtraParams(options.extraParams, RESERVED);
      this.#endpoint = new TokenEndpoint(options.tokenUrl, this.serviceName, options, () => this.#secrets());
      this.tokenUrl = this.#endpoint.tokenUrl;
    } catch (error) {
      if (error instanceof TypeError) error.message = `PasswordGrantTokenProvider: ${error.message}`;
      throw error;
    }
  }

  #secrets(): string[] {
    return [
      this.#password,
      ...(this.#clientSecret ? [this.#clientSecret] : []),
      ...(this.#lastRefreshToken ? [this.#lastRefreshToken] : []),
    ];
  }

  #withClientAuth(form: Record<string, string>): [Record<string, string>, Record<string, string>] {
    if (this.authMethod === 'header')
      return [form, { authorization: clientSecretBasic(this.clientId, this.#clientSecret!) }];
    return [
      {
        ...form,
        client_id: this.clientId,
        ...(this.#clientSecret ? { client_secret: this.#clientSecret } : {}),
      },
      {},
    ];
  }

  /** A new token from the password grant. */
  fetchToken(): Promise<TokenData> {
    const form: Record<string, string> = {
      ...this.#extra,
      grant_type: 'password',
      username: this.username,
      password: this.#password,
    };
    if (this.scope) form.scope = this.scope;
    const [body, headers] = this.#withClientAuth(form);
    return this.#endpoint.requestToken(body, headers);
  }

  /** Refreshes with `current.refreshToken` when there is one, else (or when refused) logs in again. */
  async refreshToken(current: TokenData): Promise<TokenData> {
    if (!current?.refreshToken) return this.fetchToken();
    this.#lastRefreshToken = current.refreshToken;
    const [body, headers] = this.#withClientAuth({
      grant_type: 'refresh_token',
      refresh_token: current.refreshToken,
    });
    try {
      return await this.#endpoint.requestToken(body, headers, current);
    } catch (error) {
      if (
        error instanceof AuthenticationException &&
        error.statusCode !== undefined &&
        error.statusCode < 500
      )
        return this.fetchToken();
      throw error;
    }
  }

  /** Releases the private token-endpoint client. */
  close(): Promise<void> {
    return this.#endpoint.close();
  }

  toJSON(): Record<string, unknown> {
    return {
      type: 'PasswordGrantTokenProvider',
      serviceName: this.serviceName,
      tokenUrl: this.tokenUrl,
      clientId: this.clientId,
      username: this.username,
    };
  }

  [INSPECT](): string {
    return `PasswordGrantTokenProvider ${JSON.stringify(this.toJSON())}`;
  }
}
