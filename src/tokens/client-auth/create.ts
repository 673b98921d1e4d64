// Picks a provider's client authentication at construction and checks it has what it needs:
// a method without its credential is a TypeError naming the missing option, and a credential the
// method would not use is refused too (it is a misconfiguration, never silently ignored).
import { createHash, createPrivateKey, X509Certificate } from 'node:crypto';
import { optionKeys, readOptions } from '../../checks/options';
import { readSigningKey } from '../jose/keys';
import { checkString } from '../providers/oauth2-options';
import { AssertionFile, checkSuppliedAssertion } from './assertion';
import {
  type ClientAuthMethod,
  type ClientAuthOptions,
  canonicalAuthMethod,
  type ProviderTlsOptions,
  usesClientCertificate,
} from './options';
import {
  type ClientAuthStrategy,
  clientIdOnly,
  secretBasic,
  secretPost,
  signedAssertion,
  suppliedAssertion,
} from './strategies';

/** A provider's client authentication, decided at construction. */
export interface ClientAuthSetup {
  readonly strategy: ClientAuthStrategy;
  /** TLS for the private client (own, checked copy), if any. */
  readonly tls: ProviderTlsOptions | undefined;
  /** base64url SHA-256 of the client certificate (its `x5t#S256`), when one is presented. */
  readonly certificateThumbprint: string | undefined;
  /** The configured `aud` of signed assertions, if any. */
  readonly assertionAudience: string | undefined;
  /** Secrets configured for client authentication, scrubbed from anything quoted back. */
  readonly secrets: readonly string[];
}

/** What the provider tells the selection besides the options. */
export interface ClientAuthContext {
  readonly serviceName: string;
  /** The method when nothing is configured (`none` for grants that allow public clients), or none: an error. */
  readonly fallback: ClientAuthMethod | undefined;
  /** True when the caller brings its own client (`httpClient` or `dispatcher`): TLS is theirs. */
  readonly callerTransport: boolean;
}

const TLS_KEYS = optionKeys<ProviderTlsOptions>()({ cert: true, key: true, ca: true, passphrase: true });
const HMAC_ALGS: ReadonlySet<string> = new Set(['HS256', 'HS384', 'HS512']);

function pem(value: unknown, option: string): string | Buffer {
  if (typeof value === 'string' || Buffer.isBuffer(value)) return value;
  throw new TypeError(`${option} must be a PEM string or a Buffer`);
}

/** Checks `tls` and returns an own copy with the client certificate's thumbprint. */
function readTls(
  given: ProviderTlsOptions | undefined,
  callerTransport: boolean,
): { tls: ProviderTlsOptions | undefined; thumbprint: string | undefined } {
  if (given === undefined) return { tls: undefined, thumbprint: undefined };
  if (callerTransport)
    throw new TypeError(
      'tls is not available with httpClient or dispatcher: that client owns TLS, configure it there',
    );
  const tls = readOptions(given, 'tls', TLS_KEYS);
  if (tls.ca !== undefined) {
    const list = Array.isArray(tls.ca) ? tls.ca : [tls.ca];
    for (const [i, ca] of list.entries()) pem(ca, Array.isArray(tls.ca) ? `tls.ca[${i}]` : 'tls.ca');
  }
  if (tls.passphrase !== undefined) checkString(tls.passphrase, 'tls.passphrase');
  if ((tls.cert === undefined) !== (tls.key === undefined))
    throw new TypeError(
      `tls.${tls.cert === undefined ? 'cert' : 'key'} is missing: a client certificate needs both cert and key`,
    );
  if (tls.cert === undefined) return { tls, thumbprint: undefined };
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(pem(tls.cert, 'tls.cert'));
  } catch (error) {
    if (error instanceof TypeError && error.message.startsWith('tls.')) throw error;
    throw new TypeError('tls.cert could not be read as a PEM certificate');
  }
  let key: ReturnType<typeof createPrivateKey>;
  try {
    key = createPrivateKey({ key: pem(tls.key, 'tls.key'), passphrase: tls.passphrase });
  } catch (error) {
    if (error instanceof TypeError && error.message.startsWith('tls.')) throw error;
    throw new TypeError('tls.key could not be read as a PEM private key (is tls.passphrase right?)');
  }
  if (!certificate.checkPrivateKey(key)) throw new TypeError('tls.key does not belong to tls.cert');
  return { tls, thumbprint: createHash('sha256').update(certificate.raw).digest('base64url') };
}

/** The options only assertion-based methods read. */
const ASSERTION_OPTIONS: readonly (keyof ClientAuthOptions)[] = [
  'privateKey',
  'clientAssertion',
  'clientAssertionFile',
  'keyId',
  'signingAlg',
  'assertionAudience',
];

