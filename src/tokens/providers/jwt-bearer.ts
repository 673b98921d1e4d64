import { randomUUID } from 'node:crypto';
import { optionKeys, ownRecord, readOptions } from '../../checks/options';
import { ASSERTION_LIFETIME_S, checkSuppliedAssertion } from '../client-auth/assertion';
import { canonicalIdentity, hashedPart, type IdentityParts } from '../identity';
import type { SigningKey } from '../jose/jws';
import { signJwt } from '../jose/jws';
import { type AsymmetricSigningAlg, type PrivateKeyInput, readSigningKey } from '../jose/keys';
import { OAuth2GrantProvider } from './oauth2-grant-provider';
import { checkString, OAUTH2_OPTION_KEYS, type OAuth2ProviderOptions } from './oauth2-options';

/** `grant_type` of the JWT bearer grant (RFC 7523 §2.1). */
const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

/** How {@link JwtBearerTokenProvider} signs its grant assertions. */
export interface JwtBearerAssertionOptions {
  /**
   * The signing key: a `KeyObject`, a PEM string or a private JWK.
   * @example readFileSync('service-account.pem', 'utf8')
   */
  readonly privateKey: PrivateKeyInput;
  /**
   * The `iss` claim: who issues the assertion (a service account, a trusted issuer).
   * @example 'reports@project.iam.example.com'
   */
  readonly issuer: string;
  /**
   * The `sub` claim: whom the token is for (a user, the service account itself).
   * @example 'alice@example.com'
   */
  readonly subject: string;
  /**
   * The `aud` claim.
   * @default the provider's `issuer` when given, else its token endpoint
   * @example 'https://auth.example.com/oauth/token'
   */
  readonly audience?: string;
  /**
   * More claims (e.g. `scope` for servers that read it from the assertion). They cannot set
   * `iss`, `sub`, `aud`, `iat`, `exp` or `jti`.
   * @default none
   * @example { tenant: 'eu-1' }
   */
  readonly claims?: Readonly<Record<string, unknown>>;
  /**
   * The `kid` header.
   * @default no `kid`
   */
  readonly keyId?: string;
  /**
   * The algorithm.
   * @default from the key (RS256, PS256, ES256/384/512, EdDSA)
   */
  readonly signingAlg?: AsymmetricSigningAlg;
}

/** Options of {@link JwtBearerTokenProvider}. */
export interface JwtBearerOptions extends OAuth2ProviderOptions {
  /**
   * The grant's assertion: a function that returns one (asked for anew for every attempt), or
   * how to sign one here (a fresh `jti`, `iat` and an `exp` 60 s later for every attempt).
   * @example { privateKey, issuer: 'reports@example.com', subject: 'alice@example.com' }
   */
  readonly assertion: (() => Promise<string>) | JwtBearerAssertionOptions;
}

const KEYS = optionKeys<JwtBearerOptions>()({ ...OAUTH2_OPTION_KEYS, assertion: true });
const ASSERTION_KEYS = optionKeys<JwtBearerAssertionOptions>()({
  privateKey: true,
  issuer: true,
  subject: true,
  audience: true,
  claims: true,
  keyId: true,
  signingAlg: true,
});
const RESERVED = ['grant_type', 'assertion', 'scope'];
const REGISTERED_CLAIMS = ['iss', 'sub', 'aud', 'iat', 'exp', 'jti'];

interface SignedAssertion {
  readonly signer: SigningKey;
  readonly issuer: string;
  readonly subject: string;
  readonly audience: string | undefined;
  readonly claims: Readonly<Record<string, unknown>>;
  readonly keyId: string | undefined;
}

function readAssertionOptions(given: JwtBearerAssertionOptions): SignedAssertion {
  const options = readOptions(given, 'assertion', ASSERTION_KEYS);
  const signer = readSigningKey(
    options.privateKey,
    options.signingAlg,
    'assertion.privateKey',
    'assertion.signingAlg',
  );
  const claims = options.claims === undefined ? {} : options.claims;
  if (claims === null || typeof claims !== 'object' || Array.isArray(claims))
    throw new TypeError('assertion.claims must be an object');
  const own = ownRecord(claims as Record<string, unknown>);
  const reserved = REGISTERED_CLAIMS.filter((name) => name in own);
  if (reserved.length > 0) throw new TypeError(`assertion.claims cannot set ${reserved.join(', ')}`);
  return {
    signer,
    issuer: checkString(options.issuer, 'assertion.issuer'),
    subject: checkString(options.subject, 'assertion.subject'),
    audience:
      options.audience === undefined ? undefined : checkString(options.audience, 'assertion.audience'),
    claims: own,
    keyId: options.keyId === undefined ? undefined : checkString(options.keyId, 'assertion.keyId'),
  };
}

