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

  /** A deep copy of a JSON-like value with sensitive fields redacted. */
  json(value: unknown, depth = 0): unknown {
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

const TEXT_PAIR = /(["']?)([A-Za-z0-9_-]+)\1(\s*[=:]\s*)("?)([^"&\s,;}]*)/g;

/** Redacts `key=value` and `"key": "value"` pairs of free text (error previews, bodies of unknown type). */
export function redactText(text: string, redactor: Redactor = defaultRedactor): string {
  return text.replace(TEXT_PAIR, (match, quote: string, key: string, sep: string, valueQuote: string) =>
    redactor.isSensitive(key) ? `${quote}${key}${quote}${sep}${valueQuote}${REDACTED}` : match,
  );
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
