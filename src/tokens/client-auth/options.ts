import type { PrivateKeyInput, SigningAlg } from '../jose/keys';

/**
 * How a client authenticates at the token endpoint (the registered names of RFC 6749 §2.3,
 * RFC 7523 §2.2, RFC 8705 and OpenID Connect Core §9).
 */
export type ClientAuthMethod =
  | 'client_secret_basic'
  | 'client_secret_post'
  | 'client_secret_jwt'
  | 'private_key_jwt'
  | 'tls_client_auth'
  | 'self_signed_tls_client_auth'
  | 'none';

/** A {@link ClientAuthMethod}, or the older names `'header'` (= `client_secret_basic`) and `'body'` (= `client_secret_post`). */
export type ClientAuthMethodOption = ClientAuthMethod | 'header' | 'body';

/** The client certificate (and trust) of a provider's token-endpoint connections. */
export interface ProviderTlsOptions {
  /**
   * The client certificate chain (PEM), for `tls_client_auth`, `self_signed_tls_client_auth` or
   * certificate-bound tokens (RFC 8705).
   * @example readFileSync('client.crt')
   */
  readonly cert?: string | Buffer;
  /**
   * The client certificate's private key (PEM).
   * @example readFileSync('client.key')
   */
  readonly key?: string | Buffer;
  /**
   * CA certificates (PEM) to trust for the token endpoint, e.g. a private CA. Alone, it is
   * accepted by every `authMethod`.
   * @default the system's CAs
   * @example readFileSync('internal-ca.crt')
   */
  readonly ca?: string | Buffer | ReadonlyArray<string | Buffer>;
  /**
   * The passphrase of an encrypted `key`.
   * @default none
   */
  readonly passphrase?: string;
}

/** Client authentication options, shared by every OAuth 2 provider. */
export interface ClientAuthOptions {
  /**
   * The client secret, for `client_secret_post`, `client_secret_basic` and `client_secret_jwt`
   * (the HS256 key). Refused by the methods that do not use it.
   * @default none
   * @example process.env.CLIENT_SECRET
   */
  readonly clientSecret?: string;
  /**
   * How the client authenticates (RFC 6749 §2.3, RFC 7523, RFC 8705, OIDC Core §9):
   * `client_secret_post` (id and secret in the form), `client_secret_basic` (HTTP Basic with
   * form-urlencoded id and secret), `client_secret_jwt` (an HS256 assertion signed with the
   * secret), `private_key_jwt` (an assertion signed with `privateKey`, or the one
   * `clientAssertion` / `clientAssertionFile` supplies), `tls_client_auth` and
   * `self_signed_tls_client_auth` (the client certificate of `tls`; only `client_id` in the
   * form), `none` (public clients: only `client_id`). `'body'` and `'header'` are the older names
   * of `client_secret_post` and `client_secret_basic`.
   * @default 'client_secret_post' with a `clientSecret`; 'private_key_jwt' with `privateKey`,
   * `clientAssertion` or `clientAssertionFile`
   * @example 'private_key_jwt'
   */
  readonly authMethod?: ClientAuthMethodOption;
  /**
   * The key that signs `private_key_jwt` assertions: a `KeyObject`, a PEM string or a private JWK.
   * @default none
   * @example readFileSync('client-key.pem', 'utf8')
   */
  readonly privateKey?: PrivateKeyInput;
  /**
   * The `kid` header of the assertions (the id under which the server knows the key).
   * @default no `kid`
   * @example 'client-key-2026'
   */
  readonly keyId?: string;
  /**
   * The assertion's algorithm: RS256/384/512, PS256/384/512 (RSA-PSS), ES256/384/512, EdDSA;
   * `client_secret_jwt` signs with HS256 (or HS384/HS512 when given).
   * @default from the key: RSA → RS256, RSA-PSS → PS256, EC P-256/P-384/P-521 → ES256/ES384/ES512, Ed25519 → EdDSA
   * @example 'PS256'
   */
  readonly signingAlg?: SigningAlg;
  /**
   * A ready-made client assertion, asked for anew for every token request attempt (a Kubernetes
   * projected service-account token, a GitHub Actions OIDC token, an assertion a signing
   * service made). Used with `private_key_jwt` (the default) or `client_secret_jwt`.
   * @default none
   * @example async () => (await readFile('/var/run/secrets/tokens/idp', 'utf8')).trim()
   */
  readonly clientAssertion?: () => Promise<string>;
  /**
   * A file that holds the client assertion (a Kubernetes projected token, Azure workload
   * identity's `AZURE_FEDERATED_TOKEN_FILE`). It is read again whenever it changes (inode, size
   * or modification time), and never reused past the `exp` of the assertion it holds.
   * @default none
   * @example '/var/run/secrets/azure/tokens/azure-identity-token'
   */
  readonly clientAssertionFile?: string;
  /**
   * The `aud` of the assertions this provider signs.
   * @default the issuer when known (`issuer` option), else the token endpoint URL
   * @example 'https://login.example.com/'
   */
  readonly assertionAudience?: string;
  /**
   * The client certificate and trust for the token endpoint: `{ cert, key, ca?, passphrase? }`.
   * `cert` and `key` are required by the TLS methods (and bind tokens to the certificate with
   * servers that do so); `ca` alone works with every method. Not available with `httpClient` or
   * `dispatcher`, whose owner configures TLS.
   * @default system CAs, no client certificate
   * @example { cert: readFileSync('client.crt'), key: readFileSync('client.key'), ca: readFileSync('ca.crt') }
   */
  readonly tls?: ProviderTlsOptions;
}

/** The keys of {@link ClientAuthOptions}, for the providers' own-property reading. */
export const CLIENT_AUTH_OPTION_KEYS = {
  clientSecret: true,
  authMethod: true,
  privateKey: true,
  keyId: true,
  signingAlg: true,
  clientAssertion: true,
  clientAssertionFile: true,
  assertionAudience: true,
  tls: true,
} as const;

const METHODS: ReadonlySet<string> = new Set([
  'client_secret_basic',
  'client_secret_post',
  'client_secret_jwt',
  'private_key_jwt',
  'tls_client_auth',
  'self_signed_tls_client_auth',
  'none',
]);

const ALIASES: Readonly<Record<string, ClientAuthMethod>> = {
  header: 'client_secret_basic',
  body: 'client_secret_post',
};

/** The registered name of a configured method (`'header'` → `client_secret_basic`, …). */
export function canonicalAuthMethod(value: unknown): ClientAuthMethod {
  if (typeof value === 'string' && Object.hasOwn(ALIASES, value)) return ALIASES[value]!;
  if (typeof value === 'string' && METHODS.has(value)) return value as ClientAuthMethod;
  throw new TypeError(
    `authMethod must be one of ${[...METHODS].join(', ')} (or the older 'body' / 'header')`,
  );
}

/** True for the methods that authenticate with the client certificate (RFC 8705 §2). */
export function usesClientCertificate(method: ClientAuthMethod): boolean {
  return method === 'tls_client_auth' || method === 'self_signed_tls_client_auth';
}
