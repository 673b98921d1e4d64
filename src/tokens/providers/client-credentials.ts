import { AuthenticationException } from '../../errors/authentication-exception';
import { INSPECT } from '../../observability/redact-constants';
import type { TokenData } from '../token-data';
import type { TokenProvider } from '../token-provider';
import { checkExtraParams, checkString, type OAuth2ProviderOptions, scopeString } from './oauth2-options';
import { clientSecretBasic, TokenEndpoint } from './token-endpoint';

/** Options of {@link ClientCredentialsTokenProvider}. */
export interface ClientCredentialsOptions extends OAuth2ProviderOptions {
  /** The client secret. */
  readonly clientSecret: string;
  /**
   * The grant type sent.
   * @default 'client_credentials'
   */
  readonly grantType?: string;
}

const RESERVED = ['grant_type', 'client_id', 'client_secret', 'refresh_token', 'scope'];

/**
 * OAuth 2 client credentials grant (RFC 6749 §4.4). Uses the refresh token when the server
 * issued one, and falls back to a new grant when the refresh is refused.
 *
 * @example
 * ```ts
 * const provider = new ClientCredentialsTokenProvider({
 *   tokenUrl: 'https://auth.example.com/oauth/token',
 *   clientId: 'your-client-id',
 *   clientSecret: process.env.CLIENT_SECRET!,
 *   serviceName: 'example-api',
 *   scope: 'read write',
 *   authMethod: 'header',
 * });
 * ```
 */
export class ClientCredentialsTokenProvider implements TokenProvider {
  readonly serviceName: string;
  readonly tokenUrl: string;
  readonly clientId: string;
  readonly authMethod: 'body' | 'header';
  readonly grantType: string;
  readonly scope: string | undefined;
  readonly #clientSecret: string;
  readonly #extra: Readonly<Record<string, string>>;
  readonly #endpoint: TokenEndpoint;
  #lastRefreshToken: string | undefined;

  constructor(options: ClientCredentialsOptions) {
    if (!options || typeof options !== 'object')
      throw new TypeError('ClientCredentialsTokenProvider: expected options');
    const prefix = 'ClientCredentialsTokenProvider';
    try {
      this.serviceName = checkString(options.serviceName, 'serviceName');
      this.clientId = checkString(options.clientId, 'clientId');
      this.#clientSecret = checkString(options.clientSecret, 'clientSecret');
      this.grantType = checkString(options.grantType ?? 'client_credentials', 'grantType');
      this.authMethod = options.authMethod ?? 'body';
      if (this.authMethod !== 'body' && this.authMethod !== 'header')
        throw new TypeError("authMethod must be 'body' or 'header'");
      this.scope = scopeString(options.scope);
      this.#extra = checkExtraParams(options.extraParams, RESERVED);
      this.#endpoint = new TokenEndpoint(options.tokenUrl, this.serviceName, options, () => this.#secrets());
      this.tokenUrl = this.#endpoint.tokenUrl;
    } catch (error) {
      if (error instanceof TypeError) error.message = `${prefix}: ${error.message}`;
      throw error;
    }
  }

  #secrets(): string[] {
    return [this.#clientSecret, ...(this.#lastRefreshToken ? [this.#lastRefreshToken] : [])];
  }

  #withClientAuth(form: Record<string, string>): [Record<string, string>, Record<string, string>] {
    if (this.authMethod === 'header')
      return [form, { authorization: clientSecretBasic(this.clientId, this.#clientSecret) }];
    return [{ ...form, client_id: this.clientId, client_secret: this.#clientSecret }, {}];
  }

  /** A new token from the client credentials grant. */
  fetchToken(): Promise<TokenData> {
    const form: Record<string, string> = { ...this.#extra, grant_type: this.grantType };
    if (this.scope) form.scope = this.scope;
    const [body, headers] = this.#withClientAuth(form);
    return this.#endpoint.requestToken(body, headers);
  }

  /** Refreshes with `current.refreshToken` when there is one, else (or when refused) a new grant. */
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
      // A refused refresh (expired or reused refresh token) is no reason to fail: the grant still works.
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
      type: 'ClientCredentialsTokenProvider',
      serviceName: this.serviceName,
      tokenUrl: this.tokenUrl,
      clientId: this.clientId,
    };
  }

  [INSPECT](): string {
    return `ClientCredentialsTokenProvider ${JSON.stringify(this.toJSON())}`;
  }
}
