import { randomUUID } from 'node:crypto';
import { positiveInteger } from '../../checks/numbers';
import { optionKeys, readOptions } from '../../checks/options';
import { AuthenticationException } from '../../errors/authentication-exception';
import { dpopHandleOf, registerDpopHandle } from '../dpop/dpop-handle';
import { hashedPart, type IdentityParts, sha256Hex } from '../identity';
import type { TokenData } from '../token-data';
import { TokenManager } from '../token-manager';
import type { TokenStorage } from '../token-storage';
import { OAuth2GrantProvider } from './oauth2-grant-provider';
import { checkString, OAUTH2_OPTION_KEYS, type OAuth2ProviderOptions } from './oauth2-options';
import { SubjectManagers, SubjectTokenProvider } from './subject-managers';

const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';
const JWT_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:jwt';

/** A token given as is, or a function asked for it on every attempt. */
export type TokenSource = string | (() => Promise<string>);

/** Options of {@link TokenExchangeTokenProvider}. */
export interface TokenExchangeOptions extends OAuth2ProviderOptions {
  /**
   * The token that represents whom the new token acts for (RFC 8693 §2.1): a user's access
   * token, an ID token, a workload's token; or a function asked for it on every attempt. Leave it
   * out to use the provider only through {@link TokenExchangeTokenProvider.forSubject}.
   * @default none: use `forSubject(subjectToken)`
   * @example request.headers.authorization.slice('Bearer '.length)
   */
  readonly subjectToken?: TokenSource;
  /**
   * The type of `subjectToken` (an RFC 8693 §3 URI).
   * @default 'urn:ietf:params:oauth:token-type:access_token'
   * @example 'urn:ietf:params:oauth:token-type:id_token'
   */
  readonly subjectTokenType?: string;
  /**
   * A token that represents the acting party (delegation, RFC 8693 §1.1), or a function for it.
   * @default none (impersonation)
   */
  readonly actorToken?: TokenSource;
  /**
   * The type of `actorToken`; required with it.
   * @default none
   * @example 'urn:ietf:params:oauth:token-type:access_token'
   */
  readonly actorTokenType?: string;
  /**
   * The logical name(s) of the target service (`audience`, repeated for a list).
   * @default none
   * @example 'orders-api'
   */
  readonly audience?: string | readonly string[];
  /**
   * The URI(s) of the target resource (`resource`, repeated for a list).
   * @default none
   * @example 'https://orders.example.com/'
   */
  readonly resource?: string | readonly string[];
  /**
   * The type of token asked for. The answer's `issued_token_type` must equal it (without it, an
   * access token or a JWT is accepted).
   * @default none: the server decides; an access token or JWT is accepted
   * @example 'urn:ietf:params:oauth:token-type:access_token'
   */
  readonly requestedTokenType?: string;
  /**
   * How many subjects `forSubject` keeps a `TokenManager` for; the least recently used is
   * dropped beyond it.
   * @default 1000
   */
  readonly maxSubjects?: number;
  /**
   * The storage of the `forSubject` managers (e.g. a `RedisTokenStorage`, to share exchanged
   * tokens across a fleet; each subject has its own key).
   * @default an `InMemoryTokenStorage` per subject, dropped with it
   */
  readonly subjectStorage?: TokenStorage;
}

const KEYS = optionKeys<TokenExchangeOptions>()({
  ...OAUTH2_OPTION_KEYS,
  subjectToken: true,
  subjectTokenType: true,
  actorToken: true,
  actorTokenType: true,
  audience: true,
  resource: true,
  requestedTokenType: true,
  maxSubjects: true,
  subjectStorage: true,
});
const RESERVED = [
  'grant_type',
  'subject_token',
  'subject_token_type',
  'actor_token',
  'actor_token_type',
  'audience',
  'resource',
  'requested_token_type',
  'refresh_token',
  'scope',
];

function readSource(value: unknown, option: string): TokenSource | undefined {
  if (value === undefined || typeof value === 'function') return value as TokenSource | undefined;
  return checkString(value, option);
}

function readList(value: unknown, option: string): readonly string[] {
  if (value === undefined) return [];
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || list.some((item) => typeof item !== 'string' || item === ''))
    throw new TypeError(`${option} must be a non-empty string or a list of them`);
  return [...list];
}

