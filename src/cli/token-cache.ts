import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { TokenData, type TokenStorage } from 'requestforge';
import { INSPECT } from '../observability/redact-constants';
import { aes256Key, decrypt, encrypt } from '../tokens/storage/token-cipher';

const TOKENS_FILE = 'tokens.json';
const KEY_FILE = 'key';

/** Where the command line keeps tokens between runs: `$XDG_CACHE_HOME/requestforge`, else `~/.cache/requestforge`. */
export function cacheDirectory(env: NodeJS.ProcessEnv): string {
  const base = env.XDG_CACHE_HOME?.startsWith('/') ? env.XDG_CACHE_HOME : join(homedir(), '.cache');
  return join(base, 'requestforge');
}

type Entries = Record<string, string>;

/** Writes a file readable by its owner only, atomically (a reader never sees half of it). */
function writePrivate(path: string, content: string): void {
  const temporary = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(temporary, content, { mode: 0o600 });
  renameSync(temporary, path);
}

/**
 * The command line's token storage: one file of entries, each AES-256-GCM encrypted and bound
 * to its entry id, with the key in a 0600 file beside it (the directory is 0700). Entries are
 * namespaced by the profile's fingerprint, so two profiles, or one profile whose configuration
 * changed, never share a token. A file that cannot be read or decrypted reads as empty: the
 * worst case is one more token request.
 */
export class FileTokenStorage implements TokenStorage {
  /** Encrypted at rest: a DPoP profile's generated key may be kept with its token. */
  readonly encrypted = true;
  readonly #directory: string;
  readonly #namespace: string;
  #key: Buffer | undefined;

  constructor(directory: string, namespace: string) {
    this.#directory = directory;
    this.#namespace = namespace;
  }

  /** Entry ids: 16 hex of the namespace, then 16 of the key, so a namespace can be cleared alone. */
  #id(key: string): string {
    const hash = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 16);
    return `${hash(this.#namespace)}${hash(`${this.#namespace}\0${key}`)}`;
  }

  #cipherKey(): Buffer {
    if (this.#key) return this.#key;
    mkdirSync(this.#directory, { recursive: true, mode: 0o700 });
    const path = join(this.#directory, KEY_FILE);
    try {
      if ((statSync(path).mode & 0o077) !== 0) chmodSync(path, 0o600);
      this.#key = aes256Key(readFileSync(path, 'utf8').trim());
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      const fresh = randomBytes(32).toString('hex');
      try {
        writeFileSync(path, fresh, { mode: 0o600, flag: 'wx' });
        this.#key = aes256Key(fresh);
      } catch {
        // Another run created it first: use theirs.
        this.#key = aes256Key(readFileSync(path, 'utf8').trim());
      }
    }
    return this.#key;
  }

  #read(): Entries {
    try {
      const parsed = JSON.parse(readFileSync(join(this.#directory, TOKENS_FILE), 'utf8')) as unknown;
      return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)
        ? (parsed as Entries)
        : {};
    } catch {
      return {};
    }
  }

  #write(entries: Entries): void {
    mkdirSync(this.#directory, { recursive: true, mode: 0o700 });
    writePrivate(join(this.#directory, TOKENS_FILE), JSON.stringify(entries));
  }

  get(key: string): TokenData | undefined {
    const id = this.#id(key);
    const sealed = this.#read()[id];
    if (typeof sealed !== 'string') return undefined;
    try {
      return TokenData.fromJSON(decrypt(sealed, this.#cipherKey(), id));
    } catch {
      return undefined;
    }
  }

  set(key: string, token: TokenData): void {
    const id = this.#id(key);
    const entries = this.#read();
    entries[id] = encrypt(JSON.stringify(token.toJSON()), this.#cipherKey(), id);
    this.#write(entries);
  }

  delete(key: string): void {
    const id = this.#id(key);
    const entries = this.#read();
    if (!(id in entries)) return;
    delete entries[id];
    this.#write(entries);
  }

  exists(key: string): boolean {
    return this.get(key) !== undefined;
  }

  /** A secret-free description (the key and the tokens never appear). */
  toJSON(): Record<string, unknown> {
    return { type: 'FileTokenStorage', directory: this.#directory };
  }

  /** What `util.inspect` prints: the secret-free description. */
  [INSPECT](): string {
    return `FileTokenStorage ${JSON.stringify(this.toJSON())}`;
  }

  /** Removes every cached token of this namespace (one profile); returns how many there were. */
  clear(): number {
    const prefix = this.#id('').slice(0, 16);
    const entries = this.#read();
    const mine = Object.keys(entries).filter((id) => id.startsWith(prefix));
    for (const id of mine) delete entries[id];
    if (mine.length > 0) this.#write(entries);
    return mine.length;
  }
}

/** Removes every cached token and the key; resolves how many tokens there were. */
export function clearTokenCache(directory: string): number {
  let count = 0;
  try {
    const parsed = JSON.parse(readFileSync(join(directory, TOKENS_FILE), 'utf8')) as unknown;
    if (parsed !== null && typeof parsed === 'object') count = Object.keys(parsed).length;
  } catch {
    // Nothing readable: nothing counted.
  }
  rmSync(join(directory, TOKENS_FILE), { force: true });
  rmSync(join(directory, KEY_FILE), { force: true });
  return count;
}
