import { AuthenticationException } from '../../errors/authentication-exception';
import { INSPECT } from '../../observability/redact-constants';
import type { TokenData } from '../token-data';
import type { TokenProvider } from '../token-provider';
import { checkExtraParams, checkString, type OAuth2ProviderOptions, scopeString } from './oauth2-options';
import { clientSecretBasic, TokenEndpoint } from './token-endpoint';

/**
 * What the OAuth 2 grant providers share: client authentication (body or RFC 6749 §2.3.1 Basic),
 * the refresh-token grant with a fallback to the provider's own grant, scrubbing of secrets.
 * Subclasses say which form their grant posts.
 */
export abstract class OAuth2GrantProvider implements TokenProvider {
  readonly serviceName: string;
  readonly tokenUrl: string;
  readonly clientId: string;
  readonly authMethod: 'body' | 'header';
  readonly scope: string | undefined;
  readonly #clientSecret: string | undefined;
  readonly #extra: Readonly<Record<string, string>>;
  readonly #endpoint: TokenEndpoint;
  #lastRefreshToken: string | undefined;

  protected constructor(
    options: OAuth2ProviderOptions & { readonly clientSecret?: string },
    reservedParams: readonly string[],
    requireSecret: boolean,
  ) {
    this.serviceName = checkString(options.serviceName, 'serviceName');
    this.clientId = checkString(options.clientId, 'clientId');
    this.#clientSecret =
      options.clientSecret === undefined && !requireSecret
        ? undefined
        : checkString(options.clientSecret, 'clientSecret');
    this.authMethod = options.authMethod ?? 'body';
    if (this.authMethod !== 'body' && this.authMethod !== 'header')
      throw new TypeError("authMethod must be 'body' or 'header'");
    if (this.authMethod === 'header' && this.#clientSecret === undefined)
      throw new TypeError("authMethod 'header' needs a clientSecret");
    this.scope = scopeString(options.scope);
    this.#extra = checkExtraParams(options.extraParams, reservedParams);
    this.#endpoint = new TokenEndpoint(options.tokenUrl, this.serviceName, options, () => this.#secrets());
    this.tokenUrl = this.#endpoint.tokenUrl;
  }

  /** The grant's own form fields (e.g. `grant_type`, `username`, `password`). */
  protected abstract grantForm(): Record<string, string>;

  /** Secrets of the grant itself, scrubbed from any text the server echoes. */
  protected abstract grantSecrets(): readonly string[];

  #secrets(): string[] {
    return [
      ...this.grantSecrets(),
      ...(this.#clientSecret ? [this.#clientSecret] : []),
      ...(this.#lastRefreshToken ? [this.#lastRefreshToken] : []),
    ];
  }

  #request(form: Record<string, string>, previous?: TokenData): Promise<TokenData> {
    if (this.authMethod === 'header') {
      return this.#endpoint.requestToken(
        form,
        { authorization: clientSecretBasic(this.clientId, this.#clientSecret!) },
        previous,
      );
    }
    const body = {
      ...form,
      client_id: this.clientId,
      ...(this.#clientSecret ? { client_secret: this.#clientSecret } : {}),
    };
    return this.#endpoint.requestToken(body, {}, previous);
  }

  /** A new token from the provider's grant. */
  fetchToken(): Promise<TokenData> {
    const form: Record<string, string> = { ...this.#extra, ...this.grantForm() };
    if (this.scope) form.scope = this.scope;
    return this.#request(form);
  }

  /**
   * Refreshes with `current.refreshToken` when there is one; without one, or when the server
   * refuses the refresh (expired or reused refresh token), uses the grant again.
   */
  async refreshToken(current: TokenData): Promise<TokenData> {
    if (!current?.refreshToken) return this.fetchToken();
    this.#lastRefreshToken = current.refreshToken;
    try {
      return await this.#request(
        { grant_type: 'refresh_token', refresh_token: current.refreshToken },
        current,
      );
    } catch (error) {
      if (
        error instanceof AuthenticationException &&
        error.statusCode !== undefined &&
        error.statusCode < 500
      ) {
        return this.fetchToken();
      }
      throw error;
    }
  }

  /** Releases the private token-endpoint client. */
  close(): Promise<void> {
    return this.#endpoint.close();
  }

  toJSON(): Record<string, unknown> {
    return {
      type: this.constructor.name,
      serviceName: this.serviceName,
      tokenUrl: this.tokenUrl,
      clientId: this.clientId,
    };
  }

  [INSPECT](): string {
    return `${this.constructor.name} ${JSON.stringify(this.toJSON())}`;
  }
}
