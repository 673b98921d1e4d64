// One home for the character rules every module applies to names and values it sends or stores.

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what we refuse
const CONTROL = /[\u0000-\u001f\u007f]/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what we strip
const CONTROL_RUNS = /[\u0000-\u001f\u007f]+/g;
const HEADER_BREAK = /[\r\n\0]/;

/** True for an RFC 9110 token: a header name, a method, an auth scheme (`Bearer`). */
export function isToken(value: unknown): value is string {
  return typeof value === 'string' && TOKEN.test(value);
}

/** True for a token or the empty string (a token type that sends the bare token). */
export function isTokenOrEmpty(value: unknown): value is string {
  return value === '' || isToken(value);
}

/** True when the text holds a C0 control character or DEL. */
export function hasControlChars(value: string): boolean {
  return CONTROL.test(value);
}

/** True when a header value contains CR, LF or NUL (a header-injection attempt). */
export function hasForbiddenHeaderChars(value: string): boolean {
  return HEADER_BREAK.test(value);
}

/** Replaces every run of control characters with one space (for server text we quote). */
export function stripControlChars(text: string): string {
  return text.replace(CONTROL_RUNS, ' ');
}

/**
 * The longest access token (or token type) accepted, in characters: 16 KiB. A longer one would
 * not fit the header limits of common servers (Node 16 KiB for all headers, nginx 8 KiB per
 * line) and is refused on arrival instead of failing every request.
 */
export const MAX_TOKEN_CHARS = 16 * 1024;
const VISIBLE_ASCII = /^[\x21-\x7e]*$/;
const LINE_BREAK = /[\r\n]/;

/**
 * Why a credential cannot be sent in a header as is, without quoting it; `undefined` when it
 * can. Accepted: 1 to {@link MAX_TOKEN_CHARS} visible ASCII characters (no space, no control
 * character, no CR/LF, nothing outside ASCII). A bare token (sent as the whole header value,
 * without a scheme) may have single spaces inside.
 */
export function unsendableToken(value: unknown, bare = false): string | undefined {
  if (typeof value !== 'string' || value === '') return 'is missing or empty';
  if (value.length > MAX_TOKEN_CHARS) return `is longer than ${MAX_TOKEN_CHARS} characters`;
  if (VISIBLE_ASCII.test(bare && value.trim() === value ? value.replaceAll(' ', '!') : value))
    return undefined;
  if (LINE_BREAK.test(value)) return 'contains control characters (CR or LF)';
  if (hasControlChars(value)) return 'contains control characters';
  return 'contains a character outside visible ASCII (a space or non-ASCII)';
}
