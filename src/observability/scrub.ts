import { HttpClientException } from '../errors/http-client-exception';
import { MultipartBody } from '../http/multipart';
import { type Redactor, redactText } from './redact';
import { REDACTED } from './redact-constants';

/** Secrets shorter than this are not scrubbed from free text: they would match ordinary words. */
const MIN_SECRET_CHARS = 4;
/** Base64 pieces shorter than this are not scrubbed: 8 characters carry 48 bits of the secret. */
const MIN_BASE64_CHARS = 8;

const toBase64Url = (base64: string) => base64.replaceAll('+', '-').replaceAll('/', '_');

/**
 * The base64 spellings of a text: its own encoding, and the parts of the encoding that are the
 * same wherever it sits inside a longer base64 blob (one per alignment: the text after 0, 1 or 2
 * other bytes), so `Basic base64(id:secret)` is scrubbed whatever the id. Standard and URL alphabets.
 */
function base64Spellings(text: string): string[] {
  const bytes = Buffer.from(text, 'utf8');
  const out = [bytes.toString('base64'), toBase64Url(bytes.toString('base64')).replace(/=+$/, '')];
  for (let shift = 0; shift < 3; shift++) {
    const encoded = Buffer.concat([Buffer.alloc(shift), bytes]).toString('base64');
    // The first group mixes in the bytes before the text (unless none), the last partial one the bytes after.
    const core = encoded.slice(shift === 0 ? 0 : 4, Math.floor((shift + bytes.length) / 3) * 4);
    if (core.length >= MIN_BASE64_CHARS) out.push(core, toBase64Url(core));
  }
  return out;
}

/**
 * The spellings a server (or an error) may quote a secret in: raw, percent-encoded (`%20`),
 * form-encoded (`+` for spaces), JSON-escaped, and base64 of any of the first three, alone or
 * inside a longer blob such as HTTP Basic's `base64(id:secret)`.
 */
function spellings(secret: string): string[] {
  const percent = encodeURIComponent(secret);
  const form = percent.replaceAll('%20', '+');
  const json = JSON.stringify(secret).slice(1, -1);
  const textual = [...new Set([secret, percent, form])];
  return [...new Set([...textual, json, ...textual.flatMap(base64Spellings)])];
}

/** Replaces every known secret, in every spelling, with `[REDACTED]`. Longest first, so no part of one survives. */
export function scrubSecrets(text: string, secrets: readonly string[]): string {
  if (secrets.length === 0 || text === '') return text;
  const variants = secrets
    .filter((secret) => typeof secret === 'string' && secret.length >= MIN_SECRET_CHARS)
    .flatMap(spellings)
    .sort((a, b) => b.length - a.length);
  let out = text;
  for (const variant of variants) if (out.includes(variant)) out = out.split(variant).join(REDACTED);
  return out;
}

/** How much text past the quoted part is scrubbed, so a secret that straddles the cut is still whole. */
const SCRUB_WINDOW_CHARS = 64 * 1024;

function scrubWindow(text: string, maxChars: number, secrets: readonly string[]): string {
  const end = maxChars + SCRUB_WINDOW_CHARS;
  return scrubSecrets(text.length > end ? text.slice(0, end) : text, secrets);
}

/** The first `maxChars` of a text, scrubbed of `secrets` before the cut (no secret is cut in half). */
export function scrubbedPrefix(text: string, maxChars: number, secrets: readonly string[]): string {
  return scrubWindow(text, maxChars, secrets).slice(0, maxChars);
}

/**
 * Server text made safe to quote (previews, error descriptions): the secrets the client knows
 * scrubbed in every spelling, credential pairs redacted as in free text, and only then cut to
 * `maxChars`, so a secret is never cut in half before it is recognised.
 */
export function safeServerText(
  text: string,
  maxChars: number,
  secrets: readonly string[],
  redactor?: Redactor,
): string {
  return redactText(scrubWindow(text, maxChars, secrets), redactor).slice(0, maxChars);
}

/** What {@link requestSecrets} reads of a request. */
interface SecretBearer {
  readonly headers: Readonly<Record<string, string>>;
  readonly json?: unknown;
  readonly data?: unknown;
  /** A multipart body's credential fields count too. */
  readonly body?: unknown;
  readonly redactor: { isSensitive(key: string): boolean };
}

/**
 * The secrets a request carries, for scrubbing what a server echoes: each credential header's
 * value, the credentials after its scheme (`Bearer <token>`), a Basic password, each cookie's
 * value, and the values of credential fields in its JSON, form or multipart body.
 */
export function requestSecrets(request: SecretBearer): string[] {
  const secrets: string[] = [];
  const { headers, redactor } = request;
  for (const name of Object.keys(headers)) {
    if (!redactor.isSensitive(name)) continue;
    const value = headers[name]!;
    secrets.push(value);
    if (name === 'cookie' || name === 'set-cookie') {
      for (const cookie of value.split(';')) {
        const eq = cookie.indexOf('=');
        if (eq !== -1) secrets.push(cookie.slice(eq + 1).trim());
      }
      continue;
    }
    const space = value.indexOf(' ');
    if (space <= 0) continue;
    const credentials = value.slice(space + 1).trim();
    secrets.push(credentials);
    if (value.slice(0, space).toLowerCase() === 'basic') {
      const decoded = Buffer.from(credentials, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon !== -1) secrets.push(decoded, decoded.slice(colon + 1));
    }
  }
  for (const fields of [request.json, request.data]) collectSensitive(fields, redactor, secrets, 0);
  if (request.body instanceof MultipartBody) {
    for (const field of request.body.fields) {
      if (field.value !== undefined && redactor.isSensitive(field.name)) secrets.push(field.value);
    }
  }
  return secrets;
}

function collectSensitive(
  value: unknown,
  redactor: SecretBearer['redactor'],
  into: string[],
  depth: number,
): void {
  if (depth > 10 || value === null || typeof value !== 'object') return;
  for (const [key, item] of Object.entries(value)) {
    if (redactor.isSensitive(key)) collectStrings(item, into);
    else collectSensitive(item, redactor, into, depth + 1);
  }
}

/** Every string inside a value (headers, form fields, nested JSON), for the secret list of a request. */
export function collectStrings(value: unknown, into: string[] = [], depth = 0): string[] {
  if (typeof value === 'string') into.push(value);
  else if (depth < 10 && value !== null && typeof value === 'object') {
    for (const item of Object.values(value)) collectStrings(item, into, depth + 1);
  }
  return into;
}

/**
 * Scrubs our own secrets from an error of one of our requests, in place: its message, stack and
 * string context (a transport error quotes the URL, where a GET carries its fields).
 */
export function scrubError(error: unknown, secrets: readonly string[]): void {
  if (!(error instanceof HttpClientException) || secrets.length === 0) return;
  error.message = scrubSecrets(error.message, secrets);
  if (error.stack) error.stack = scrubSecrets(error.stack, secrets);
  const context = Object.fromEntries(
    Object.entries(error.context).map(([key, value]) => [
      key,
      typeof value === 'string' ? scrubSecrets(value, secrets) : value,
    ]),
  );
  Object.defineProperty(error, 'context', { value: Object.freeze(context) });
}
