import { AuthenticationException, TokenRefreshException } from '../../errors/authentication-exception';
import type { FormFields } from '../../http/body';
import { INSPECT } from '../../observability/redact-constants';
import { clientSecretBasic } from '../exchange/client-auth';
import { exchangeToken } from '../exchange/token-exchange';
import { createTokenSender, type TokenSender } from '../exchange/token-http';
import { tokenFromBody } from '../exchange/token-response';
import { canonicalIdentity, type IdentityParts, scopeSet, sha256Hex, sortedEntries } from '../identity';
import type { TokenData } from '../token-data';
import type { TokenProvider } from '../token-provider';
import {
  checkExtraParams,
  checkString,
  checkTokenUrl,
  type OAuth2ProviderOptions,
  scopeString,
} from './oauth2-options';

/**
 * True when the server refused the refresh token itself: `invalid_grant` (RFC 6749 §5.2), or a
 * 4xx refusal without an OAuth error code (some servers answer a dead refresh token that way).
 * Permanent client errors and throttling are not refusals of the refresh token.
 */
function refusesRefreshToken(error: AuthenticationException): boolean {
  if (error.error === 'invalid_grant') return true;
  const status = error.statusCode;
  return (
    error.error === undefined &&
    status !== undefined &&
    status >= 400 &&
    status < 500 &&
    status !== 408 &&
    status !== 429
  );
}

/**
 * What the OAuth 2 grant providers share: client authentication (body or RFC 6749 §2.3.1 Basic),
 * the refresh-token grant with a fallback to the provider's own grant, scrubbing of secrets.
 * Subclasses say which form their grant posts. Every request goes through the one token exchange.
 */
export abstract class OAuth2GrantProvider implements TokenProvider {
  readonly serviceName: string;
  /** The token endpoint. */
  readonly tokenUrl: string;
  /** The OAuth client id. */
  readonly clientId: string;
  /** How the client authenticates: `body` or `header` (HTTP Basic). */
  readonly authMethod: 'body' | 'header';
  /** The requested scope, space-separated, if any. */
  readonly scope: string | undefined;
  readonly #clientSecret: string | undefined;
  readonly #extra: Readonly<Record<string, string>>;
  readonly #sender: TokenSender;
  #identity: string | undefined;
  /** SHA-256 of the last refresh token the server refused: never sent again. */
  #refusedRefreshToken: string | undefined;

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
    this.tokenUrl = checkTokenUrl(options.tokenUrl, options.allowInsecureTokenUrl);
    this.#sender = createTokenSender(options);
  }

  /** The grant's own form fields (e.g. `grant_type`, `username`, `password`). */
  protected abstract grantForm(): Record<string, string>;

  /** Secrets of the grant itself, scrubbed from any text the server echoes. */
  protected abstract grantSecrets(): readonly string[];

  /**
   * What the grant adds to the provider's identity: its type and, for grants that have one, a
   * hash of the subject (never a secret in clear).
   */
  protected abstract grantIdentity(): IdentityParts;

  /**
   * Everything that makes this provider's tokens different: token URL, client id, client
   * authentication, grant (with a hash of its subject), sorted scopes and extra parameters
   * (`audience`, `resource`, …). Secrets are not part of it. `TokenManager` keys the token by it.
   * @example provider.identity // '{"authMethod":"body","clientId":"svc","grantType":"client_credentials",…}'
   */
  get identity(): string {
    this.#identity ??= canonicalIdentity({
      kind: 'oauth2',
      tokenUrl: this.tokenUrl,
      clientId: this.clientId,
      authMethod: this.authMethod,
      scope: scopeSet(this.scope),
      params: sortedEntries(this.#extra),
      ...this.grantIdentity(),
    });
    return this.#identity;
  }

  /** POSTs one grant, authenticating the client, and reads the token (keeping `previous`'s refresh token). */
  async #request(grant: Record<string, string>, previous?: TokenData): Promise<TokenData> {
    const secret = this.#clientSecret;
    const secrets = [...this.grantSecrets(), ...(secret ? [secret] : [])];
    if (previous?.refreshToken) secrets.push(previous.refreshToken);
    let headers: Record<string, string> | undefined;
    let form: FormFields = {
      ...grant,
      client_id: this.clientId,
      ...(secret ? { client_secret: secret } : {}),
    };
    if (this.authMethod === 'header') {
      const basic = clientSecretBasic(this.clientId, secret!);
      headers = { authorization: basic };
      secrets.push(basic.slice('Basic '.length));
      form = grant;
    }
    const url = this.tokenUrl;
    const answer = await exchangeToken(() => ({ method: 'POST', url, headers, form, secrets }), {
      send: this.#sender.send,
      serviceName: this.serviceName,
      url,
      maxRetries: this.#sender.maxRetries,
    });
    return tokenFromBody(answer, { serviceName: this.serviceName, url, secrets, previous });
  }

  /** A new token from the provider's grant. */
  fetchToken(): Promise<TokenData> {
    const form: Record<string, string> = { ...this.#extra, ...this.grantForm() };
    if (this.scope) form.scope = this.scope;
    return this.#request(form);
  }

  /**
   * Refreshes with `current.refreshToken` when there is one; without one, or when the server
   * refuses the refresh token (`invalid_grant`: expired, revoked or reused), drops it and uses
   * the grant again, once. A permanent refusal (`invalid_client`, …) and a throttled endpoint are
   * thrown as they are; a refresh that fails because the endpoint is down is a
   * `TokenRefreshException`.
   */
  async refreshToken(current: TokenData): Promise<TokenData> {
    const refreshToken = current?.refreshToken;
    if (!refreshToken || sha256Hex(refreshToken) === this.#refusedRefreshToken) return this.fetchToken();
    try {
      return await this.#request({ grant_type: 'refresh_token', refresh_token: refreshToken }, current);
    } catch (error) {
      if (!(error instanceof AuthenticationException)) throw error;
      if (refusesRefreshToken(error)) {
        this.#refusedRefreshToken = sha256Hex(refreshToken);
        return this.fetchToken();
      }
      if (!error.retryable || error.retryAfterMs !== undefined) throw error;
      throw new TokenRefreshException(
        `Refreshing the token of "${this.serviceName}" failed: ${error.message}`,
        {
          serviceName: this.serviceName,
          error: error.error,
          errorDescription: error.errorDescription,
          statusCode: error.statusCode,
          attempts: error.attempts,
          context: error.context,
          challenges: error.challenges,
          cause: error,
        },
      );
    }
  }

  /**
   * Releases the private token-endpoint client's connections (a client passed as `httpClient`
   * stays open); a later token request reconnects. `TokenManager.close()` calls it.
   */
  close(): Promise<void> {
    return this.#sender.close();
  }

  /** A secret-free description, for logs and `JSON.stringify`. */
  toJSON(): Record<string, unknown> {
    return {
      type: this.constructor.name,
      serviceName: this.serviceName,
      tokenUrl: this.tokenUrl,
      clientId: this.clientId,
    };
  }

  /** What `util.inspect` prints: the secret-free description. */
  [INSPECT](): string {
    return `${this.constructor.name} ${JSON.stringify(this.toJSON())}`;
  }
}