/** Refuses options the chosen method would not use. */
function refuseUnused(
  options: ClientAuthOptions,
  method: ClientAuthMethod,
  names: readonly (keyof ClientAuthOptions)[],
) {
  for (const name of names) {
    if (options[name] !== undefined)
      throw new TypeError(
        `${name} is not used by authMethod '${method}'; remove it or choose another authMethod`,
      );
  }
}

/**
 * The client authentication of a provider: the method (configured, or implied by the credential
 * given), checked against what it needs.
 * @throws {TypeError} naming the missing or unused option
 */
export function createClientAuth(options: ClientAuthOptions, context: ClientAuthContext): ClientAuthSetup {
  const secret =
    options.clientSecret === undefined ? undefined : checkString(options.clientSecret, 'clientSecret');
  const sources = (['privateKey', 'clientAssertion', 'clientAssertionFile'] as const).filter(
    (name) => options[name] !== undefined,
  );
  if (sources.length > 1) throw new TypeError(`give one of ${sources.join(', ')}, not several`);
  const source = sources[0];
  const method: ClientAuthMethod | undefined =
    options.authMethod !== undefined
      ? canonicalAuthMethod(options.authMethod)
      : secret !== undefined
        ? 'client_secret_post'
        : source !== undefined
          ? 'private_key_jwt'
          : context.fallback;
  if (method === undefined)
    throw new TypeError(
      "no client authentication: give clientSecret, privateKey, clientAssertion or clientAssertionFile, or authMethod ('tls_client_auth', 'self_signed_tls_client_auth', 'none')",
    );
  const { tls, thumbprint } = readTls(options.tls, context.callerTransport);
  const audience =
    options.assertionAudience === undefined
      ? undefined
      : checkString(options.assertionAudience, 'assertionAudience');
  const keyId = options.keyId === undefined ? undefined : checkString(options.keyId, 'keyId');
  const setup = (strategy: ClientAuthStrategy, secrets: readonly string[] = []): ClientAuthSetup => ({
    strategy,
    tls,
    certificateThumbprint: thumbprint,
    assertionAudience: audience,
    secrets,
  });
  const needs = (what: string): never => {
    throw new TypeError(`authMethod '${method}' needs ${what}`);
  };

  switch (method) {
    case 'client_secret_post':
    case 'client_secret_basic':
      refuseUnused(options, method, ASSERTION_OPTIONS);
      if (secret === undefined) return needs('clientSecret');
      return setup(method === 'client_secret_post' ? secretPost(secret) : secretBasic(secret), [secret]);
    case 'tls_client_auth':
    case 'self_signed_tls_client_auth':
    case 'none':
      refuseUnused(options, method, ['clientSecret', ...ASSERTION_OPTIONS]);
      if (usesClientCertificate(method) && thumbprint === undefined)
        return needs('tls.cert and tls.key (the client certificate)');
      return setup(clientIdOnly(method));
  }

  // The JWT methods: an assertion signed here, or one supplied from elsewhere.
  if (source === 'clientAssertion' || source === 'clientAssertionFile') {
    refuseUnused(options, method, ['clientSecret', 'keyId', 'signingAlg', 'assertionAudience']);
    const supply = supplier(options, source, context.serviceName);
    return setup(suppliedAssertion(method, supply, []));
  }
  if (method === 'client_secret_jwt') {
    refuseUnused(options, method, ['privateKey']);
    if (secret === undefined)
      return needs('clientSecret (the HMAC key), or clientAssertion / clientAssertionFile');
    const alg = options.signingAlg ?? 'HS256';
    if (!HMAC_ALGS.has(alg))
      throw new TypeError(`signingAlg must be HS256, HS384 or HS512 with authMethod '${method}'`);
    const signer = { alg: alg as 'HS256', secret: Buffer.from(secret, 'utf8') };
    return setup(signedAssertion(method, signer, keyId, [secret]), [secret]);
  }
  refuseUnused(options, method, ['clientSecret']);
  if (source !== 'privateKey') return needs('privateKey, clientAssertion or clientAssertionFile');
  const signer = readSigningKey(options.privateKey, options.signingAlg, 'privateKey', 'signingAlg');
  return setup(signedAssertion(method, signer, keyId, []));
}

/** The per-attempt supplier of a ready-made assertion. */
function supplier(
  options: ClientAuthOptions,
  source: 'clientAssertion' | 'clientAssertionFile',
  serviceName: string,
): () => Promise<string> {
  if (source === 'clientAssertionFile') {
    const file = new AssertionFile(
      checkString(options.clientAssertionFile, 'clientAssertionFile'),
      serviceName,
    );
    return () => file.read();
  }
  const supply = options.clientAssertion;
  if (typeof supply !== 'function')
    throw new TypeError('clientAssertion must be a function returning a Promise of the assertion');
  return async () => checkSuppliedAssertion(await supply(), 'clientAssertion', serviceName);
}
