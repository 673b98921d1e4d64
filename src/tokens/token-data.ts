import { optionKeys, ownRecord, readOptions } from '../checks/options';
import { hasControlChars, isToken, isTokenOrEmpty, unsendableToken } from '../checks/syntax';
import { AuthenticationException } from '../errors/authentication-exception';
import { INSPECT } from '../observability/redact-constants';
import { jwtExpiresAtMs } from './jwt';

/** Fields of a {@link TokenData}. */
export interface TokenDataInit {
  /** The access token itself. */
  readonly accessToken: string;
  /**
   * The scheme for the `Authorization` header; `''` sends the bare token.
   * @default 'Bearer'
   */
  readonly tokenType?: string;
  /** When the token stops being valid (UTC inside). No value: it never expires by itself. */
  readonly expiresAt?: Date;
  /** A refresh token issued with it. */
  readonly refreshToken?: string;
  /** The granted scope. */
  readonly scope?: string;
  /** Any other fields of the token response. */
  readonly extra?: Readonly<Record<string, unknown>>;
  /**
   * When the token was obtained; with `expiresAt` it gives the lifetime the freshness rules scale with.
   * @default now
   */
  readonly issuedAt?: Date;
}

/** The storage form of a token (`toJSON()` / `TokenData.fromJSON()`); it contains the secrets. */
export interface TokenDataJSON {
  readonly v: 1;
  readonly accessToken: string;
  readonly tokenType: string;
  readonly expiresAt?: number;
  readonly issuedAt: number;
  readonly refreshToken?: string;
  readonly scope?: string;
  readonly extra?: Record<string, unknown>;
}

/** Field names of a token endpoint's JSON answer. */
export interface TokenResponseKeys {
  /** @default 'access_token' */
  readonly accessTokenKey?: string;
  /** @default 'expires_in' */
  readonly expiresInKey?: string;
  /** @default 'refresh_token' */
  readonly refreshTokenKey?: string;
  /** @default 'token_type' */
  readonly tokenTypeKey?: string;
  /** The clock (epoch ms) the lifetime starts from. @default Date.now() */
  readonly now?: number;
  /** Named in errors. */
  readonly serviceName?: string;
}

function checkDate(value: unknown, field: string): number | undefined {
  if (value === undefined) return undefined;
  if (!(value instanceof Date) || Number.isNaN(value.getTime()))
    throw new TypeError(`TokenData: ${field} must be a valid Date`);
  return value.getTime();
}

const INIT_KEYS = optionKeys<TokenDataInit>()({
  accessToken: true,
  tokenType: true,
  expiresAt: true,
  refreshToken: true,
  scope: true,
  extra: true,
  issuedAt: true,
});
const RESPONSE_KEYS = optionKeys<TokenResponseKeys>()({
  accessTokenKey: true,
  expiresInKey: true,
  refreshTokenKey: true,
  tokenTypeKey: true,
  now: true,
  serviceName: true,
});

/**
 * An access token with its type, expiry and refresh token. Immutable; printing it
 * (`util.inspect`, `String()`) never shows a secret. `toJSON()` is the deliberate exception: it
 * is the storage format.
 *
 * @example
 * ```ts
 * const token = new TokenData({ accessToken: 'abc', expiresAt: new Date(Date.now() + 3600_000) });
 * token.authorizationHeader; // 'Bearer abc'
 * token.isExpired();         // false
 * ```
 */
export class TokenData {
  readonly accessToken: string;
  readonly tokenType: string;
  readonly refreshToken: string | undefined;
  readonly scope: string | undefined;
  readonly extra: Readonly<Record<string, unknown>>;
  readonly #expiresAt: number | undefined;
  readonly #issuedAt: number;
  #header: string | undefined;

