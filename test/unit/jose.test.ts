// JOSE signing with node:crypto, verified independently with `jose`: every algorithm, the
// algorithm a key implies, keys in every form, RFC 7638 thumbprints. Pure (no I/O).
import { createPublicKey, generateKeyPairSync, type KeyObject, verify } from 'node:crypto';
import { calculateJwkThumbprint, compactVerify, decodeProtectedHeader, importJWK } from 'jose';
import { describe, expect, it } from 'vitest';
import { signJwt } from '../../src/tokens/jose/jws';
import {
  type AsymmetricSigningAlg,
  checkSigningAlg,
  defaultSigningAlg,
  jwkThumbprint,
  publicJwk,
  readPrivateKey,
  readSigningKey,
} from '../../src/tokens/jose/keys';

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const rsaPss = generateKeyPairSync('rsa-pss', { modulusLength: 2048 });
const p256 = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' });
const p521 = generateKeyPairSync('ec', { namedCurve: 'P-521' });
const ed25519 = generateKeyPairSync('ed25519');

const cases: Array<[AsymmetricSigningAlg, { privateKey: KeyObject; publicKey: KeyObject }]> = [
  ['RS256', rsa],
  ['RS384', rsa],
  ['RS512', rsa],
  ['PS256', rsa],
  ['PS384', rsa],
  ['PS512', rsa],
  ['ES256', p256],
  ['ES384', p384],
  ['ES512', p521],
  ['EdDSA', ed25519],
];

describe('signJwt', () => {
  it.each(cases)('%s verifies with jose', async (alg, pair) => {
    const jwt = signJwt({ iss: 'svc', n: 1 }, { alg, key: pair.privateKey }, { kid: 'k1' });
    const { payload, protectedHeader } = await compactVerify(jwt, pair.publicKey, { algorithms: [alg] });
    expect(protectedHeader).toEqual({ alg, typ: 'JWT', kid: 'k1' });
    expect(JSON.parse(Buffer.from(payload).toString())).toEqual({ iss: 'svc', n: 1 });
  });

  it('an RSA-PSS key signs PS256 with a salt as long as the hash (RFC 7518 §3.5)', () => {
    // jose cannot import RSA-PSS key objects: node:crypto verifies, demanding that salt length.
    const jwt = signJwt({ a: 1 }, { alg: 'PS256', key: rsaPss.privateKey });
    const [header, payload, signature] = jwt.split('.');
    const verifyWith = (saltLength: number) =>
      verify(
        'sha256',
        Buffer.from(`${header}.${payload}`),
        { key: rsaPss.publicKey, saltLength },
        Buffer.from(signature!, 'base64url'),
      );
    expect(verifyWith(32)).toBe(true);
    expect(verifyWith(20)).toBe(false);
    expect(() => publicJwk(rsaPss.privateKey)).toThrow(/has no JWK form/);
  });

  it('HS256 with a secret, and a DPoP-style header (typ and public jwk)', async () => {
    const secret = new TextEncoder().encode('a client secret of some length!!');
    const jwt = signJwt({ a: 1 }, { alg: 'HS256', secret });
    await expect(compactVerify(jwt, secret, { algorithms: ['HS256'] })).resolves.toBeDefined();
    const jwk = publicJwk(p256.privateKey);
    const proof = signJwt({ htm: 'POST' }, { alg: 'ES256', key: p256.privateKey }, { typ: 'dpop+jwt', jwk });
    expect(decodeProtectedHeader(proof)).toEqual({ alg: 'ES256', typ: 'dpop+jwt', jwk });
    await expect(compactVerify(proof, await importJWK(jwk, 'ES256'))).resolves.toBeDefined();
  });
});

