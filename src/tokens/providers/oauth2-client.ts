// One OAuth 2 client at its authorization server: who it is, how it authenticates, where its
// requests go, and the sender they travel through. Every request it makes (grants, refreshes,
// revocations) is POSTed through the one exchange, each attempt built anew: the client
// authentication (a fresh assertion) and, with DPoP, a fresh proof are made per attempt here.
import { AuthenticationException } from '../../errors/authentication-exception';
import type { FormFields } from '../../http/body';
import { type ClientAuthSetup, createClientAuth } from '../client-auth/create';
import type { ClientAuthMethod } from '../client-auth/options';
import { DpopHandle } from '../dpop/dpop-handle';
import type { DpopKey } from '../dpop/dpop-key';
import { readDpopOption } from '../dpop/dpop-options';
import { exchangeToken, type TokenRequest } from '../exchange/token-exchange';
import { createTokenSender, type TokenSender } from '../exchange/token-http';
import type { TokenAnswer } from '../exchange/token-response';
import type { IdentityParts } from '../identity';
import { NO_REVOCATION_ENDPOINT } from '../revocation';
import { ProviderEndpoints } from './endpoints';
import { checkString, type OAuth2ProviderOptions } from './oauth2-options';

/** The form fields of a grant (or a revocation), made per attempt. */
export type GrantFields = () =>
  | Readonly<Record<string, string | readonly string[]>>
  | Promise<Readonly<Record<string, string | readonly string[]>>>;

/** A sent request's answer, with the URL it went to and the values to scrub from what comes back. */
export interface ClientAnswer {
  readonly answer: TokenAnswer;
  readonly url: string;
}

/** Form fields whose values are credentials: scrubbed from anything the server quotes back. */
const SECRET_FIELDS = ['password', 'refresh_token', 'assertion', 'subject_token', 'actor_token', 'token'];

/** The credential values of a grant's form (made per attempt: a fresh assertion is a new secret). */
function fieldSecrets(form: Readonly<Record<string, string | readonly string[]>>): string[] {
  const found: string[] = [];
  for (const name of SECRET_FIELDS) {
    const value = Object.hasOwn(form, name) ? form[name] : undefined;
    if (typeof value === 'string' && value !== '') found.push(value);
  }
  return found;
}

const routes = new WeakMap<object, number>();
let nextRoute = 0;

/** Providers whose requests travel the same way share discovered metadata. */
function routeOf(options: OAuth2ProviderOptions): string {
  const owner = options.httpClient ?? options.dispatcher;
  if (owner === undefined) return options.proxyFromEnv ? 'private+env' : 'private';
  let id = routes.get(owner);
  if (id === undefined) {
    id = ++nextRoute;
    routes.set(owner, id);
  }
  return `caller:${id}`;
}

/** An OAuth 2 client: identity, client authentication, endpoints and sender of one provider. */
export class OAuth2Client {
  readonly serviceName: string;
  readonly clientId: string;
  readonly authMethod: ClientAuthMethod;
  readonly endpoints: ProviderEndpoints;
  /** DPoP key, nonces and bindings, when the `dpop` option is on. */
  readonly dpop: DpopHandle | undefined;
  readonly #auth: ClientAuthSetup;
  readonly #sender: TokenSender;

