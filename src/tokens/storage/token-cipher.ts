import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const IV_BYTES = 12;
const TAG_BYTES = 16;

/** Reads a 32-byte key given as bytes, or as a hex or base64 string. */
export function aes256Key(key: Uint8Array | string): Buffer {
  let bytes: Buffer;
  if (typeof key === 'string') {
    bytes = /^[0-9a-fA-F]{64}$/.test(key) ? Buffer.from(key, 'hex') : Buffer.from(key, 'base64');
  } else if (key instanceof Uint8Array) {
    bytes = Buffer.from(key);
  } else {
    throw new TypeError('encryptionKey must be 32 bytes (a Uint8Array, or a hex or base64 string)');
  }
  if (bytes.length !== 32) throw new TypeError('encryptionKey must be exactly 32 bytes (AES-256)');
  return bytes;
}

/** AES-256-GCM; the storage key is authenticated too, so a value cannot be moved to another key. */
export function encrypt(plaintext: string, key: Buffer, boundTo: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(boundTo, 'utf8'));
  const sealed = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString('base64');
}

/** Throws when the value was tampered with, encrypted with another key, or for another storage key. */
export function decrypt(encoded: string, key: Buffer, boundTo: string): string {
  const raw = Buffer.from(encoded, 'base64');
  if (raw.length < IV_BYTES + TAG_BYTES) throw new Error('ciphertext too short');
  const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV_BYTES));
  decipher.setAAD(Buffer.from(boundTo, 'utf8'));
  decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
  return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString(
    'utf8',
  );
}