describe('keys', () => {
  it('reads a KeyObject, a PEM and a private JWK; never echoes the key', () => {
    const pem = rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const jwk = p256.privateKey.export({ format: 'jwk' });
    expect(readPrivateKey(rsa.privateKey, 'privateKey').asymmetricKeyType).toBe('rsa');
    expect(readPrivateKey(pem, 'privateKey').asymmetricKeyType).toBe('rsa');
    expect(readPrivateKey(jwk, 'privateKey').asymmetricKeyType).toBe('ec');
    const broken = `${pem.slice(0, 80)}SECRET-MATERIAL`;
    expect(() => readPrivateKey(broken, 'privateKey')).toThrow(/privateKey could not be read/);
    try {
      readPrivateKey(broken, 'privateKey');
    } catch (error) {
      expect(String(error)).not.toContain('SECRET-MATERIAL');
    }
    expect(() => readPrivateKey(rsa.publicKey, 'privateKey')).toThrow(
      'privateKey must be a private key, got a public key',
    );
    expect(() => readPrivateKey(publicJwk(p256.privateKey), 'privateKey')).toThrow(/without "d"/);
    expect(() => readPrivateKey(42, 'privateKey')).toThrow(/KeyObject, a PEM string or a private JWK/);
  });

  it('the default algorithm follows the key type, curve and size', () => {
    expect(
      cases
        .filter(([alg]) => ['RS256', 'ES256', 'ES384', 'ES512', 'EdDSA'].includes(alg))
        .map(([alg, pair]) => [alg, defaultSigningAlg(pair.privateKey, 'k')]),
    ).toEqual([
      ['RS256', 'RS256'],
      ['ES256', 'ES256'],
      ['ES384', 'ES384'],
      ['ES512', 'ES512'],
      ['EdDSA', 'EdDSA'],
    ]);
    expect(defaultSigningAlg(rsaPss.privateKey, 'k')).toBe('PS256');
    const secp256k1 = generateKeyPairSync('ec', { namedCurve: 'secp256k1' });
    expect(() => defaultSigningAlg(secp256k1.privateKey, 'privateKey')).toThrow(
      /ec secp256k1 key cannot sign/,
    );
  });

  it('refuses an algorithm that does not fit the key, and short RSA keys', () => {
    expect(() => checkSigningAlg('ES256', rsa.privateKey, 'signingAlg')).toThrow(
      'signingAlg ES256 does not fit a rsa key',
    );
    expect(() => checkSigningAlg('ES384', p256.privateKey, 'signingAlg')).toThrow(
      /does not fit a ec prime256v1 key/,
    );
    expect(() => checkSigningAlg('RS256', rsaPss.privateKey, 'signingAlg')).toThrow(/does not fit/);
    expect(() => checkSigningAlg('HS256', rsa.privateKey, 'signingAlg')).toThrow(/must be one of/);
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 });
    expect(() => checkSigningAlg('RS256', small.privateKey, 'signingAlg')).toThrow(/at least 2048 bits/);
    expect(checkSigningAlg('PS256', rsa.privateKey, 'signingAlg')).toBe('PS256');
    // The algorithm a key implies is held to the same rules as a given one.
    expect(() => readSigningKey(small.privateKey, undefined, 'privateKey', 'signingAlg')).toThrow(
      /at least 2048 bits/,
    );
    expect(readSigningKey(rsa.privateKey, undefined, 'privateKey', 'signingAlg').alg).toBe('RS256');
    expect(readSigningKey(p256.privateKey, undefined, 'privateKey', 'signingAlg').alg).toBe('ES256');
  });

  it('JWK thumbprints match RFC 7638 §3.1 and jose', async () => {
    const rfcExample = {
      kty: 'RSA',
      n: '0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw',
      e: 'AQAB',
      alg: 'RS256',
      kid: '2011-04-29',
    };
    expect(jwkThumbprint(rfcExample)).toBe('NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs');
    for (const [, pair] of cases) {
      const jwk = createPublicKey(pair.privateKey).export({ format: 'jwk' });
      expect(jwkThumbprint(pair.privateKey)).toBe(await calculateJwkThumbprint(jwk));
    }
    expect(() => jwkThumbprint({ kty: 'oct', k: 'x' })).toThrow(/kty must be RSA, EC or OKP/);
  });
});
