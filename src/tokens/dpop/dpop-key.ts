// A DPoP key (RFC 9449): the private key a client proves possession of, its algorithm, its public
// JWK and RFC 7638 thumbprint (`jkt`), and the proofs it signs. The protected header of a key's
// proofs never changes, so it is encoded once.
import { createHash, generateKeyPair, type JsonWebKey, type KeyObject, randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { INSPECT } from '../../observability/redact-constants';
import { base64urlJson, signWithHeader } from '../jose/jws';
import { jwkThumbprint, publicJwk, readSigningKey } from '../jose/keys';

/** The algorithms a DPoP key may sign with. */
export type DpopAlg = 'ES256' | 'ES384' | 'EdDSA' | 'PS256' | 'RS256';

/** The algorithms of {@link DpopAlg}, in the order messages list them. */
export const DPOP_ALGS: readonly DpopAlg[] = ['ES256', 'ES384', 'EdDSA', 'PS256', 'RS256'];

/** What a proof is for: the request's method and URL, and what the server asked for. */
export interface ProofTarget {
  /** The HTTP method, upper case. */
  readonly htm: string;
  /** The request URL (query and fragment are left out of the proof). */
  readonly url: string;
  /** The server's latest `DPoP-Nonce` for the URL's origin. */
  readonly nonce?: string | undefined;
  /** `base64url(SHA-256(access token))`, for resource requests. */
  readonly ath?: string | undefined;
}

const generate = promisify(generateKeyPair);

/** `htu`: the URL without query and fragment (RFC 9449 §4.2). */
export function htuOf(url: string): string {
  const query = url.indexOf('?');
  const hash = url.indexOf('#');
  const end = query === -1 ? hash : hash === -1 ? query : Math.min(query, hash);
  return end === -1 ? url : url.slice(0, end);
}

/** `ath`: base64url(SHA-256) of the access token's ASCII bytes (RFC 9449 §4.2). */
export function accessTokenHash(accessToken: string): string {
  return createHash('sha256').update(accessToken, 'ascii').digest('base64url');
}

/**
 * One DPoP key. Holds a private key: prints as its thumbprint only (`util.inspect`,
 * `JSON.stringify`).
 */
export class DpopKey {
  /** The signing algorithm. */
  readonly alg: DpopAlg;
  /** The RFC 7638 SHA-256 thumbprint of the public key (the token's `cnf.jkt`). */
  readonly jkt: string;
  readonly #key: KeyObject;
  readonly #header: string;

  private constructor(key: KeyObject, alg: DpopAlg) {
    this.#key = key;
    this.alg = alg;
    const jwk = publicJwk(key);
    this.jkt = jwkThumbprint(jwk);
    this.#header = base64urlJson({ typ: 'dpop+jwt', alg, jwk });
  }

  /**
   * Reads a configured private key; `alg` defaults from the key (EC P-256 → ES256, Ed25519 →
   * EdDSA, RSA → RS256, RSA-PSS → PS256).
   * @throws {TypeError} naming `option` for a key or algorithm DPoP cannot use
   */
  static from(value: unknown, alg: unknown, option: string): DpopKey {
    const { key, alg: chosen } = readSigningKey(
      value,
      alg ?? undefined,
      `${option}.privateKey`,
      `${option}.alg`,
    );
    if (!(DPOP_ALGS as readonly string[]).includes(chosen))
      throw new TypeError(`${option}.alg must be one of ${DPOP_ALGS.join(', ')}`);
    return new DpopKey(key, chosen as DpopAlg);
  }

  /** A new key pair for `alg` (P-256, P-384, Ed25519 or RSA 2048). */
  static async generate(alg: DpopAlg): Promise<DpopKey> {
    const pair =
      alg === 'ES256'
        ? await generate('ec', { namedCurve: 'P-256' })
        : alg === 'ES384'
          ? await generate('ec', { namedCurve: 'P-384' })
          : alg === 'EdDSA'
            ? await generate('ed25519')
            : await generate('rsa', { modulusLength: 2048 });
    return new DpopKey(pair.privateKey, alg);
  }

  /** A proof JWT for one send (RFC 9449 §4.2): fresh `jti` and `iat` each time. */
  proof(target: ProofTarget): string {
    const claims: Record<string, unknown> = {
      // 122 random bits (RFC 9449 §11.1 asks for at least 96); randomUUID draws from a cached
      // entropy pool: a fraction of randomBytes' cost per call.
      jti: randomUUID(),
      htm: target.htm,
      htu: htuOf(target.url),
      iat: Math.floor(Date.now() / 1000),
    };
    if (target.nonce !== undefined) claims.nonce = target.nonce;
    if (target.ath !== undefined) claims.ath = target.ath;
    return signWithHeader(this.#header, claims, { alg: this.alg, key: this.#key });
  }

  /** The private JWK, for a storage that keeps the key with the token (an encrypted one only). */
  exportPrivate(): JsonWebKey {
    return this.#key.export({ format: 'jwk' });
  }

  /** A secret-free description. */
  toJSON(): Record<string, unknown> {
    return { alg: this.alg, jkt: this.jkt };
  }

  [INSPECT](): string {
    return `DpopKey ${JSON.stringify(this.toJSON())}`;
  }
}