  constructor(given: TokenDataInit) {
    const init = readOptions(given, 'TokenData', new.target === TokenData ? INIT_KEYS : undefined);
    const { accessToken, refreshToken } = init;
    if (typeof accessToken !== 'string' || accessToken === '')
      throw new TypeError('TokenData: accessToken must be a non-empty string');
    if (hasControlChars(accessToken))
      throw new TypeError('TokenData: accessToken contains control characters');
    const tokenType = init.tokenType ?? 'Bearer';
    if (!isTokenOrEmpty(tokenType))
      throw new TypeError('TokenData: tokenType must be a token (e.g. "Bearer")');
    if (
      refreshToken !== undefined &&
      (typeof refreshToken !== 'string' || refreshToken === '' || hasControlChars(refreshToken))
    ) {
      throw new TypeError('TokenData: refreshToken must be a non-empty string without control characters');
    }
    if (init.scope !== undefined && typeof init.scope !== 'string')
      throw new TypeError('TokenData: scope must be a string');
    this.accessToken = accessToken;
    this.tokenType = tokenType;
    this.#expiresAt = checkDate(init.expiresAt, 'expiresAt');
    this.refreshToken = refreshToken;
    this.scope = init.scope;
    this.extra = Object.freeze({ ...(init.extra ?? {}) });
    this.#issuedAt = checkDate(init.issuedAt, 'issuedAt') ?? Date.now();
    if (new.target === TokenData) Object.freeze(this);
  }

  /** When the token stops being valid (a fresh `Date` each time: the token cannot be changed through it). */
  get expiresAt(): Date | undefined {
    return this.#expiresAt === undefined ? undefined : new Date(this.#expiresAt);
  }

