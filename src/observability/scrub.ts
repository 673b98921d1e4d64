import { HttpClientException } from '../errors/http-client-exception';
import { REDACTED } from './redact-constants';

/** Secrets shorter than this are not scrubbed from free text: they would match ordinary words. */
const MIN_SECRET_CHARS = 4;

/**
 * The spellings a server (or an error) may quote a secret in: raw, percent-encoded, form-encoded
 * (`+` for spaces) and JSON-escaped.
 */
function spellings(secret: string): string[] {
  const percent = encodeURIComponent(secret);
  const json = JSON.stringify(secret).slice(1, -1);
  return [...new Set([secret, percent, percent.replaceAll('%20', '+'), json])];
}

/** Replaces every known secret, in every spelling, with `[REDACTED]`. Longest first, so no part of one survives. */
export function scrubSecrets(text: string, secrets: readonly string[]): string {
  const variants = secrets
    .filter((secret) => typeof secret === 'string' && secret.length >= MIN_SECRET_CHARS)
    .flatMap(spellings)
    .sort((a, b) => b.length - a.length);
  let out = text;
  for (const variant of variants) if (out.includes(variant)) out = out.split(variant).join(REDACTED);
  return out;
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
