import { Buffer } from 'node:buffer';
import { INSPECT, REDACTED } from '../observability/redact-constants';

type RawHeaders = ReadonlyArray<Buffer | string>;

/** Response header names whose values are credentials and are hidden when printed. */
const SENSITIVE_RESPONSE_HEADERS = new Set([
  'set-cookie',
  'authorization',
  'proxy-authenticate',
  'www-authenticate',
]);

const NO_HEADERS: readonly string[] = Object.freeze([]);

/** The longest span of raw header bytes decoded in one piece (larger ones are decoded per header). */
const MAX_BLOCK_BYTES = 64 * 1024;

const COLON = 58;
const SPACE = 32;
const TAB = 9;
const CR = 13;
const LF = 10;

/** The index of the first character at or after `at` that is not a space or a tab (at most `end`). */
function skipWhitespace(text: string, at: number, end: number): number {
  let c = text.charCodeAt(at);
  while (at < end && (c === SPACE || c === TAB)) c = text.charCodeAt(++at);
  return at;
}

/** A raw header item as a latin1 string (undici hands out Buffers; strings pass as they are). */
export function latin1(item: string | Buffer): string {
  return typeof item === 'string' ? item : item.toString('latin1');
}

/**
 * undici's raw header list (names and values alternate) as one latin1 string: the head's lines
 * as received (`name: value`, joined by CRLF), when the whole list lies in one socket read (the
 * usual case). A response keeps this string, never undici's buffers (views into the socket's
 * read buffers), and cuts it into names and values only when a header is read
 * ({@link headerLines}). `undefined` when the list is not laid out so (it spans reads, holds
 * strings, is out of order): then {@link headerStrings}.
 *
 * One read is recognised by the first and the last buffer alone: the parser hands out views in
 * order, and each socket read has memory of its own, so when the first and the last lie in the
 * same read, every header between them does too. A header split across two reads is joined by
 * undici into a buffer of Node's shared allocation pool, where the first and the last could meet
 * although the headers between them did not: memory of the pool's size is refused. The layout is
 * then checked with the buffers' lengths alone (no buffer is asked for its offset, the dearest
 * part): each name is followed by `:`, optional whitespace (the parser drops it), its value and
 * CRLF, and the last value ends the span.
 */
export function headerBlock(raw: RawHeaders): string | undefined {
  const count = raw.length;
  if (count === 0 || (count & 1) === 1) return undefined;
  const first = raw[0]!;
  const last = raw[count - 1]!;
  if (typeof first === 'string' || typeof last === 'string') return undefined;
  const memory = first.buffer;
  if (memory !== last.buffer || memory.byteLength === Buffer.poolSize) return undefined;
  const start = first.byteOffset;
  const span = last.byteOffset + last.length - start;
  if (span <= 0 || span > MAX_BLOCK_BYTES) return undefined;
  const text = Buffer.from(memory, start, span).toString('latin1');
  let at = 0;
  for (let i = 0; i < count; i += 2) {
    const name = raw[i]!;
    const value = raw[i + 1]!;
    if (typeof name === 'string' || typeof value === 'string') return undefined;
    at += name.length;
    if (text.charCodeAt(at) !== COLON) return undefined;
    at = skipWhitespace(text, at + 1, span) + value.length;
    if (i + 2 < count) {
      if (text.charCodeAt(at) !== CR || text.charCodeAt(at + 1) !== LF) return undefined;
      at += 2;
    }
  }
  return at === span ? text : undefined;
}

/** The names and values of a {@link headerBlock}, alternating, as {@link headerStrings} gives them. */
export function headerLines(block: string): string[] {
  const out: string[] = [];
  let at = 0;
  while (at < block.length) {
    const colon = block.indexOf(':', at);
    let end = block.indexOf('\r\n', colon);
    if (end === -1) end = block.length;
    out.push(block.slice(at, colon), block.slice(skipWhitespace(block, colon + 1, end), end));
    at = end + 2;
  }
  return out;
}

/** undici's raw header list as latin1 strings, each buffer decoded on its own (names as received). */
export function headerStrings(raw: RawHeaders): string[] {
  const count = raw.length;
  const out = new Array<string>(count);
  for (let i = 0; i < count; i++) out[i] = latin1(raw[i]!);
  return out;
}

/**
 * Case-insensitive, read-only response headers.
 *
 * @example
 * ```ts
 * response.headers.get('Content-Type'); // 'application/json'
 * for (const [name, value] of response.headers) console.log(name, value);
 * ```
 */