  /** When the token was obtained (a fresh `Date` each time). */
  get issuedAt(): Date {
    return new Date(this.#issuedAt);
  }

  /** `"<tokenType> <accessToken>"`, or the bare token when `tokenType` is empty. */
  get authorizationHeader(): string {
    if (this.#header === undefined)
      this.#header = this.tokenType ? `${this.tokenType} ${this.accessToken}` : this.accessToken;
    return this.#header;
  }

  /** Lifetime from `issuedAt` to `expiresAt`, in ms (`undefined` without expiry). */
  get lifetimeMs(): number | undefined {
    return this.#expiresAt === undefined ? undefined : Math.max(0, this.#expiresAt - this.#issuedAt);
  }

  /**
   * True when `now` is within `leewayMs` of `expiresAt` (or past it). A token without `expiresAt`
   * never expires by itself. `TokenManager` uses a proportional leeway instead (see its docs).
   */
  isExpired(leewayMs = 30_000, now: number = Date.now()): boolean {
    if (this.#expiresAt === undefined) return false;
    return now >= this.#expiresAt - leewayMs;
  }

  /** A copy with some fields replaced. */
  with(changes: Partial<TokenDataInit>): TokenData {
    return new TokenData({
      accessToken: this.accessToken,
      tokenType: this.tokenType,
      expiresAt: this.expiresAt,
      refreshToken: this.refreshToken,
      scope: this.scope,
      extra: this.extra,
      issuedAt: this.issuedAt,
      ...changes,
    });
  }

  /**
   * Builds a token from a token endpoint's JSON body. Unknown fields go to `extra`; `expires_in`
   * may be a number or a numeric string; without it the `exp` of a JWT access token is used.
   * @throws {AuthenticationException} for a missing or empty access token, one that cannot be
   * sent in a header (a character outside visible ASCII, CR/LF, longer than 16 KiB), a token type
   * that is not an HTTP token, a non-numeric, zero or negative `expires_in`, or a refresh token
   * with control characters.
   */
  static fromResponse(body: unknown, given: TokenResponseKeys = {}): TokenData {
    const keys = readOptions(given, 'TokenData.fromResponse', RESPONSE_KEYS);
    const {
      accessTokenKey = 'access_token',
      expiresInKey = 'expires_in',
      refreshTokenKey = 'refresh_token',
      tokenTypeKey = 'token_type',
      now = Date.now(),
      serviceName,
    } = keys;
    const fail = (message: string): never => {
      throw new AuthenticationException(
        serviceName ? `Token response for "${serviceName}": ${message}` : `Token response: ${message}`,
        {
          serviceName,
        },
      );
    };
    if (body === null || typeof body !== 'object' || Array.isArray(body))
      return fail('the body is not a JSON object');
    // Own fields only: nothing the server did not send is read from a polluted prototype.
    const fields = ownRecord(body as Record<string, unknown>);
    const accessToken = fields[accessTokenKey];
    if (typeof accessToken !== 'string' || accessToken.trim() === '')
      return fail(`"${accessTokenKey}" is missing or empty`);
    const unsendable = unsendableToken(accessToken);
    if (unsendable) return fail(`"${accessTokenKey}" ${unsendable}; it could not be sent in a header`);

    let expiresAt: Date | undefined;
    const expiresIn = fields[expiresInKey];
    if (expiresIn !== undefined && expiresIn !== null) {
      const seconds =
        typeof expiresIn === 'number'
          ? expiresIn
          : typeof expiresIn === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(expiresIn)
            ? Number(expiresIn)
            : Number.NaN;
      if (!Number.isFinite(seconds)) return fail(`"${expiresInKey}" is not a number of seconds`);
      const lifetimeMs = Math.round(Math.min(seconds, 10 * 365 * 24 * 3600) * 1000);
      if (lifetimeMs <= 0) return fail(`"${expiresInKey}" must be positive`);
      expiresAt = new Date(now + lifetimeMs);
    } else {
      const exp = jwtExpiresAtMs(accessToken);
      if (exp !== undefined && exp > now) expiresAt = new Date(exp);
    }

    const rawType = fields[tokenTypeKey];
    let tokenType = 'Bearer';
    if (rawType !== undefined && rawType !== null) {
      if (!isToken(rawType) || unsendableToken(rawType))
        return fail(`"${tokenTypeKey}" is not a token type that can be sent in a header`);
      tokenType = rawType.toLowerCase() === 'bearer' ? 'Bearer' : rawType;
    }
    const refreshToken = fields[refreshTokenKey];
    if (
      refreshToken !== undefined &&
      refreshToken !== null &&
      (typeof refreshToken !== 'string' || hasControlChars(refreshToken))
    ) {
      return fail(`"${refreshTokenKey}" is not a usable string`);
    }
    const scope = fields.scope;
    const known = new Set([accessTokenKey, expiresInKey, refreshTokenKey, tokenTypeKey, 'scope']);
    const extra: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(fields)) if (!known.has(key)) extra[key] = value;
    return new TokenData({
      accessToken,
      tokenType,
      expiresAt,
      refreshToken: typeof refreshToken === 'string' && refreshToken !== '' ? refreshToken : undefined,
      scope: typeof scope === 'string' ? scope : Array.isArray(scope) ? scope.join(' ') : undefined,
      extra,
      issuedAt: new Date(now),
    });
  }

  /** The storage form, with the secrets. Not for logs. */
  toJSON(): TokenDataJSON {
    return {
      v: 1,
      accessToken: this.accessToken,
      tokenType: this.tokenType,
      ...(this.#expiresAt !== undefined ? { expiresAt: this.#expiresAt } : {}),
      issuedAt: this.#issuedAt,
      ...(this.refreshToken ? { refreshToken: this.refreshToken } : {}),
      ...(this.scope !== undefined ? { scope: this.scope } : {}),
      ...(Object.keys(this.extra).length > 0 ? { extra: { ...this.extra } } : {}),
    };
  }

  /** Reads the storage form (a string or a parsed object); `TypeError` when it is not one. */
  static fromJSON(json: TokenDataJSON | string): TokenData {
    const parsed: unknown = typeof json === 'string' ? JSON.parse(json) : json;
    const value = (
      parsed && typeof parsed === 'object' ? ownRecord(parsed as Record<string, unknown>) : parsed
    ) as Partial<TokenDataJSON> | null;
    if (!value || typeof value !== 'object' || value.v !== 1)
      throw new TypeError('TokenData.fromJSON: not a stored token (v1)');
    const date = (ms: unknown, field: string) => {
      if (ms === undefined) return undefined;
      if (typeof ms !== 'number' || !Number.isFinite(ms))
        throw new TypeError(`TokenData.fromJSON: ${field} is not a timestamp`);
      return new Date(ms);
    };
    return new TokenData({
      accessToken: value.accessToken as string,
      tokenType: value.tokenType,
      expiresAt: date(value.expiresAt, 'expiresAt'),
      issuedAt: date(value.issuedAt, 'issuedAt'),
      refreshToken: value.refreshToken,
      scope: value.scope,
      extra: value.extra,
    });
  }

  toString(): string {
    return `TokenData(${this.tokenType || 'bare'}, ${this.expiresAt ? `expires ${this.expiresAt.toISOString()}` : 'no expiry'})`;
  }

  [INSPECT](): string {
    return `TokenData { tokenType: '${this.tokenType}', accessToken: [REDACTED], refreshToken: ${this.refreshToken ? '[REDACTED]' : 'none'}, expiresAt: ${this.expiresAt?.toISOString() ?? 'none'}, scope: ${this.scope === undefined ? 'none' : `'${this.scope}'`} }`;
  }
}
