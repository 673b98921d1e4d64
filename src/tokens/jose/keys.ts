// Keys for JOSE signing with node:crypto only: reading a private key in any of its usual forms,
// the algorithm a key implies, whether an algorithm fits a key, public JWKs and their RFC 7638
// thumbprints. Pure: no I/O.
import { createHash, createPrivateKey, createPublicKey, type JsonWebKey, KeyObject } from 'node:crypto';
import { ownRecord } from '../../checks/options';

/** JWS algorithms for asymmetric keys (RFC 7518 §3.1, RFC 8037). */
export type AsymmetricSigningAlg =
  | 'RS256'
  | 'RS384'
  | 'RS512'
  | 'PS256'
  | 'PS384'
  | 'PS512'
  | 'ES256'
  | 'ES384'
  | 'ES512'
  | 'EdDSA';

/** Every JWS algorithm requestforge signs with: the asymmetric ones and HMAC (`client_secret_jwt`). */
export type SigningAlg = AsymmetricSigningAlg | 'HS256' | 'HS384' | 'HS512';

/** A private key as a caller may hold it: a `KeyObject`, a PEM string or a private JWK (with `d`). */
export type PrivateKeyInput = KeyObject | string | JsonWebKey;

const ASYMMETRIC: ReadonlySet<string> = new Set([
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
]);

const CURVE_ALGS: Readonly<Record<string, AsymmetricSigningAlg>> = {
  prime256v1: 'ES256',
  secp384r1: 'ES384',
  secp521r1: 'ES512',
};

/** The members of a public JWK that RFC 7638 §3.2 hashes, per key type, in lexicographic order. */
const THUMBPRINT_MEMBERS: Readonly<Record<string, readonly string[]>> = {
  RSA: ['e', 'kty', 'n'],
  EC: ['crv', 'kty', 'x', 'y'],
  OKP: ['crv', 'kty', 'x'],
};

/**
 * Reads a private key given as a `KeyObject`, a PEM string (PKCS#8, PKCS#1 or SEC1) or a private
 * JWK. The key is never quoted in an error.
 * @throws {TypeError} naming `option` when the value is not a usable private key
 */
export function readPrivateKey(value: unknown, option: string): KeyObject {
  if (value instanceof KeyObject) {
    if (value.type !== 'private')
      throw new TypeError(`${option} must be a private key, got a ${value.type} key`);
    return value;
  }
  if (typeof value === 'string') {
    try {
      return createPrivateKey(value);
    } catch {
      throw new TypeError(
        `${option} could not be read as a PEM private key (an encrypted PEM needs a KeyObject)`,
      );
    }
  }
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    // Own members only: a polluted Object.prototype cannot turn a public JWK into a "private" one.
    const jwk = ownRecord(value as Record<string, unknown>);
    if (typeof jwk.d !== 'string')
      throw new TypeError(`${option} is a JWK without "d": a private JWK is needed`);
    try {
      return createPrivateKey({ key: { ...jwk } as JsonWebKey, format: 'jwk' });
    } catch {
      throw new TypeError(`${option} could not be read as a private JWK`);
    }
  }
  throw new TypeError(`${option} must be a KeyObject, a PEM string or a private JWK`);
}

/** The key type of a key, for messages (`rsa`, `ec P-256`, `ed25519`, …). */
function describeKey(key: KeyObject): string {
  const curve = key.asymmetricKeyDetails?.namedCurve;
  return curve ? `${key.asymmetricKeyType} ${curve}` : String(key.asymmetricKeyType);
}

/**
 * The algorithm a key implies: RSA → RS256, RSA-PSS → PS256, EC P-256/P-384/P-521 →
 * ES256/ES384/ES512, Ed25519 (and Ed448) → EdDSA.
 * @throws {TypeError} for other key types
 */
