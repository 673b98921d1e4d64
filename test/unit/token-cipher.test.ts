import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { aes256Key, decrypt, EncryptionKeys, encrypt, keyId } from '../../src/tokens/storage/token-cipher';

const [A, B, C] = [Buffer.alloc(32, 1), Buffer.alloc(32, 2), Buffer.alloc(32, 3)];

describe('token cipher', () => {
  it('keeps the single-key functions: aes256Key, encrypt, decrypt', () => {
    expect(aes256Key(A.toString('hex'))).toEqual(A);
    expect(aes256Key(A.toString('base64'))).toEqual(A);
    expect(() => aes256Key(Buffer.alloc(16))).toThrow('encryptionKey must be exactly 32 bytes (AES-256)');
    expect(() => aes256Key(42 as never)).toThrow(/Uint8Array, or a hex or base64 string/);
    const sealed = encrypt('plain', A, 'k');
    expect(decrypt(sealed, A, 'k')).toBe('plain');
    expect(() => decrypt(sealed, A, 'other')).toThrow();
    expect(() => decrypt('AAAA', A, 'k')).toThrow(/too short/);
  });

  it('names a key by the first 8 bytes of its SHA-256, never the key', () => {
    expect(keyId(A)).toBe(createHash('sha256').update(A).digest('hex').slice(0, 16));
    expect(keyId(A)).not.toBe(keyId(B));
    expect(keyId(A)).not.toContain(A.toString('hex').slice(0, 8));
  });

  it('seals with the first key and opens with the key the value names', () => {
    const before = EncryptionKeys.from(A, 'S');
    const during = EncryptionKeys.from([A, B], 'S');
    const after = EncryptionKeys.from([B, A], 'S');
    const old = before.seal('token', 'k');
    expect(old.kid).toBe(keyId(A));
    expect(during.seal('token', 'k').kid).toBe(keyId(A));
    expect(after.open(old, 'k')).toBe('token');
    const rotated = after.seal('token', 'k');
    expect(rotated.kid).toBe(keyId(B));
    expect(during.open(rotated, 'k')).toBe('token');
    expect(() => before.open(rotated, 'k')).toThrow(/does not have/);
    expect(() => EncryptionKeys.from(C, 'S').open(old, 'k')).toThrow(/does not have/);
    // A value written before key ids existed is opened with the current key.
    expect(before.open({ sealed: encrypt('legacy', A, 'k') }, 'k')).toBe('legacy');
    expect(() => after.open({ sealed: encrypt('legacy', A, 'k') }, 'k')).toThrow();
    // A key id does not make a forged value acceptable: the tag still has to match.
    expect(() => after.open({ kid: keyId(A), sealed: rotated.sealed }, 'k')).toThrow();
  });

  it('refuses an empty list, a bad entry (named by its index) and a repeated key', () => {
    expect(() => EncryptionKeys.from([], 'RedisTokenStorage')).toThrow(
      'RedisTokenStorage: encryptionKey must be a key or a non-empty list [current, ...previous]',
    );
    expect(() => EncryptionKeys.from([A, Buffer.alloc(31)], 'S')).toThrow(
      'S: encryptionKey[1] must be exactly 32 bytes (AES-256)',
    );
    expect(() => EncryptionKeys.from([A, A.toString('hex')], 'S')).toThrow(/same key twice/);
    expect(() => EncryptionKeys.from(null as never, 'S')).toThrow('S: encryptionKey must be 32 bytes');
    expect(EncryptionKeys.from([A, B, C], 'S').size).toBe(3);
  });
});
