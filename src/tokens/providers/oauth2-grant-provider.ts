import { AuthenticationException, TokenRefreshException } from '../../errors/authentication-exception';
import { INSPECT } from '../../observability/redact-constants';
import type { ClientAuthMethod } from '../client-auth/options';
import { registerDpopHandle } from '../dpop/dpop-handle';
import { tokenFromBody } from '../exchange/token-response';
import { canonicalIdentity, type IdentityParts, scopeSet, sha256Hex, sortedEntries } from '../identity';
import type { TokenData } from '../token-data';
import type { RevokeTokenOptions, TokenProvider } from '../token-provider';
import { type GrantFields, OAuth2Client } from './oauth2-client';
import {
  CREDENTIAL_PARAMS,
  checkExtraParams,
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
 * What the OAuth 2 grant providers share: client authentication (every method of
 * `ClientAuthOptions`), endpoints (configured or discovered from `issuer`), the refresh-token
 * grant with a fallback to the provider's own grant, revocation, scrubbing of secrets.
 * Subclasses say which form their grant posts. Every request goes through the one token exchange.
 */
export abstract class OAuth2GrantProvider implements TokenProvider {
  readonly serviceName: string;
  /** The configured token endpoint; `undefined` when it is discovered from `issuer`. */
  readonly tokenUrl: string | undefined;
  /** The configured issuer (discovery, assertion audience), if any. */
  readonly issuer: string | undefined;
  /** The OAuth client id. */
  readonly clientId: string;
  /** How the client authenticates (the registered name: `client_secret_post`, `private_key_jwt`, …). */
  readonly authMethod: ClientAuthMethod;
  /** The requested scope, space-separated, if any. */
  readonly scope: string | undefined;
  readonly #client: OAuth2Client;
  readonly #extra: Readonly<Record<string, string>>;
  #identity: string | undefined;
  /** SHA-256 of the last refresh token the server refused: never sent again. */
  #refusedRefreshToken: string | undefined;

  /**
   * @param reservedParams form fields the grant owns (`extraParams` cannot set them; the client's
   * credential fields are always reserved)
   * @param publicClients true when the grant may be used without client credentials (`authMethod`
   * then defaults to `none`)
   */
  protected constructor(
    options: OAuth2ProviderOptions,
    reservedParams: readonly string[],
    publicClients: boolean,
  ) {
    this.#client = new OAuth2Client(options, publicClients ? 'none' : undefined);
    this.serviceName = this.#client.serviceName;
    this.clientId = this.#client.clientId;
    this.authMethod = this.#client.authMethod;
    this.tokenUrl = this.#client.endpoints.tokenUrl;
    this.issuer = this.#client.endpoints.issuer;
    this.scope = scopeString(options.scope);
    this.#extra = checkExtraParams(options.extraParams, [...reservedParams, ...CREDENTIAL_PARAMS]);
    if (this.#client.dpop) registerDpopHandle(this, this.#client.dpop);
  }

  /** The grant's own form fields (e.g. `grant_type`, `username`, `password`), made for every attempt. */
  protected abstract grantForm():
    | Readonly<Record<string, string | readonly string[]>>
    | Promise<Readonly<Record<string, string | readonly string[]>>>;

  /** Secrets of the grant itself, scrubbed from any text the server echoes. */
  protected abstract grantSecrets(): readonly string[];

  /**
   * What the grant adds to the provider's identity: its type and, for grants that have one, a
   * hash of the subject (never a secret in clear).
   */
  protected abstract grantIdentity(): IdentityParts;

  /**
   * Everything that makes this provider's tokens different: token URL or issuer, client id,
   * client authentication (and the client certificate's thumbprint), grant (with a hash of its
   * subject), sorted scopes and extra parameters (`audience`, `resource`, …). Secrets are not
   * part of it. `TokenManager` keys the token by it.
   * @example provider.identity // '{"authMethod":"client_secret_post","clientId":"svc","grantType":"client_credentials",…}'
   */
  get identity(): string {
    this.#identity ??= this.identityWith(this.grantIdentity());
    return this.#identity;
  }

  /** The identity of this provider's configuration with another grant part (a subject of its own). */
  protected identityWith(grant: IdentityParts): string {
    return canonicalIdentity({
      kind: 'oauth2',
      ...this.#client.identityParts(),
      scope: scopeSet(this.scope),
      params: sortedEntries(this.#extra),
      ...grant,
    });
  }

  /**
   * POSTs a grant (its fields made for every attempt, with the extra parameters and scope added),
   * authenticating the client, and reads the token; a refresh token the answer leaves out is
   * kept from `previous`.
   */
  protected async requestToken(
    fields: () =>
      | Readonly<Record<string, string | readonly string[]>>
      | Promise<Readonly<Record<string, string | readonly string[]>>>,
    previous?: TokenData,
  ): Promise<TokenData> {
    const secrets = [...this.grantSecrets()];
    if (previous?.refreshToken) secrets.push(previous.refreshToken);
    const scope = this.scope;
    const form: GrantFields = async () => ({
      ...this.#extra,
      ...(await fields()),
      ...(scope ? { scope } : {}),
    });
    // DPoP: a refresh proves the key the token it replaces is bound to (a public client's
    // refresh token is bound to it too, RFC 9449 §5); a new grant proves this provider's key.
    const dpop = this.#client.dpop;
    const proofKey = dpop && ((previous && dpop.keyFor(previous)) ?? (await dpop.key()));
    const { answer, url } = await this.#client.requestToken(form, secrets, proofKey);
    const token = tokenFromBody(answer, {
      serviceName: this.serviceName,
      url,
      secrets: [...answer.secrets],
      previous,
    });
    return proofKey ? dpop!.accept(token, proofKey, this.serviceName) : token;
  }

  /** A new token from the provider's grant. */
  fetchToken(): Promise<TokenData> {
    return this.requestToken(() => this.grantForm());
  }

  /** True when the server refused this refresh token before: it is never sent again. */
  protected isRefused(refreshToken: string): boolean {
    return sha256Hex(refreshToken) === this.#refusedRefreshToken;
  }

  /** Remembers that the server refused `refreshToken` when `error` says so (`invalid_grant`); true when it did. */
  protected noteIfRefused(error: unknown, refreshToken: string): boolean {
    if (!(error instanceof AuthenticationException) || !refusesRefreshToken(error)) return false;
    this.#refusedRefreshToken = sha256Hex(refreshToken);
    return true;
  }

  /**
   * Refreshes with `current.refreshToken` when there is one; without one, or when the server
   * refuses the refresh token (`invalid_grant`: expired, revoked or reused), drops it and uses
   * the grant again, once. A permanent refusal (`invalid_client`, …) and a throttled endpoint are
   * thrown as they are; a refresh that fails because the endpoint is down is a
   * `TokenRefreshException`.
   */
  refreshToken(current: TokenData): Promise<TokenData> {
    return this.refreshWith(current, () => this.fetchToken());
  }

  /** {@link refreshToken} with another grant to fall back on (a subject's own exchange). */
  protected async refreshWith(current: TokenData, grant: () => Promise<TokenData>): Promise<TokenData> {
    const refreshToken = current?.refreshToken;
    if (!refreshToken || this.isRefused(refreshToken)) return grant();
    try {
      return await this.requestToken(
        () => ({ grant_type: 'refresh_token', refresh_token: refreshToken }),
        current,
      );
    } catch (error) {
      if (!(error instanceof AuthenticationException)) throw error;
      if (this.noteIfRefused(error, refreshToken)) return grant();
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
   * Revokes an access or refresh token at the revocation endpoint (RFC 7009): `revocationUrl`,
   * or the issuer's `revocation_endpoint`. Authenticated like a token request, never redirected,
   * transient failures retried. The server answers 200 also for tokens it did not know.
   * @throws {AuthenticationException} when there is no revocation endpoint or the server refuses
   * @example await provider.revokeToken(token.refreshToken!, { hint: 'refresh_token' });
   */
  async revokeToken(token: string, options: RevokeTokenOptions = {}): Promise<void> {
    if (typeof token !== 'string' || token === '')
      throw new TypeError('revokeToken: token must be a non-empty string');
    const hint = options?.hint;
    if (hint !== undefined && (typeof hint !== 'string' || hint === ''))
      throw new TypeError('revokeToken: hint must be a non-empty string');
    await this.#client.revoke(token, hint);
  }

  /**
   * Releases the private token-endpoint client's connections (a client passed as `httpClient`
   * stays open); a later token request reconnects. `TokenManager.close()` calls it.
   */
  close(): Promise<void> {
    return this.#client.close();
  }

  /** A secret-free description, for logs and `JSON.stringify`. */
  toJSON(): Record<string, unknown> {
    return {
      type: this.constructor.name,
      serviceName: this.serviceName,
      tokenUrl: this.tokenUrl,
      issuer: this.issuer,
      clientId: this.clientId,
      authMethod: this.authMethod,
    };
  }

  /** What `util.inspect` prints: the secret-free description. */
  [INSPECT](): string {
    return `${this.constructor.name} ${JSON.stringify(this.toJSON())}`;
  }
}