export function defaultSigningAlg(key: KeyObject, option: string): AsymmetricSigningAlg {
  switch (key.asymmetricKeyType) {
    case 'rsa':
      return 'RS256';
    case 'rsa-pss':
      return 'PS256';
    case 'ec': {
      const alg = CURVE_ALGS[key.asymmetricKeyDetails?.namedCurve ?? ''];
      if (alg) return alg;
      break;
    }
    case 'ed25519':
    case 'ed448':
      return 'EdDSA';
  }
  throw new TypeError(
    `${option}: a ${describeKey(key)} key cannot sign JWTs (use RSA, EC P-256/384/521 or Ed25519)`,
  );
}

/**
 * Checks that `alg` is an asymmetric JWS algorithm this key can sign with (RSA keys of at least
 * 2048 bits, RFC 7518 §3.3; the curve that matches an ES algorithm).
 * @throws {TypeError} naming `option` and the key type
 */
export function checkSigningAlg(alg: unknown, key: KeyObject, option: string): AsymmetricSigningAlg {
  if (typeof alg !== 'string' || !ASYMMETRIC.has(alg))
    throw new TypeError(`${option} must be one of ${[...ASYMMETRIC].join(', ')}`);
  const type = key.asymmetricKeyType;
  const fits = alg.startsWith('RS')
    ? type === 'rsa'
    : alg.startsWith('PS')
      ? type === 'rsa' || type === 'rsa-pss'
      : alg === 'EdDSA'
        ? type === 'ed25519' || type === 'ed448'
        : type === 'ec' && CURVE_ALGS[key.asymmetricKeyDetails?.namedCurve ?? ''] === alg;
  if (!fits) throw new TypeError(`${option} ${alg} does not fit a ${describeKey(key)} key`);
  if ((type === 'rsa' || type === 'rsa-pss') && (key.asymmetricKeyDetails?.modulusLength ?? 0) < 2048)
    throw new TypeError(`${option}: RSA keys must have at least 2048 bits (RFC 7518 §3.3)`);
  return alg as AsymmetricSigningAlg;
}

/**
 * Reads a configured private key and its algorithm: `alg` when given (checked against the key),
 * else the one the key implies.
 * @throws {TypeError} naming `keyOption` or `algOption`
 */
export function readSigningKey(
  value: unknown,
  alg: unknown,
  keyOption: string,
  algOption: string,
): { readonly alg: AsymmetricSigningAlg; readonly key: KeyObject } {
  const key = readPrivateKey(value, keyOption);
  return {
    // An implied algorithm is checked like a given one (a 1024-bit RSA key is refused either way).
    alg: checkSigningAlg(alg === undefined ? defaultSigningAlg(key, keyOption) : alg, key, algOption),
    key,
  };
}

/** The public JWK of a key (private or public): only the public members RFC 7517/7518/8037 define. */
export function publicJwk(key: KeyObject): JsonWebKey {
  let full: JsonWebKey;
  try {
    full = createPublicKey(key).export({ format: 'jwk' });
  } catch {
    throw new TypeError(`a ${describeKey(key)} key has no JWK form`);
  }
  const members = THUMBPRINT_MEMBERS[full.kty ?? ''];
  if (!members) throw new TypeError(`a ${describeKey(key)} key has no JWK form`);
  const jwk: Record<string, string> = {};
  for (const name of members) jwk[name] = (full as Record<string, string>)[name]!;
  return jwk;
}

/**
 * The JWK thumbprint of a key (RFC 7638): base64url(SHA-256) of its required public members in
 * lexicographic order, without whitespace. Used for DPoP `jkt` and as a stable key id.
 * @example jwkThumbprint(publicJwk(key)) // 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs'
 */
export function jwkThumbprint(key: KeyObject | JsonWebKey): string {
  const jwk = key instanceof KeyObject ? publicJwk(key) : ownRecord(key as Record<string, unknown>);
  const members = THUMBPRINT_MEMBERS[String(jwk.kty)];
  if (!members) throw new TypeError('jwkThumbprint: kty must be RSA, EC or OKP');
  const canonical = `{${members.map((name) => `"${name}":${JSON.stringify(String(jwk[name]))}`).join(',')}}`;
  return createHash('sha256').update(canonical, 'utf8').digest('base64url');
}