  /** @param fallback the method when no credential is configured (`none` for grants open to public clients) */
  constructor(options: OAuth2ProviderOptions, fallback: ClientAuthMethod | undefined) {
    this.serviceName = checkString(options.serviceName, 'serviceName');
    this.clientId = checkString(options.clientId, 'clientId');
    this.#auth = createClientAuth(options, {
      serviceName: this.serviceName,
      fallback,
      callerTransport: options.httpClient !== undefined || options.dispatcher !== undefined,
    });
    this.authMethod = this.#auth.strategy.method;
    this.endpoints = new ProviderEndpoints(options, {
      serviceName: this.serviceName,
      authMethod: this.authMethod,
      presentsCertificate: this.#auth.certificateThumbprint !== undefined,
      route: routeOf(options),
    });
    this.#sender = createTokenSender(options, this.#auth.tls);
    const dpop = readDpopOption(options.dpop);
    this.dpop = dpop === undefined ? undefined : new DpopHandle(dpop);
  }

  /**
   * What the client adds to a provider's identity: the issuer or token endpoint, the client id,
   * the authentication method and the client certificate's thumbprint (a token bound to one
   * certificate is useless with another). Never a secret.
   */
  identityParts(): IdentityParts {
    return {
      tokenUrl: this.endpoints.tokenUrl,
      issuer: this.endpoints.issuer,
      clientId: this.clientId,
      authMethod: this.authMethod,
      certificate: this.#auth.certificateThumbprint,
      dpop: this.dpop?.identityPart,
    };
  }

  /**
   * The `aud` of the assertions this client signs: `assertionAudience`, else the issuer when
   * known, else the token endpoint (configured whenever there is no issuer).
   */
  get audience(): string {
    return this.#auth.assertionAudience ?? this.endpoints.issuer ?? this.endpoints.tokenUrl!;
  }

  /** POSTs a grant to the token endpoint (with a DPoP proof of `proofKey` per attempt, when given). */
  async requestToken(
    fields: GrantFields,
    secrets: readonly string[],
    proofKey?: DpopKey,
  ): Promise<ClientAnswer> {
    return this.#post(await this.endpoints.token(this.#sender), fields, secrets, proofKey);
  }

  /**
   * Revokes a token (RFC 7009 §2.1), authenticated like a token request.
   * @throws {AuthenticationException} when there is no revocation endpoint, or the server refuses
   */
  async revoke(token: string, hint: string | undefined): Promise<void> {
    const url = await this.endpoints.revocation(this.#sender);
    if (url === undefined) {
      throw new AuthenticationException(
        `"${this.serviceName}" has no revocation endpoint: configure revocationUrl, or an issuer whose metadata lists revocation_endpoint`,
        { serviceName: this.serviceName, retryable: false, context: { reason: NO_REVOCATION_ENDPOINT } },
      );
    }
    const fields: Record<string, string> = { token };
    if (hint !== undefined) fields.token_type_hint = hint;
    await this.#post(url, () => fields, [token]);
  }

  /**
   * POSTs to `url` through the one exchange, each attempt built anew: the grant's fields, the
   * client authentication of this attempt (a fresh assertion), the secrets to scrub.
   */
  async #post(
    url: string,
    fields: GrantFields,
    secrets: readonly string[],
    proofKey?: DpopKey,
  ): Promise<ClientAnswer> {
    const audience = this.audience;
    const nonces = proofKey && this.dpop?.nonces;
    const known = [...secrets, ...this.#auth.secrets];
    const build = async (): Promise<TokenRequest> => {
      const [grant, credentials] = await Promise.all([
        fields(),
        this.#auth.strategy.credentials({ clientId: this.clientId, audience }),
      ]);
      const form: FormFields = { ...grant, ...credentials.form };
      const attemptSecrets = [...known, ...fieldSecrets(grant), ...credentials.secrets];
      let headers = credentials.headers;
      if (nonces) {
        const proof = proofKey.proof({ htm: 'POST', url, nonce: nonces.get(url) });
        headers = { ...headers, dpop: proof };
        attemptSecrets.push(proof);
      }
      return { method: 'POST', url, headers, form, secrets: attemptSecrets };
    };
    const answer = await exchangeToken(build, {
      send: this.#sender.send,
      serviceName: this.serviceName,
      url,
      maxRetries: this.#sender.maxRetries,
      onAnswer: nonces && ((response) => nonces.note(url, response.headers.get('dpop-nonce'))),
    });
    return { answer, url };
  }

  /** Releases the private client's connections (a caller's client stays open); later requests reconnect. */
  close(): Promise<void> {
    return this.#sender.close();
  }
}
