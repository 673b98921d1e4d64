// WWW-Authenticate challenges (RFC 9110 §11.6.1) and what a Bearer challenge says about a
// refresh (RFC 6750 §3.1). Pure: no I/O, linear in the length of the header, never throws.

/**
 * One authentication challenge of a `WWW-Authenticate` header.
 *
 * @example
 * ```ts
 * // WWW-Authenticate: Bearer realm="api", error="insufficient_scope", scope="orders:write"
 * { scheme: 'Bearer', params: { realm: 'api', error: 'insufficient_scope', scope: 'orders:write' } }
 * ```
 */
export interface Challenge {
  /** The auth scheme as the server spelled it (compare case-insensitively): `Bearer`, `DPoP`, `Basic`… */
  readonly scheme: string;
  /** The token68 argument, for schemes that use one instead of parameters. */
  readonly token68?: string;
  /** Parameters by lower-case name; quoted values unescaped; the first of a repeated name wins. */
  readonly params: Readonly<Record<string, string>>;
}

const TCHAR = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/;
const TOKEN68_CHAR = /[A-Za-z0-9\-._~+/]/;

/** A cursor over one header value. */
class Cursor {
  position = 0;
  constructor(readonly text: string) {}

  get done(): boolean {
    return this.position >= this.text.length;
  }

  get char(): string {
    return this.text[this.position] ?? '';
  }

  skipSpaces(): void {
    while (this.char === ' ' || this.char === '\t') this.position++;
  }

  /** Reads a run of characters matching `pattern` (possibly empty). */
  run(pattern: RegExp): string {
    const start = this.position;
    while (!this.done && pattern.test(this.char)) this.position++;
    return this.text.slice(start, this.position);
  }

  /** Reads a quoted-string (the cursor is on the opening quote); an unterminated one ends at the end. */
  quoted(): string {
    let value = '';
    this.position++;
    while (!this.done && this.char !== '"') {
      if (this.char === '\\' && this.position + 1 < this.text.length) this.position++;
      value += this.char;
      this.position++;
    }
    this.position++;
    return value;
  }

  /** Skips to the next comma that is not inside a quoted string (recovery from malformed input). */
  skipElement(): void {
    while (!this.done && this.char !== ',') {
      if (this.char === '"') this.quoted();
      else this.position++;
    }
  }

  /** True when only optional whitespace separates the cursor from a comma or the end. */
  atElementEnd(): boolean {
    const saved = this.position;
    this.skipSpaces();
    const end = this.done || this.char === ',';
    this.position = saved;
    return end;
  }
}

interface Building {
  scheme: string;
  token68?: string;
  params: Record<string, string>;
}

/**
 * Tries `name BWS "=" BWS ( token / quoted-string )` at the cursor. On success adds it to
 * `params` and returns true; otherwise restores the cursor and returns false.
 */
function readParam(cursor: Cursor, params: Record<string, string>): boolean {
  const start = cursor.position;
  const name = cursor.run(TCHAR);
  cursor.skipSpaces();
  if (name !== '' && cursor.char === '=') {
    cursor.position++;
    cursor.skipSpaces();
    const quoted = (cursor.char as string) === '"';
    const value = quoted ? cursor.quoted() : cursor.run(TCHAR);
    if (quoted || value !== '') {
      const key = name.toLowerCase();
      if (!Object.hasOwn(params, key)) params[key] = value;
      return true;
    }
  }
  cursor.position = start;
  return false;
}

/** Tries a token68 (`1*token68-char *"="`) that ends its list element. */
function readToken68(cursor: Cursor): string | undefined {
  const start = cursor.position;
  const value = cursor.run(TOKEN68_CHAR) + cursor.run(/=/);
  if (value !== '' && !value.startsWith('=') && cursor.atElementEnd()) return value;
  cursor.position = start;
  return undefined;
}

