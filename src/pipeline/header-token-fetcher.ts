import { optionKeys, readOptions } from '../checks/options';
import { isToken, isTokenOrEmpty, unsendableToken } from '../checks/syntax';
import { AuthenticationException } from '../errors/authentication-exception';
import type { HttpResponse } from '../http/response';
import type { IdentityParts } from '../tokens/identity';
import { TokenData } from '../tokens/token-data';
import {
  HTTP_FETCHER_OPTION_KEYS,
  type HttpTokenFetcherOptions,
  type TokenResponseInfo,
} from './fetcher-types';
import { HttpTokenFetcher } from './token-fetcher';

/** Options of {@link HeaderTokenFetcher}. */
export interface HeaderTokenFetcherOptions extends HttpTokenFetcherOptions {
  /**
   * The response header holding the token (case-insensitive).
   * @default 'Authorization'
   */
  readonly tokenHeader?: string;
  /**
   * The token's type. A header value starting with it (`Bearer abc`) has it stripped, so the
   * token is `abc` and is sent as `Bearer abc`, not `Bearer Bearer abc`. `''` keeps the value as is.
   * @default 'Bearer'
   */
  readonly tokenType?: string;
}

const KEYS = optionKeys<HeaderTokenFetcherOptions>()({
  ...HTTP_FETCHER_OPTION_KEYS,
  tokenHeader: true,
  tokenType: true,
});

/**
 * A pipeline step whose token comes in a response header (a login endpoint answering
 * `Authorization: Bearer …` or `X-Auth-Token: …`). Its lifetime is `ttlMs` (none without it).
 *
 * @example
 * ```ts
 * const session = new HeaderTokenFetcher({
 *   name: 'session',
 *   baseUrl: 'https://auth.example.com',
 *   endpoint: '/login',
 *   requestData: { username: 'user@example.com', password },
 *   tokenHeader: 'X-Auth-Token',
 *   ttlMs: 15 * 60_000,
 * });
 * ```
 */
export class HeaderTokenFetcher extends HttpTokenFetcher {
  /** The response header holding the token. */
  readonly tokenHeader: string;
  /** The token's type. */
  readonly tokenType: string;

  constructor(given: HeaderTokenFetcherOptions) {
    const options = readOptions(
      given,
      'HeaderTokenFetcher',
      new.target === HeaderTokenFetcher ? KEYS : undefined,
    );
    super(options);
    const kind = `${new.target.name} (${this.name})`;
    const header = options.tokenHeader ?? 'Authorization';
    if (!isToken(header)) throw new TypeError(`${kind}: tokenHeader must be a valid header name`);
    const type = options.tokenType ?? 'Bearer';
    if (!isTokenOrEmpty(type))
      throw new TypeError(`${kind}: tokenType must be a token (e.g. "Bearer") or empty`);
    this.tokenHeader = header;
    this.tokenType = type;
  }

  protected override readingIdentity(): IdentityParts {
    return { tokenHeader: this.tokenHeader.toLowerCase(), tokenType: this.tokenType };
  }

  /** Reads the token from `tokenHeader`, without a leading `<tokenType> `. */
  protected readToken(response: HttpResponse, { sentAt }: TokenResponseInfo): TokenData {
    const fail = (problem: string): never => {
      throw new AuthenticationException(
        `Token endpoint of "${this.name}" answered ${response.statusCode} ${problem}`,
        { serviceName: this.name, statusCode: response.statusCode },
      );
    };
    let value = response.headers.get(this.tokenHeader)?.trim() ?? '';
    if (value === '') return fail(`without a "${this.tokenHeader}" header`);
    const prefix = `${this.tokenType} `;
    if (this.tokenType !== '' && value.slice(0, prefix.length).toLowerCase() === prefix.toLowerCase())
      value = value.slice(prefix.length).trim();
    if (value === '') return fail(`with an empty "${this.tokenHeader}" header`);
    const unsendable = unsendableToken(value, this.tokenType === '');
    if (unsendable) return fail(`with a token that ${unsendable} in the "${this.tokenHeader}" header`);
    return new TokenData({ accessToken: value, tokenType: this.tokenType, issuedAt: new Date(sentAt) });
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), tokenHeader: this.tokenHeader, tokenType: this.tokenType };
  }
}
