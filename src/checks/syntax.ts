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