/**
 * The JWT bearer grant (RFC 7523 §2.1): a signed assertion is exchanged for an access token
 * (service accounts acting for themselves or, with domain-wide delegation, for a user;
 * federated workload identities). The assertion is made anew for every attempt. Client
 * authentication is optional for this grant (`authMethod` defaults to `none`).
 *
 * @example
 * ```ts
 * const provider = new JwtBearerTokenProvider({
 *   tokenUrl: 'https://auth.example.com/oauth/token',
 *   clientId: 'reports',
 *   serviceName: 'reports-api',
 *   assertion: { privateKey: readFileSync('reports.pem', 'utf8'), issuer: 'reports', subject: 'alice@example.com' },
 *   scope: 'reports:read',
 * });
 * ```
 */
export class JwtBearerTokenProvider extends OAuth2GrantProvider {
  /** The grant type sent: `urn:ietf:params:oauth:grant-type:jwt-bearer`. */
  readonly grantType = JWT_BEARER_GRANT;
  readonly #supply: (() => Promise<string>) | undefined;
  readonly #signed: SignedAssertion | undefined;
  /** With an assertion function the subject is unknown: this provider's tokens are its own. */
  readonly #instance = randomUUID();

  constructor(given: JwtBearerOptions) {
    const exact = new.target === JwtBearerTokenProvider;
    const options = readOptions(given, 'JwtBearerTokenProvider', exact ? KEYS : undefined);
    try {
      super(options, RESERVED, true);
      const assertion = options.assertion;
      if (typeof assertion === 'function') this.#supply = assertion;
      else if (assertion !== null && typeof assertion === 'object')
        this.#signed = readAssertionOptions(assertion);
      else
        throw new TypeError(
          'assertion must be a function returning a Promise of the assertion, or signing options',
        );
    } catch (error) {
      if (error instanceof TypeError) error.message = `JwtBearerTokenProvider: ${error.message}`;
      throw error;
    }
  }

  protected async grantForm(): Promise<Record<string, string>> {
    if (this.#supply) {
      const assertion = checkSuppliedAssertion(await this.#supply(), 'assertion', this.serviceName);
      return { grant_type: JWT_BEARER_GRANT, assertion };
    }
    const signed = this.#signed!;
    const iat = Math.floor(Date.now() / 1000);
    const claims = {
      ...signed.claims,
      iss: signed.issuer,
      sub: signed.subject,
      aud: signed.audience ?? this.issuer ?? this.tokenUrl!,
      jti: randomUUID(),
      iat,
      exp: iat + ASSERTION_LIFETIME_S,
    };
    const header = signed.keyId === undefined ? {} : { kid: signed.keyId };
    return { grant_type: JWT_BEARER_GRANT, assertion: signJwt(claims, signed.signer, header) };
  }

  protected grantSecrets(): readonly string[] {
    return [];
  }

  /**
   * The assertion's issuer, subject (hashed), audience and extra claims (hashed) when signed
   * here. With an assertion function the subject is only known per request, so the provider's
   * tokens are its own (a per-instance part): never handed to another configuration.
   */
  protected grantIdentity(): IdentityParts {
    const signed = this.#signed;
    if (!signed) return { grantType: JWT_BEARER_GRANT, subject: `instance:${this.#instance}` };
    return {
      grantType: JWT_BEARER_GRANT,
      assertionIssuer: signed.issuer,
      subject: hashedPart(signed.subject),
      assertionAudience: signed.audience,
      claims:
        Object.keys(signed.claims).length > 0
          ? hashedPart(canonicalIdentity(stringified(signed.claims)))
          : undefined,
    };
  }
}

function stringified(claims: Readonly<Record<string, unknown>>): IdentityParts {
  return Object.fromEntries(Object.entries(claims).map(([name, value]) => [name, JSON.stringify(value)]));
}
