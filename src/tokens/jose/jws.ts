// Compact JWS signing (RFC 7515) with node:crypto only. Client assertions (RFC 7523), JWT-bearer
// grant assertions and DPoP proofs (typ `dpop+jwt` with a public `jwk` header) are all made here.
import { createHmac, constants as cryptoConstants, type JsonWebKey, type KeyObject, sign } from 'node:crypto';
import type { AsymmetricSigningAlg, SigningAlg } from './keys';

/** Header members a caller may add (`alg` is set from the algorithm). */
export interface JwsHeaderOptions {
  /** @default 'JWT' */
  readonly typ?: string;
  /** Key id. */
  readonly kid?: string;
  /** The public key itself (DPoP proofs). */
  readonly jwk?: JsonWebKey;
}

/** The signing key of an algorithm: a private `KeyObject`, or the shared secret's bytes for HS*. */
export type SigningKey =
  | { readonly alg: AsymmetricSigningAlg; readonly key: KeyObject }
  | { readonly alg: 'HS256' | 'HS384' | 'HS512'; readonly secret: Uint8Array };

const HASHES: Readonly<Record<string, string>> = { '256': 'sha256', '384': 'sha384', '512': 'sha512' };

function hashOf(alg: SigningAlg): string | undefined {
  return alg === 'EdDSA' ? undefined : HASHES[alg.slice(2)];
}

/** `base64url(utf8(JSON))` of a value: one part of a compact JWS. */
export function base64urlJson(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

/** The raw signature of `input` (JWS Signing Input) for one algorithm. */
function signature(input: Buffer, signer: SigningKey): Buffer {
  const hash = hashOf(signer.alg);
  if ('secret' in signer) return createHmac(hash!, signer.secret).update(input).digest();
  const { alg, key } = signer;
  if (alg === 'EdDSA') return sign(undefined, input, key);
  if (alg.startsWith('PS')) {
    // RFC 7518 §3.5: RSASSA-PSS with MGF1 and a salt as long as the hash.
    return sign(hash, input, {
      key,
      padding: cryptoConstants.RSA_PKCS1_PSS_PADDING,
      saltLength: cryptoConstants.RSA_PSS_SALTLEN_DIGEST,
    });
  }
  // RFC 7518 §3.4: ECDSA signatures are R || S, not DER.
  if (alg.startsWith('ES')) return sign(hash, input, { key, dsaEncoding: 'ieee-p1363' });
  return sign(hash, input, key);
}

/**
 * Signs `payload` as a compact JWS: `base64url(header).base64url(payload).base64url(signature)`.
 * @example signJwt({ iss: 'svc', exp }, { alg: 'ES256', key }, { kid: 'k1' })
 */
export function signJwt(
  payload: Readonly<Record<string, unknown>>,
  signer: SigningKey,
  header: JwsHeaderOptions = {},
): string {
  const protectedHeader: Record<string, unknown> = { alg: signer.alg, typ: header.typ ?? 'JWT' };
  if (header.kid !== undefined) protectedHeader.kid = header.kid;
  if (header.jwk !== undefined) protectedHeader.jwk = header.jwk;
  return signWithHeader(base64urlJson(protectedHeader), payload, signer);
}

/**
 * Signs `payload` under a protected header already encoded (base64url of its JSON): a key that
 * signs many JWTs with one header (DPoP proofs) encodes it once.
 */
export function signWithHeader(
  encodedHeader: string,
  payload: Readonly<Record<string, unknown>>,
  signer: SigningKey,
): string {
  const input = `${encodedHeader}.${base64urlJson(payload)}`;
  return `${input}.${signature(Buffer.from(input, 'ascii'), signer).toString('base64url')}`;
}