export class HttpHeaders implements Iterable<[string, string]> {
  /** Names and values alternating, names as received; indexed on first access. */
  #list: readonly string[] | undefined;
  /** The head's lines, not yet cut into {@link #list} (see {@link headerBlock}). */
  #block: string | undefined;
  #map: Map<string, string | string[]> | undefined;

  /** @internal Built from a raw header list (names and values alternating) or a record. */
  constructor(raw?: RawHeaders | Readonly<Record<string, string | string[]>>) {
    if (Array.isArray(raw)) {
      if (raw !== NO_HEADERS) this.#block = headerBlock(raw);
      this.#list = raw === NO_HEADERS || this.#block !== undefined ? NO_HEADERS : headerStrings(raw);
    } else if (raw) {
      const map = new Map<string, string | string[]>();
      for (const [name, value] of Object.entries(raw as Record<string, string | string[]>)) {
        map.set(name.toLowerCase(), value);
      }
      this.#map = map;
    } else {
      this.#map = new Map();
    }
  }

  /** @internal Headers over a list of strings the caller made and no longer changes (not copied). */
  static fromList(list: readonly string[]): HttpHeaders {
    const headers = new HttpHeaders(NO_HEADERS);
    headers.#list = list;
    return headers;
  }

  /** @internal Headers over a {@link headerBlock}, cut into names and values on first access. */
  static fromBlock(block: string): HttpHeaders {
    const headers = new HttpHeaders(NO_HEADERS);
    headers.#block = block;
    return headers;
  }

  /** The list of names and values, cut from the block first if need be; `undefined` once indexed. */
  #lines(): readonly string[] | undefined {
    if (this.#block !== undefined) {
      this.#list = headerLines(this.#block);
      this.#block = undefined;
    }
    return this.#list;
  }

  #entries(): Map<string, string | string[]> {
    if (this.#map) return this.#map;
    const map = new Map<string, string | string[]>();
    const list = this.#lines() ?? [];
    for (let i = 0; i + 1 < list.length; i += 2) {
      const name = list[i]!.toLowerCase();
      const value = list[i + 1]!;
      const existing = map.get(name);
      if (existing === undefined) map.set(name, value);
      else if (Array.isArray(existing)) existing.push(value);
      else map.set(name, [existing, value]);
    }
    this.#map = map;
    this.#list = undefined;
    return map;
  }

  /**
   * @internal The first value of a lower-case `name`, without indexing the headers (a scan of the
   * raw list while it is not indexed): for a header looked at on every response (`DPoP-Nonce`).
   */
  first(name: string): string | undefined {
    const list = this.#lines();
    if (list === undefined) {
      const value = this.#entries().get(name);
      return Array.isArray(value) ? value[0] : value;
    }
    for (let i = 0; i + 1 < list.length; i += 2) {
      const candidate = list[i]!;
      if (candidate.length === name.length && candidate.toLowerCase() === name) return list[i + 1];
    }
    return undefined;
  }

  /** The header's value; repeated headers are joined with `, `. */
  get(name: string): string | undefined {
    const value = this.#entries().get(name.toLowerCase());
    return Array.isArray(value) ? value.join(', ') : value;
  }

  /** Every value of a repeated header (e.g. `set-cookie`). */
  getAll(name: string): string[] {
    const value = this.#entries().get(name.toLowerCase());
    if (value === undefined) return [];
    return Array.isArray(value) ? [...value] : [value];
  }

  /** True when the header is present (the name is case-insensitive). */
  has(name: string): boolean {
    return this.#entries().has(name.toLowerCase());
  }

  /** Number of distinct header names. */
  get size(): number {
    return this.#entries().size;
  }

  /** Iterates over `[name, value]` pairs, names in lower case. */
  *[Symbol.iterator](): IterableIterator<[string, string]> {
    for (const [name, value] of this.#entries()) {
      yield [name, Array.isArray(value) ? value.join(', ') : value];
    }
  }

  /** A plain object copy with lower-case names (values of credential headers included). */
  toObject(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [name, value] of this) out[name] = value;
    return out;
  }

  /** Printable form: credential headers (`set-cookie`, …) are redacted. */
  toJSON(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [name, value] of this) out[name] = SENSITIVE_RESPONSE_HEADERS.has(name) ? REDACTED : value;
    return out;
  }

  /** What `util.inspect` prints: the secret-free description. */
  [INSPECT](): Record<string, string> {
    return this.toJSON();
  }
}