/** A source's value for one attempt. */
async function resolve(source: TokenSource, option: string, serviceName: string): Promise<string> {
  if (typeof source === 'string') return source;
  const value = await source();
  if (typeof value !== 'string' || value === '' || /[\s\p{Cc}]/u.test(value))
    throw new AuthenticationException(`${option} of "${serviceName}" did not give a token`, { serviceName });
  return value;
}

/** What tells a source's tokens apart: its hash, or — for a function — this provider instance. */
function sourcePart(source: TokenSource | undefined, instance: string): string | undefined {
  if (source === undefined) return undefined;
  return typeof source === 'string' ? hashedPart(source) : `instance:${instance}`;
}

/**
 * OAuth 2.0 Token Exchange (RFC 8693): a token for another audience or resource, acting for a
 * subject (impersonation) or on its behalf with an actor (delegation). The answer's
 * `issued_token_type` is checked. The subject token's hash is part of the identity, so tokens of
 * two subjects never mix; `forSubject(subjectToken)` keeps one `TokenManager` per subject
 * (bounded, least recently used dropped) for on-behalf-of calls.
 *
 * @example
 * ```ts
 * const exchange = new TokenExchangeTokenProvider({
 *   issuer: 'https://login.example.com',
 *   clientId: 'orders-gateway',
 *   clientSecret: process.env.CLIENT_SECRET!,
 *   serviceName: 'orders-api',
 *   audience: 'orders-api',
 * });
 * // per incoming request, one line:
 * const token = await exchange.forSubject(userAccessToken).getToken();
 * ```
 */
export class TokenExchangeTokenProvider extends OAuth2GrantProvider {
  /** The grant type sent: `urn:ietf:params:oauth:grant-type:token-exchange`. */
  readonly grantType = TOKEN_EXCHANGE_GRANT;
  /** The type of the subject token sent. */
  readonly subjectTokenType: string;
  /** The token type the answer must have, if asked for. */
  readonly requestedTokenType: string | undefined;
  readonly #subject: TokenSource | undefined;
  readonly #actor: TokenSource | undefined;
  readonly #actorTokenType: string | undefined;
  readonly #audience: readonly string[];
  readonly #resource: readonly string[];
  readonly #instance = randomUUID();
  readonly #subjects: SubjectManagers;
  readonly #subjectStorage: TokenStorage | undefined;

