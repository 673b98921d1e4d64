import { REDACTED } from './redact-constants';

/**
 * Keys whose values are credentials wherever they appear: header names, JSON and form fields,
 * query parameters. Matching is case-insensitive and treats `-` and `_` alike.
 */
export const DEFAULT_SENSITIVE_KEYS: readonly string[] = Object.freeze([
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
  'api-key',
  'apikey',
  'x-auth-token',
  'client_secret',
  'client_assertion',
  'password',
  'refresh_token',
  'access_token',
  'id_token',
  'assertion',
  'code_verifier',
  'token',
  'secret',
  'private_key',
  'subject_token',
  'actor_token',
  'passphrase',
  'dpop',
]);

function canonicalKey(key: string): string {
  return key.toLowerCase().replaceAll('_', '-');
}

const MAX_DEPTH = 20;

/**
 * Replaces credential values with `[REDACTED]` in headers, JSON values, form bodies and URLs.
 * One instance per client, built from the default list plus the client's extra keys.
 */
export class Redactor {
  #keys: ReadonlySet<string>;

  constructor(extraKeys: Iterable<string> = []) {
    const keys = new Set<string>();
    for (const key of DEFAULT_SENSITIVE_KEYS) keys.add(canonicalKey(key));
    for (const key of extraKeys) keys.add(canonicalKey(key));
    this.#keys = keys;
  }

  /** A redactor with these keys and more (cached per combination by callers that need it often). */
  extend(extraKeys: Iterable<string>): Redactor {
    const merged = new Redactor();
    const keys = new Set(this.#keys);
    for (const key of extraKeys) keys.add(canonicalKey(key));
    merged.#keys = keys;
    return merged;
  }

  /** True when values under this key must never be printed. */
  isSensitive(key: string): boolean {
    return this.#keys.has(canonicalKey(key));
  }

  /** A copy of the headers with credential values redacted. */
  headers(headers: Readonly<Record<string, string>>): Record<string, string> {
    const out: Record<string, string> = {};
    for (const name of Object.keys(headers)) {
      out[name] = this.isSensitive(name) ? REDACTED : headers[name]!;
    }
    return out;
  }

  /**
   * A deep copy of a JSON-like value with sensitive fields redacted, and credentials quoted in
   * its strings (`"error": "bad Authorization: Bearer x"`) redacted as in free text.
   */
  json(value: unknown, depth = 0): unknown {
    if (typeof value === 'string') return redactText(value, this);
    if (value === null || typeof value !== 'object') return value;
    if (depth > MAX_DEPTH) return '[…]';
    if (Array.isArray(value)) return value.map((item) => this.json(item, depth + 1));
    if (value instanceof Uint8Array) return `<${value.byteLength} bytes>`;
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
      out[key] = this.isSensitive(key) ? REDACTED : this.json(item, depth + 1);
    }
    return out;
  }

  /** Redacts `key=value` pairs of a query string or form body (`a=1&password=x`). */
  formString(encoded: string): string {
    if (encoded === '') return encoded;
    return encoded
      .split('&')
      .map((pair) => {
        const eq = pair.indexOf('=');
        const rawKey = eq === -1 ? pair : pair.slice(0, eq);
        let key = rawKey;
        try {
          key = decodeURIComponent(rawKey.replaceAll('+', ' '));
        } catch {
          // A malformed escape is matched as written.
        }
        return this.isSensitive(key) ? `${rawKey}=${REDACTED}` : pair;
      })
      .join('&');
  }

  /** A URL with sensitive query values and any user-info redacted. */
  url(url: string): string {
    let out = url;
    const at = out.indexOf('@');
    const schemeEnd = out.indexOf('://');
    if (at !== -1 && schemeEnd !== -1) {
      const authorityEnd = out.indexOf('/', schemeEnd + 3);
      if (authorityEnd === -1 || at < authorityEnd)
        out = `${out.slice(0, schemeEnd + 3)}${REDACTED}@${out.slice(at + 1)}`;
    }
    const q = out.indexOf('?');
    if (q === -1) return out;
    const hash = out.indexOf('#', q);
    const query = hash === -1 ? out.slice(q + 1) : out.slice(q + 1, hash);
    return `${out.slice(0, q + 1)}${this.formString(query)}`;
  }
}

