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

/**
 * undici's raw header list (names and values alternate) as latin1 strings, names as received.
 * A response keeps these strings, never undici's buffers: those are views into the socket's
 * read buffers. When the whole list lies in one socket read (the usual case) the span is decoded
 * once and the strings are cut from it; otherwise each buffer is decoded on its own.
 *
 * One read is recognised by the first and the last buffer alone, without asking every buffer for
 * its memory (the `buffer` getter is the dearest part of the loop): the parser hands out views
 * in order, and each socket read has memory of its own, so when the first and the last lie in
 * the same read, every header between them does too. A header split across two reads is joined
 * by undici into a buffer of Node's shared allocation pool, where the first and the last could
 * meet although the headers between them did not: memory of the pool's size takes the slow path.
 */
export function headerStrings(raw: RawHeaders): string[] {
  const count = raw.length;
  const out = new Array<string>(count);
  const first = raw[0];
  const last = raw[count - 1];
  if (count > 0 && typeof first !== 'string' && typeof last !== 'string') {
    const memory = first!.buffer;
    if (memory === last!.buffer && memory.byteLength !== Buffer.poolSize) {
      const start = first!.byteOffset;
      const span = last!.byteOffset + last!.length - start;
      if (span > 0 && span <= MAX_BLOCK_BYTES) {
        const text = Buffer.from(memory, start, span).toString('latin1');
        let i = 0;
        for (; i < count; i++) {
          const item = raw[i]!;
          if (typeof item === 'string') break;
          const from = item.byteOffset - start;
          const to = from + item.length;
          if (from < 0 || to > span) break;
          out[i] = text.slice(from, to);
        }
        if (i === count) return out;
      }
    }
  }
  for (let i = 0; i < count; i++) {
    const item = raw[i]!;
    out[i] = typeof item === 'string' ? item : item.toString('latin1');
  }
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
  #map: Map<string, string | string[]> | undefined;

  /** @internal Built from a raw header list (names and values alternating) or a record. */
  constructor(raw?: RawHeaders | Readonly<Record<string, string | string[]>>) {
    if (Array.isArray(raw)) {
      this.#list = raw === NO_HEADERS ? NO_HEADERS : headerStrings(raw);
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

  #entries(): Map<string, string | string[]> {
    if (this.#map) return this.#map;
    const map = new Map<string, string | string[]>();
    const list = this.#list ?? [];
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
    const list = this.#list;
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