  constructor(given: TokenExchangeOptions) {
    const exact = new.target === TokenExchangeTokenProvider;
    const options = readOptions(given, 'TokenExchangeTokenProvider', exact ? KEYS : undefined);
    try {
      super(options, RESERVED, true);
      this.#subject = readSource(options.subjectToken, 'subjectToken');
      this.subjectTokenType = checkString(options.subjectTokenType ?? ACCESS_TOKEN_TYPE, 'subjectTokenType');
      this.#actor = readSource(options.actorToken, 'actorToken');
      this.#actorTokenType =
        options.actorTokenType === undefined
          ? undefined
          : checkString(options.actorTokenType, 'actorTokenType');
      if ((this.#actor === undefined) !== (this.#actorTokenType === undefined))
        throw new TypeError('actorToken and actorTokenType go together (RFC 8693 §2.1)');
      this.#audience = readList(options.audience, 'audience');
      this.#resource = readList(options.resource, 'resource');
      this.requestedTokenType =
        options.requestedTokenType === undefined
          ? undefined
          : checkString(options.requestedTokenType, 'requestedTokenType');
      this.#subjects = new SubjectManagers(positiveInteger(options.maxSubjects ?? 1000, 'maxSubjects'));
      this.#subjectStorage = options.subjectStorage;
    } catch (error) {
      if (error instanceof TypeError) error.message = `TokenExchangeTokenProvider: ${error.message}`;
      throw error;
    }
  }

  protected grantForm(): Promise<Record<string, string | readonly string[]>> {
    return this.#form(this.#subject!);
  }

  async #form(subject: TokenSource): Promise<Record<string, string | readonly string[]>> {
    const form: Record<string, string | readonly string[]> = {
      grant_type: TOKEN_EXCHANGE_GRANT,
      subject_token: await resolve(subject, 'subjectToken', this.serviceName),
      subject_token_type: this.subjectTokenType,
    };
    if (this.#actor !== undefined) {
      form.actor_token = await resolve(this.#actor, 'actorToken', this.serviceName);
      form.actor_token_type = this.#actorTokenType!;
    }
    if (this.#audience.length > 0) form.audience = this.#audience;
    if (this.#resource.length > 0) form.resource = this.#resource;
    if (this.requestedTokenType !== undefined) form.requested_token_type = this.requestedTokenType;
    return form;
  }

  protected grantSecrets(): readonly string[] {
    return [this.#subject, this.#actor].filter((token): token is string => typeof token === 'string');
  }

  protected grantIdentity(): IdentityParts {
    return this.#grantIdentity(sourcePart(this.#subject, this.#instance));
  }

  #grantIdentity(subject: string | undefined): IdentityParts {
    return {
      grantType: TOKEN_EXCHANGE_GRANT,
      subject,
      subjectTokenType: this.subjectTokenType,
      actor: sourcePart(this.#actor, this.#instance),
      actorTokenType: this.#actorTokenType,
      audience: this.#audience.length > 0 ? [...this.#audience].sort() : undefined,
      resource: this.#resource.length > 0 ? [...this.#resource].sort() : undefined,
      requestedTokenType: this.requestedTokenType,
    };
  }

  /** Exchanges `subject` and checks the answer's `issued_token_type` (RFC 8693 §2.2.1). */
  async #exchange(subject: TokenSource): Promise<TokenData> {
    const token = await this.requestToken(() => this.#form(subject));
    const issued = token.extra.issued_token_type;
    const expected = this.requestedTokenType;
    const fits =
      expected === undefined
        ? issued === ACCESS_TOKEN_TYPE || issued === JWT_TOKEN_TYPE
        : issued === expected;
    if (!fits) {
      const got = typeof issued === 'string' ? JSON.stringify(issued.slice(0, 200)) : 'none';
      throw new AuthenticationException(
        `Token exchange for "${this.serviceName}" answered issued_token_type ${got}; expected ${expected ?? `${ACCESS_TOKEN_TYPE} or ${JWT_TOKEN_TYPE}`}`,
        { serviceName: this.serviceName, retryable: false },
      );
    }
    return token;
  }

  /** A token for the configured `subjectToken`. */
  override fetchToken(): Promise<TokenData> {
    if (this.#subject === undefined) {
      return Promise.reject(
        new AuthenticationException(
          `"${this.serviceName}" has no subjectToken: use forSubject(subjectToken) for on-behalf-of tokens`,
          { serviceName: this.serviceName, retryable: false },
        ),
      );
    }
    return this.#exchange(this.#subject);
  }

  /**
   * The `TokenManager` of one subject: made on first use, then kept (up to `maxSubjects`, least
   * recently used dropped), with everything a manager gives — single flight, refresh ahead, the
   * refresh token when the server issued one. Keyed by the subject token's hash: two subjects
   * never share a token. It shares this provider's connections and discovery.
   * @example const token = await exchange.forSubject(userAccessToken).getToken();
   */
  forSubject(subjectToken: string): TokenManager {
    const subject = checkString(subjectToken, 'TokenExchangeTokenProvider.forSubject: subjectToken');
    const hash = sha256Hex(subject);
    return this.#subjects.get(hash, () => {
      const provider = new SubjectTokenProvider({
        serviceName: this.serviceName,
        identity: this.identityWith(this.#grantIdentity(`sha256:${hash}`)),
        grantType: TOKEN_EXCHANGE_GRANT,
        fetch: () => this.#exchange(subject),
        refresh: (current) => this.refreshWith(current, () => this.#exchange(subject)),
        revoke: (token, options) => this.revokeToken(token, options),
      });
      const dpop = dpopHandleOf(this);
      if (dpop) registerDpopHandle(provider, dpop);
      return new TokenManager(provider, this.#subjectStorage);
    });
  }

  /** A secret-free description, for logs and `JSON.stringify`. */
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), subjects: this.#subjects.size };
  }
}
