import type { DpopOption } from '../tokens/dpop/dpop-options';
import { TOKEN_ENDPOINT_OPTION_KEYS, type TokenEndpointOptions } from '../tokens/exchange/token-http';
import type { TokenData } from '../tokens/token-data';
import type { FetchContext } from './fetch-context';

/**
 * One step of a {@link TokenFetchPipeline}: obtains one token, possibly using the tokens of the
 * steps it depends on. Implement it for a step that is not a plain HTTP call (a plain object works).
 *
 * @example
 * ```ts
 * const signedAssertion: TokenFetcher = {
 *   name: 'assertion',
 *   dependsOn: [],
 *   ttlMs: 5 * 60_000,
 *   async fetch() {
 *     return new TokenData({ accessToken: signJwt(claims, privateKey), tokenType: '' });
 *   },
 * };
 * ```
 */
export interface TokenFetcher {
  /** The step name: what other steps list in `dependsOn`, and part of the cache key. */
  readonly name: string;
  /** Names of the steps whose tokens this step needs; they always run first. */
  readonly dependsOn: readonly string[];
  /**
   * How long the token is used, from when it was obtained. Wins over the lifetime the server
   * announces (`expires_in`).
   * @default the token's own expiry
   */
  readonly ttlMs?: number;
  /**
   * Everything that makes this step's tokens different (endpoint, method, request fields…; never
   * a secret in clear: hash it). The pipeline keys the step's token by it, together with its
   * dependencies' identities: `<cacheKeyPrefix>:<name>:<16 hex of its SHA-256>`.
   * @default none: the step is cached under `<cacheKeyPrefix>:<name>`
   * @example identity: `signed-assertion:${keyId}`
   */
  readonly identity?: string;
  /** Obtains the token; `context` holds the tokens of the steps that ran before in this run. */
  fetch(context: FetchContext): Promise<TokenData>;
  /** Releases resources (connections); called by `TokenFetchPipeline.close()`. */
  close?(): void | Promise<void>;
}

/** The methods a token request may use. */
export type TokenRequestMethod = 'GET' | 'POST' | 'PUT' | 'PATCH';

/** Static request headers, or a function of the run's context returning them. */
export type RequestHeadersOption =
  | Readonly<Record<string, string>>
  | ((context: FetchContext) => Record<string, string>);

/** Static request fields, or a function of the run's context returning them. */
export type RequestDataOption =
  | Readonly<Record<string, unknown>>
  | ((context: FetchContext) => Record<string, unknown>);

/** Options of every {@link HttpTokenFetcher}. */
export interface HttpTokenFetcherOptions extends TokenEndpointOptions {
  /** The step name (see {@link TokenFetcher.name}); also the `serviceName` of its errors. */
  readonly name: string;
  /**
   * The auth server, an absolute http(s) URL; its path prefix is kept.
   * @example 'https://auth.example.com'
   */
  readonly baseUrl: string;
  /**
   * The token endpoint's path under `baseUrl`, joined as a string (never resolved as a URL).
   * @example '/v1/app/token'
   */
  readonly endpoint: string;
  /**
   * The HTTP method (case-insensitive). GET sends `requestData` as query parameters.
   * @default 'POST'
   */
  readonly method?: TokenRequestMethod | Lowercase<TokenRequestMethod>;
  /**
   * Headers of the token request, or a function of the run's {@link FetchContext} returning them
   * (to pass a dependency's token without subclassing).
   * @example (context) => ({ 'X-App-Token': context.getTokenValue('app_token')! })
   */
  readonly requestHeaders?: RequestHeadersOption;
  /**
   * Fields of the token request (body, or query for GET), or a function of the context.
   * Their string values are treated as secrets: never printed, scrubbed from server errors.
   * @example { grant_type: 'client_credentials', client_id: 'app-id', client_secret: secret }
   */
  readonly requestData?: RequestDataOption;
  /**
   * How `requestData` is encoded in a POST, PUT or PATCH body.
   * @default 'form'
   */
  readonly contentType?: 'form' | 'json';
  /**
   * How long the token is used, from just before the request was sent. Wins over `expires_in`:
   * the returned token's `expiresAt` is `issuedAt + ttlMs`.
   * @default the lifetime the server announces, else none
   * @example 60 * 60_000
   */
  readonly ttlMs?: number;
  /**
   * Names of the steps this one needs.
   * @default []
   * @example ['app_token']
   */
  readonly dependsOn?: readonly string[];
  /**
   * DPoP (RFC 9449) for the pipeline's final step: its token requests carry a proof (a
   * `use_dpop_nonce` answer gets one more attempt with the server's nonce), its token must come
   * back as `token_type: DPoP`, and a `TokenManager` of the `PipelineTokenProvider` sends it as
   * `Authorization: DPoP <token>` with a fresh proof per request. `true` generates an ES256 key
   * per fetcher; an object configures the key, the algorithm and whether an unbound token is
   * refused. Only the final step may have it: an earlier step's token is sent to the next step's
   * endpoint, not to APIs. With a shared pipeline `storage`, configure `privateKey`.
   * @default off
   * @example dpop: true
   * @example dpop: { privateKey: createPrivateKey(process.env.DPOP_KEY_PEM!), alg: 'ES256' }
   */
  readonly dpop?: DpopOption;
}

/** What a subclass's `readToken` gets besides the response. */
export interface TokenResponseInfo {
  /** When the request was sent (epoch ms): the token's lifetime starts here. */
  readonly sentAt: number;
  /** The values sent with the request, to scrub from anything the server echoes. */
  readonly secrets: readonly string[];
}

/** The keys of {@link HttpTokenFetcherOptions}, shared by the fetchers' own-property reading. */
export const HTTP_FETCHER_OPTION_KEYS = {
  ...TOKEN_ENDPOINT_OPTION_KEYS,
  name: true,
  baseUrl: true,
  endpoint: true,
  method: true,
  requestHeaders: true,
  requestData: true,
  contentType: true,
  ttlMs: true,
  dependsOn: true,
  dpop: true,
} as const;
