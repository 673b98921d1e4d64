import { INSPECT, REDACTED } from '../observability/redact-constants';

type RawHeaders = ReadonlyArray<Buffer | string>;

/** Response header names whose values are credentials and are hidden when printed. */
const SENSITIVE_RESPONSE_HEADERS = new Set([
  'set-cookie',
  'authorization',
  'proxy-authenticate',
  'www-authenticate',
]);

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
  #raw: RawHeaders | undefined;
  #map: Map<string, string | string[]> | undefined;

  /** @internal Built from undici's raw header list, parsed on first access. */
  constructor(raw?: RawHeaders | Readonly<Record<string, string | string[]>>) {
    if (Array.isArray(raw)) {
      this.#raw = raw;
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

  #entries(): Map<string, string | string[]> {
    if (this.#map) return this.#map;
    const map = new Map<string, string | string[]>();
    const raw = this.#raw ?? [];
    for (let i = 0; i + 1 < raw.length; i += 2) {
      const name = raw[i]!.toString('latin1').toLowerCase();
      const value = raw[i + 1]!.toString('latin1');
      const existing = map.get(name);
      if (existing === undefined) map.set(name, value);
      else if (Array.isArray(existing)) existing.push(value);
      else map.set(name, [existing, value]);
    }
    this.#map = map;
    this.#raw = undefined;
    return map;
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