/** The redactor with only the default keys, for errors and events. */
export const defaultRedactor = new Redactor();

/** A key followed by `=` or `:`, the key optionally quoted (also JSON-escaped: `\\"key\\"`). */
const TEXT_KEY = /(\\?["']|)([A-Za-z0-9_-]+)\1(\s*[=:]\s*)/g;
/** Keys whose value is a whole header: a scheme and credentials, or a list of cookies. */
const HEADER_VALUED = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie']);
const LINE_END = /[\r\n]/g;
const BARE_VALUE_END = /[\s"&,;}]/g;

function indexFrom(pattern: RegExp, text: string, from: number): number {
  pattern.lastIndex = from;
  const match = pattern.exec(text);
  return match ? match.index : text.length;
}

/** Where a quoted value opened at `start` (by `"`, `'` or `\\"`) ends, closing quote excluded. */
function quotedEnd(text: string, start: number, quote: string): number {
  for (let i = start; i < text.length; i++) {
    if (text.startsWith(quote, i) && (quote.length === 2 || text[i - 1] !== '\\')) return i;
    if (quote.length === 1 && text[i] === '\\') i++;
  }
  return text.length;
}

/** Where a bracketed value (`[…]` or `{…}`) opened at `start` ends, closing bracket included. */
function bracketEnd(text: string, start: number): number {
  let depth = 0;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (c === '"') i = quotedEnd(text, i + 1, '"');
    else if (c === '[' || c === '{') depth++;
    else if ((c === ']' || c === '}') && --depth === 0) return i + 1;
  }
  return text.length;
}

/**
 * Redacts the values of credential keys in free text (error previews, bodies of unknown type,
 * server messages): `password=x`, `"client_secret": "x"`, `Authorization: Bearer x` (the whole
 * credential, not just the scheme), every cookie of `Cookie: a=1; b=2` and of a `Set-Cookie`
 * list. A quoted value is redacted up to its closing quote, a bracketed one (`[…]`) as a whole,
 * a header-style (`:`) or header-valued one to the end of the line, any other up to the next
 * delimiter. It errs towards redacting too much.
 */
export function redactText(text: string, redactor: Redactor = defaultRedactor): string {
  let out = '';
  let copied = 0;
  TEXT_KEY.lastIndex = 0;
  for (let match = TEXT_KEY.exec(text); match !== null; match = TEXT_KEY.exec(text)) {
    const key = match[2]!;
    if (!redactor.isSensitive(key)) continue;
    let start = match.index + match[0].length;
    let end: number;
    const escapedQuote = text.startsWith('\\"', start);
    if (escapedQuote || text[start] === '"' || text[start] === "'") {
      const quote = escapedQuote ? '\\"' : text[start]!;
      start += quote.length;
      end = quotedEnd(text, start, quote);
    } else if (text[start] === '[' || text[start] === '{') {
      end = bracketEnd(text, start);
    } else if (match[3]!.includes(':') || HEADER_VALUED.has(key.toLowerCase())) {
      end = indexFrom(LINE_END, text, start);
    } else {
      end = indexFrom(BARE_VALUE_END, text, start);
    }
    out += `${text.slice(copied, start)}${REDACTED}`;
    copied = end;
    TEXT_KEY.lastIndex = Math.max(end, start);
  }
  return copied === 0 ? text : out + text.slice(copied);
}

/** A body of a known content type with secrets redacted: JSON fields, form fields, or `key=value` text. */
export function redactBodyText(text: string, contentType: string | undefined, redactor: Redactor): string {
  const type = contentType ?? '';
  if (type.includes('x-www-form-urlencoded')) return redactor.formString(text);
  if (type.includes('json')) {
    try {
      return JSON.stringify(redactor.json(JSON.parse(text)));
    } catch {
      return redactText(text, redactor);
    }
  }
  return redactText(text, redactor);
}