/**
 * Parses `WWW-Authenticate` (or `Proxy-Authenticate`) field values into challenges, in order.
 * Several header lines may be passed (they form one comma-separated list). Commas inside quoted
 * strings never split; a list element `name=value` belongs to the challenge before it; anything
 * malformed is skipped up to the next comma, so garbage costs one element, never the header.
 *
 * @example
 * ```ts
 * parseChallenges('Newauth realm="apps", type=1, title="Login to \\"apps\\"", Basic realm="simple"');
 * // [{ scheme: 'Newauth', params: { realm: 'apps', type: '1', title: 'Login to "apps"' } },
 * //  { scheme: 'Basic', params: { realm: 'simple' } }]
 * ```
 */
export function parseChallenges(values: string | readonly string[] | undefined): Challenge[] {
  const lines = values === undefined ? [] : typeof values === 'string' ? [values] : values;
  const challenges: Challenge[] = [];
  let current: Building | undefined;
  const finish = () => {
    if (current) challenges.push(Object.freeze({ ...current, params: Object.freeze(current.params) }));
    current = undefined;
  };
  for (const line of lines) {
    const cursor = new Cursor(String(line));
    while (!cursor.done) {
      cursor.skipSpaces();
      if (cursor.char === ',') {
        cursor.position++;
        continue;
      }
      if (cursor.done) break;
      // An auth-param continues the current challenge; a bare token starts a new one.
      if (current && readParam(cursor, current.params)) {
        if (!cursor.atElementEnd()) cursor.skipElement();
        continue;
      }
      const scheme = cursor.run(TCHAR);
      if (scheme === '' || (cursor.char !== ' ' && cursor.char !== '\t' && !cursor.atElementEnd())) {
        cursor.skipElement();
        continue;
      }
      finish();
      current = { scheme, params: Object.create(null) as Record<string, string> };
      cursor.skipSpaces();
      if (cursor.atElementEnd()) continue;
      if (!readParam(cursor, current.params)) {
        const token68 = readToken68(cursor);
        if (token68 !== undefined) current.token68 = token68;
      }
      if (!cursor.atElementEnd()) cursor.skipElement();
    }
  }
  finish();
  return challenges;
}

const REFRESH_SCHEMES = new Set(['bearer', 'dpop']);

/**
 * Whether getting a new token may help, from the challenges of an auth error (RFC 6750 §3.1):
 * `error="insufficient_scope"` means the token is valid but not enough — a new one of the same
 * kind would be refused too — so no refresh; neither for `use_dpop_nonce` (RFC 9449 §9: the proof
 * lacks a nonce, the token is fine); `invalid_token` or no error code means it may help.
 * Only Bearer and DPoP challenges speak about tokens; without them the answer is yes.
 *
 * @example
 * ```ts
 * refreshMayHelp(parseChallenges('Bearer error="insufficient_scope"')); // false
 * refreshMayHelp(parseChallenges('Bearer error="invalid_token"'));      // true
 * ```
 */
export function refreshMayHelp(challenges: readonly Challenge[]): boolean {
  let insufficientScope = false;
  for (const challenge of challenges) {
    if (!REFRESH_SCHEMES.has(challenge.scheme.toLowerCase())) continue;
    const error = challenge.params.error;
    if (error === undefined || error === 'invalid_token') return true;
    if (error === 'insufficient_scope' || error === 'use_dpop_nonce') insufficientScope = true;
  }
  return !insufficientScope;
}

/**
 * Whether a resource server asks for a DPoP proof with its nonce (RFC 9449 §9):
 * `WWW-Authenticate: DPoP error="use_dpop_nonce"`.
 * @example asksForDpopNonce(parseChallenges('DPoP error="use_dpop_nonce"')) // true
 */
export function asksForDpopNonce(challenges: readonly Challenge[]): boolean {
  return challenges.some(
    (challenge) => challenge.scheme.toLowerCase() === 'dpop' && challenge.params.error === 'use_dpop_nonce',
  );
}
