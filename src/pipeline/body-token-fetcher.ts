import { optionKeys, readOptions } from '../checks/options';
import { isTokenOrEmpty } from '../checks/syntax';
import type { HttpResponse } from '../http/response';
import { parseTokenBody as parseBody, tokenFromBody } from '../tokens/exchange/token-response';
import type { IdentityParts } from '../tokens/identity';
import type { TokenData } from '../tokens/token-data';
import {
  HTTP_FETCHER_OPTION_KEYS,
  type HttpTokenFetcherOptions,
  type TokenResponseInfo,
} from './fetcher-types';
import { HttpTokenFetcher } from './token-fetcher';

/** Options of {@link BodyTokenFetcher}. */
export interface BodyTokenFetcherOptions extends HttpTokenFetcherOptions {
  /**
   * The body field holding the access token.
   * @default 'access_token'
   */
  readonly tokenField?: string;
  /**
   * The body field holding the token type.
   * @default 'token_type'
   */
  readonly tokenTypeField?: string;
  /**
   * The body field holding the lifetime in seconds (ignored when `ttlMs` is set).
   * @default 'expires_in'
   */
  readonly expiresInField?: string;
  /**
   * The body field holding a refresh token.
   * @default 'refresh_token'
   */
  readonly refreshTokenField?: string;
  /**
   * The token type when the body has none; `''` sends the bare token.
   * @default 'Bearer'
   */
  readonly defaultTokenType?: string;
}

const KEYS = optionKeys<BodyTokenFetcherOptions>()({
  ...HTTP_FETCHER_OPTION_KEYS,
  tokenField: true,
  tokenTypeField: true,
  expiresInField: true,
  refreshTokenField: true,
  defaultTokenType: true,
});

function field(value: string | undefined, fallback: string, option: string, kind: string): string {
  const name = value ?? fallback;
  if (typeof name !== 'string' || name === '')
    throw new TypeError(`${kind}: ${option} must be a non-empty string`);
  return name;
}

/**
 * A pipeline step whose token comes in the body of the answer (JSON, or form-encoded), like an
 * OAuth 2 token endpoint. Unknown body fields land in the token's `extra`.
 *
 * @example
 * ```ts
 * const appToken = new BodyTokenFetcher({
 *   name: 'app_token',
 *   baseUrl: 'https://auth.example.com',
 *   endpoint: '/v1/app/token',
 *   requestData: { grant_type: 'client_credentials', client_id: 'app-id', client_secret: secret },
 *   ttlMs: 60 * 60_000,
 * });
 * ```
 */
export class BodyTokenFetcher extends HttpTokenFetcher {
  /** The body field holding the access token. */
  readonly tokenField: string;
  /** The body field holding the token type. */
  readonly tokenTypeField: string;
  /** The body field holding the lifetime in seconds. */
  readonly expiresInField: string;
  /** The body field holding a refresh token. */
  readonly refreshTokenField: string;
  /** The token type used when the body has none. */
  readonly defaultTokenType: string;

  constructor(given: BodyTokenFetcherOptions) {
    const options = readOptions(
      given,
      'BodyTokenFetcher',
      new.target === BodyTokenFetcher ? KEYS : undefined,
    );
    super(options);
    const kind = `${new.target.name} (${this.name})`;
    this.tokenField = field(options.tokenField, 'access_token', 'tokenField', kind);
    this.tokenTypeField = field(options.tokenTypeField, 'token_type', 'tokenTypeField', kind);
    this.expiresInField = field(options.expiresInField, 'expires_in', 'expiresInField', kind);
    this.refreshTokenField = field(options.refreshTokenField, 'refresh_token', 'refreshTokenField', kind);
    const type = options.defaultTokenType ?? 'Bearer';
    if (!isTokenOrEmpty(type))
      throw new TypeError(`${kind}: defaultTokenType must be a token (e.g. "Bearer") or empty`);
    this.defaultTokenType = type;
  }

  protected override readingIdentity(): IdentityParts {
    return {
      reads: [this.tokenField, this.tokenTypeField, this.expiresInField, this.refreshTokenField],
      defaultTokenType: this.defaultTokenType,
    };
  }

  /** Reads the token from the JSON (or form-encoded) body; an OAuth `error` field is a refusal. */
  protected readToken(response: HttpResponse, { sentAt, secrets }: TokenResponseInfo): TokenData {
    const answer = { response, body: parseBody(response), sentAt, secrets };
    const token = tokenFromBody(answer, {
      serviceName: this.name,
      url: this.url,
      secrets,
      keys: {
        accessTokenKey: this.tokenField,
        tokenTypeKey: this.tokenTypeField,
        expiresInKey: this.expiresInField,
        refreshTokenKey: this.refreshTokenField,
      },
    });
    const announced = answer.body?.[this.tokenTypeField];
    return announced === undefined || announced === null
      ? token.with({ tokenType: this.defaultTokenType })
      : token;
  }

  override toJSON(): Record<string, unknown> {
    return {
      ...super.toJSON(),
      tokenField: this.tokenField,
      tokenTypeField: this.tokenTypeField,
      expiresInField: this.expiresInField,
      refreshTokenField: this.refreshTokenField,
      defaultTokenType: this.defaultTokenType,
    };
  }
}
