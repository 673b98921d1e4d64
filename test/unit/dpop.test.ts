// DPoP (RFC 9449) pieces without I/O: proofs verified with jose, htu, ath, per-origin nonces,
// the `dpop` option's checks, the nonce challenge.
import { generateKeyPairSync } from 'node:crypto';
import { inspect } from 'node:util';
import { calculateJwkThumbprint, decodeJwt, EmbeddedJWK, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { asksForDpopNonce, parseChallenges, refreshMayHelp } from '../../src/auth/challenges';
import { accessTokenHash, DpopKey, htuOf } from '../../src/tokens/dpop/dpop-key';
import { readDpopOption } from '../../src/tokens/dpop/dpop-options';
import { NonceStore, originOf } from '../../src/tokens/dpop/nonce-store';

const p256 = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;

describe('DPoP proofs', () => {
  it('typ dpop+jwt, the public jwk, htm, htu without query and fragment, iat, unique jti, nonce, ath', async () => {
    const key = DpopKey.from(p256, undefined, 'dpop');
    const url = 'https://api.example.com/v1/items?page=2#top';
    const proofs = [0, 1, 2].map(() => key.proof({ htm: 'GET', url, nonce: 'n-1', ath: 'abc' }));
    for (const proof of proofs) {
      const { payload, protectedHeader } = await jwtVerify(proof, EmbeddedJWK, { typ: 'dpop+jwt' });
      expect(protectedHeader.alg).toBe('ES256');
      expect(protectedHeader.jwk).not.toHaveProperty('d');
      expect(await calculateJwkThumbprint(protectedHeader.jwk!)).toBe(key.jkt);
      expect(payload).toMatchObject({
        htm: 'GET',
        htu: 'https://api.example.com/v1/items',
        nonce: 'n-1',
        ath: 'abc',
      });
      expect(Math.abs((payload.iat as number) - Date.now() / 1000)).toBeLessThan(5);
    }
    const jtis = proofs.map((proof) => decodeJwt(proof).jti);
    expect(new Set(jtis).size).toBe(3);
    expect(jtis[0]).toMatch(/^[\da-f-]{36}$/);
  });

  it('every algorithm of the option signs verifiable proofs; generated keys too', async () => {
    const keys = [
      DpopKey.from(generateKeyPairSync('ed25519').privateKey, undefined, 'dpop'),
      DpopKey.from(generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey, undefined, 'dpop'),
      DpopKey.from(generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey, 'PS256', 'dpop'),
      DpopKey.from(generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey, undefined, 'dpop'),
      await DpopKey.generate('ES256'),
      await DpopKey.generate('EdDSA'),
    ];
    expect(keys.map((key) => key.alg)).toEqual(['EdDSA', 'ES384', 'PS256', 'RS256', 'ES256', 'EdDSA']);
    for (const key of keys) {
      const proof = key.proof({ htm: 'POST', url: 'https://as.example.com/token' });
      const { payload } = await jwtVerify(proof, EmbeddedJWK, { typ: 'dpop+jwt' });
      expect(payload).not.toHaveProperty('nonce');
      expect(payload).not.toHaveProperty('ath');
    }
  });

  it('a key prints as its thumbprint only', () => {
    const key = DpopKey.from(p256, undefined, 'dpop');
    const d = p256.export({ format: 'jwk' }).d!;
    expect(`${inspect(key)} ${JSON.stringify(key)}`).not.toContain(d);
    expect(JSON.stringify(key)).toContain(key.jkt);
    expect(key.exportPrivate().d).toBe(d);
  });

  it('ath is base64url(SHA-256) of the token (RFC 9449 §7.1 example); htu drops query and fragment', () => {
    expect(accessTokenHash('Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU')).toBe(
      'fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo',
    );
    expect(htuOf('https://h/p?q=1')).toBe('https://h/p');
    expect(htuOf('https://h/p#f?x')).toBe('https://h/p');
    expect(htuOf('https://h/p')).toBe('https://h/p');
  });
});

describe('nonces per origin', () => {
  it('remembers the latest nonce of each origin, bounded, and refuses unusable ones', () => {
    const store = new NonceStore();
    expect(originOf('https://a.example:8443/x?y')).toBe('https://a.example:8443');
    expect(originOf('http://b')).toBe('http://b');
    expect(store.note('https://a/token', 'n1')).toBe(true);
    expect(store.get('https://a/other?q')).toBe('n1');
    expect(store.get('https://b/token')).toBeUndefined();
    expect(store.note('https://a/x', 'n1')).toBe(false);
    store.note('https://a/x', 'n2');
    expect(store.get('https://a/')).toBe('n2');
    expect(store.note('https://a/x', 'bad\r\nnonce')).toBe(false);
    expect(store.note('https://a/x', '')).toBe(false);
    expect(store.get('https://a/')).toBe('n2');
    for (let i = 0; i < 150; i++) store.note(`https://host-${i}/`, `n${i}`);
    expect(store.get('https://a/')).toBeUndefined();
    expect(store.get('https://host-149/')).toBe('n149');
  });
});

describe('the dpop option', () => {
  it('true: a generated ES256 key; false and undefined: off', () => {
    expect(readDpopOption(true)).toEqual({ key: undefined, alg: 'ES256', requireBoundToken: true });
    expect(readDpopOption(false)).toBeUndefined();
    expect(readDpopOption(undefined)).toBeUndefined();
    expect(readDpopOption({ alg: 'EdDSA', requireBoundToken: false })).toMatchObject({
      alg: 'EdDSA',
      requireBoundToken: false,
    });
    expect(readDpopOption({ privateKey: p256.export({ format: 'jwk' }) })?.key?.alg).toBe('ES256');
  });

  it('bad values are TypeErrors naming the option', () => {
    expect(() => readDpopOption('yes')).toThrow(/dpop: expected an options object/);
    expect(() => readDpopOption({ key: p256 })).toThrow(/unknown option "key"/);
    expect(() => readDpopOption({ alg: 'HS256' })).toThrow(
      /dpop.alg must be one of ES256, ES384, EdDSA, PS256, RS256/,
    );
    expect(() => readDpopOption({ requireBoundToken: 'no' })).toThrow(
      /dpop.requireBoundToken must be a boolean/,
    );
    const p521 = generateKeyPairSync('ec', { namedCurve: 'P-521' }).privateKey;
    expect(() => readDpopOption({ privateKey: p521 })).toThrow(/dpop.alg must be one of/);
    expect(() => readDpopOption({ privateKey: p256, alg: 'EdDSA' })).toThrow(/dpop.alg EdDSA does not fit/);
    const publicKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;
    expect(() => readDpopOption({ privateKey: publicKey })).toThrow(/dpop.privateKey must be a private key/);
  });
});

describe('the resource nonce challenge (RFC 9449 §9)', () => {
  it('is recognised, and a new token would not help', () => {
    const nonce = parseChallenges(
      'DPoP error="use_dpop_nonce", error_description="Resource server requires nonce in DPoP proof"',
    );
    expect(asksForDpopNonce(nonce)).toBe(true);
    expect(refreshMayHelp(nonce)).toBe(false);
    const invalid = parseChallenges('DPoP error="invalid_token"');
    expect(asksForDpopNonce(invalid)).toBe(false);
    expect(refreshMayHelp(invalid)).toBe(true);
    expect(asksForDpopNonce(parseChallenges('Bearer error="use_dpop_nonce"'))).toBe(false);
  });
});
