import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { INSPECT } from '../../observability/redact-constants';

const IV_BYTES = 12;
const TAG_BYTES = 16;

/** One AES-256 key: 32 bytes, or their hex (64 characters) or base64 spelling. */
export type EncryptionKey = Uint8Array | string;

/**
 * The `encryptionKey` option of the shared storages: one key, or a list `[current, ...previous]`
 * for rotation (values are written with the first key and read with any of them).
 */
export type EncryptionKeyOption = EncryptionKey | readonly EncryptionKey[];

/** Reads a 32-byte key given as bytes, or as a hex or base64 string. */
export function aes256Key(key: Uint8Array | string): Buffer {
  return readKey(key, 'encryptionKey');
}

function readKey(key: unknown, name: string): Buffer {
  let bytes: Buffer;
  if (typeof key === 'string') {
    bytes = /^[0-9a-fA-F]{64}$/.test(key) ? Buffer.from(key, 'hex') : Buffer.from(key, 'base64');
  } else if (key instanceof Uint8Array) {
    bytes = Buffer.from(key);
  } else {
    throw new TypeError(`${name} must be 32 bytes (a Uint8Array, or a hex or base64 string)`);
  }
  if (bytes.length !== 32) throw new TypeError(`${name} must be exactly 32 bytes (AES-256)`);
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

/**
 * The id of a key as stored next to a value it sealed: the first 8 bytes of SHA-256 of the key, in
 * hex. It names the key without revealing it (`sha256sum` of the 32 raw bytes shows the same prefix).
 */
export function keyId(key: Uint8Array): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 16);
}

/** A value sealed by {@link EncryptionKeys.seal}: the id of the key and the AES-256-GCM ciphertext. */
export interface SealedValue {
  /** Absent in values written before key ids existed: those are opened with the current key. */
  readonly kid?: string | undefined;
  readonly sealed: string;
}

/**
 * The keys of one storage: the first seals, every one opens the values it sealed, picked by the
 * key id stored with the value (never by trying each key).
 */
export class EncryptionKeys {
  readonly #current: Buffer;
  readonly #currentId: string;
  readonly #byId: ReadonlyMap<string, Buffer>;

  private constructor(keys: readonly Buffer[]) {
    const byId = new Map<string, Buffer>();
    for (const key of keys) byId.set(keyId(key), key);
    this.#current = keys[0]!;
    this.#currentId = keyId(this.#current);
    this.#byId = byId;
  }

  /**
   * Reads the option: one key, or a non-empty list `[current, ...previous]` without repeats.
   * @param where the option's owner, for error messages
   */
  static from(option: EncryptionKeyOption, where: string): EncryptionKeys {
    if (!Array.isArray(option)) return new EncryptionKeys([readKey(option, `${where}: encryptionKey`)]);
    const list = option as readonly unknown[];
    if (list.length === 0) {
      throw new TypeError(`${where}: encryptionKey must be a key or a non-empty list [current, ...previous]`);
    }
    const keys = list.map((key, index) => readKey(key, `${where}: encryptionKey[${index}]`));
    const ids = new Set(keys.map(keyId));
    if (ids.size !== keys.length) throw new TypeError(`${where}: encryptionKey lists the same key twice`);
    return new EncryptionKeys(keys);
  }

  /** How many keys can open values (the current one included). */
  get size(): number {
    return this.#byId.size;
  }

  /** Seals with the current key, bound to `boundTo` (the storage key). */
  seal(plaintext: string, boundTo: string): SealedValue {
    return { kid: this.#currentId, sealed: encrypt(plaintext, this.#current, boundTo) };
  }

  /** Opens with the key the value names; throws for an unknown key, tampering or another storage key. */
  open(value: SealedValue, boundTo: string): string {
    const key = value.kid === undefined ? this.#current : this.#byId.get(value.kid);
    if (!key) throw new Error('sealed with a key this storage does not have');
    return decrypt(value.sealed, key, boundTo);
  }

  toJSON(): Record<string, unknown> {
    return { type: 'EncryptionKeys', keys: this.size };
  }

  [INSPECT](): string {
    return `EncryptionKeys { keys: ${this.size} }`;
  }
}
