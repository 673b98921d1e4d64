import type { HttpClient, RequestInit } from '../client/http-client';
import { AuthenticationException } from '../errors/authentication-exception';
import type { FormFields } from '../http/body';
import type { HttpResponse } from '../http/response';
import type { QueryParams } from '../http/url';
import { INSPECT } from '../observability/redact-constants';
import {
  createTokenHttpClient,
  parseTokenBody,
  type TokenEndpointOptions,
  tokenEndpointError,
  tokenRequestFailure,
} from '../tokens/providers/token-endpoint';
import type { TokenData } from '../tokens/token-data';
import { FetchContext } from './fetch-context';
import {
  CONTROL,
  checkHeaders,
  checkOptions,
  collectStrings,
  errorName,
  isPlainObject,
  scrubTransportError,
} from './fetcher-options';

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
}

/** What a subclass's `readToken` gets besides the response. */
export interface TokenResponseInfo {
  /** When the request was sent (epoch ms): the token's lifetime starts here. */
  readonly sentAt: number;
  /** The values sent with the request, to scrub from anything the server echoes. */
  readonly secrets: readonly string[];
}

/**
 * The HTTP part shared by {@link BodyTokenFetcher} and {@link HeaderTokenFetcher}: builds the
 * request from `requestHeaders` / `requestData` (static or functions of the context), sends it
 * with a client that never follows redirects, caps the answer at 1 MiB, times out and retries
 * transient failures, and turns every failure into an `AuthenticationException` whose
 * `serviceName` is the step name and which never contains a secret. Subclasses read the token
 * from the answer in {@link HttpTokenFetcher.readToken}.
 *
 * Override {@link HttpTokenFetcher.buildRequestHeaders} or
 * {@link HttpTokenFetcher.buildRequestData} to add values from the context.
 *
 * @example
 * ```ts
 * class UserTokenFetcher extends BodyTokenFetcher {
 *   protected override buildRequestHeaders(context: FetchContext): Record<string, string> {
 *     const headers = super.buildRequestHeaders(context);
 *     headers['X-App-Token'] = context.getTokenValue('app_token')!;
 *     return headers;
 *   }
 * }
 * ```
 */
export abstract class HttpTokenFetcher implements TokenFetcher {
  /** The step name. */
  readonly name: string;
  /** The steps this one needs. */
  readonly dependsOn: readonly string[];
  /** How long the token is used; `undefined`: the server's `expires_in`. */
  readonly ttlMs: number | undefined;
  /** The HTTP method, upper case. */
  readonly method: TokenRequestMethod;
  /** The token endpoint: `baseUrl` joined with `endpoint`. */
  readonly url: string;
  /** How a request body is encoded. */
  readonly contentType: 'form' | 'json';
  readonly #requestHeaders: RequestHeadersOption;
  readonly #requestData: RequestDataOption;
  readonly #client: HttpClient;
  readonly #ownsClient: boolean;

  constructor(options: HttpTokenFetcherOptions) {
    const kind = new.target.name;
    if (!isPlainObject(options)) throw new TypeError(`${kind}: expected options`);
    const { name } = options;
    if (typeof name !== 'string' || name.trim() === '' || CONTROL.test(name))
      throw new TypeError(`${kind}: name must be a non-empty string without control characters`);
    try {
      const checked = checkOptions(options);
      this.name = name;
      this.url = checked.url;
      this.method = checked.method;
      this.contentType = checked.contentType;
      this.dependsOn = checked.dependsOn;
      this.ttlMs = options.ttlMs;
      this.#requestHeaders = checked.requestHeaders;
      this.#requestData = checked.requestData;
      this.#client = createTokenHttpClient(options);
      this.#ownsClient = options.httpClient === undefined;
    } catch (error) {
      if (error instanceof TypeError) error.message = `${kind} (${name}): ${error.message}`;
      throw error;
    }
  }

  /**
   * The headers of one token request: a fresh copy of `requestHeaders` (or the result of the
   * function). Override it and extend `super.buildRequestHeaders(context)` to add values.
   * @example
   * ```ts
   * protected override buildRequestHeaders(context: FetchContext) {
   *   const headers = super.buildRequestHeaders(context);
   *   headers['X-App-Token'] = context.getTokenValue('app_token')!;
   *   return headers;
   * }
   * ```
   */
  protected buildRequestHeaders(context: FetchContext): Record<string, string> {
    const source = this.#requestHeaders;
    const headers = typeof source === 'function' ? source(context) : source;
    return { ...checkHeaders(headers, `(${this.name}) requestHeaders(context)`) };
  }

  /**
   * The fields of one token request: a fresh copy of `requestData` (or the result of the
   * function). Override it and extend `super.buildRequestData(context)` to add values.
   * @example
   * ```ts
   * protected override buildRequestData(context: FetchContext) {
   *   const data = super.buildRequestData(context);
   *   data.app_token = context.getTokenValue('app_token');
   *   return data;
   * }
   * ```
   */
  protected buildRequestData(context: FetchContext): Record<string, unknown> {
    const source = this.#requestData;
    const data = typeof source === 'function' ? source(context) : source;
    if (!isPlainObject(data))
      throw new TypeError(`(${this.name}) requestData(context) must return an object`);
    return { ...data };
  }

  /**
   * Reads the token from a 2xx answer; throw `AuthenticationException` (with `serviceName` =
   * the step name) when it is not there. `ttlMs` is applied afterwards.
   * @example
   * ```ts
   * protected readToken(response: HttpResponse, { sentAt }: TokenResponseInfo): TokenData {
   *   const { jwt } = response.json<{ jwt: string }>();
   *   return new TokenData({ accessToken: jwt, issuedAt: new Date(sentAt) });
   * }
   * ```
   */
  protected abstract readToken(response: HttpResponse, info: TokenResponseInfo): TokenData;

  /**
   * A refused token request (non-2xx, or an OAuth `error` field) as an `AuthenticationException`
   * with RFC 6749 §5.2 details, the request values scrubbed from what the server sent back.
   * @example if (body.status !== 'ok') throw this.refusal(response, body, info.secrets);
   */
  protected refusal(
    response: HttpResponse,
    body: Record<string, unknown> | undefined,
    secrets: readonly string[],
  ): AuthenticationException {
    const error = tokenEndpointError(this.name, response, body, secrets);
    // The URL as sent may carry requestData (GET): report the configured endpoint instead.
    return new AuthenticationException(error.message, {
      serviceName: this.name,
      error: error.error,
      errorDescription: error.errorDescription,
      statusCode: error.statusCode,
      context: { statusCode: response.statusCode, tokenUrl: this.url },
    });
  }

  /**
   * Requests the token. Every failure is an `AuthenticationException` naming this step.
   * @example const token = await fetcher.fetch(new FetchContext());
   */
  async fetch(context: FetchContext = new FetchContext()): Promise<TokenData> {
    let headers: Record<string, string>;
    let data: Record<string, unknown>;
    try {
      headers = checkHeaders(this.buildRequestHeaders(context), `(${this.name}) request headers`);
      data = this.buildRequestData(context);
      if (!isPlainObject(data)) throw new TypeError(`(${this.name}) request data must be an object`);
    } catch (error) {
      if (error instanceof AuthenticationException) throw error;
      throw new AuthenticationException(
        `Building the token request of "${this.name}" failed (${errorName(error)})`,
        { serviceName: this.name, cause: error },
      );
    }
    const secrets: string[] = [];
    collectStrings(headers, secrets);
    collectStrings(data, secrets);
    for (const name of context.names) secrets.push(context.getTokenValue(name)!);

    const sentAt = Date.now();
    let response: HttpResponse;
    try {
      response = await this.#client.request(this.#requestInit(headers, data));
    } catch (error) {
      scrubTransportError(error, secrets);
      throw tokenRequestFailure(this.name, error);
    }
    if (!response.isSuccess) throw this.refusal(response, parseTokenBody(response), secrets);
    let token: TokenData;
    try {
      token = this.readToken(response, { sentAt, secrets });
    } catch (error) {
      if (error instanceof AuthenticationException) throw error;
      throw new AuthenticationException(`Reading the token of "${this.name}" failed (${errorName(error)})`, {
        serviceName: this.name,
        statusCode: response.statusCode,
        cause: error,
      });
    }
    if (this.ttlMs === undefined) return token;
    return token.with({ issuedAt: new Date(sentAt), expiresAt: new Date(sentAt + this.ttlMs) });
  }

  #requestInit(headers: Record<string, string>, data: Record<string, unknown>): RequestInit {
    const init = { method: this.method, url: this.url, headers };
    if (this.method === 'GET')
      return Object.keys(data).length === 0 ? init : { ...init, params: data as QueryParams };
    return this.contentType === 'json' ? { ...init, json: data } : { ...init, data: data as FormFields };
  }

  /**
   * Releases the private HTTP client (a client passed as `httpClient` stays open).
   * @example await fetcher.close();
   */
  async close(): Promise<void> {
    if (this.#ownsClient) await this.#client.close();
  }

  /** The configuration, with only the names of the request headers and fields (never values). */
  toJSON(): Record<string, unknown> {
    const describe = (option: object) =>
      typeof option === 'function' ? 'function of the context' : Object.keys(option);
    return {
      type: this.constructor.name,
      name: this.name,
      method: this.method,
      url: this.url,
      contentType: this.contentType,
      dependsOn: this.dependsOn,
      ttlMs: this.ttlMs,
      requestHeaders: describe(this.#requestHeaders),
      requestData: describe(this.#requestData),
    };
  }

  toString(): string {
    return `${this.constructor.name}(${this.name}: ${this.method} ${this.url})`;
  }

  [INSPECT](): string {
    return `${this.constructor.name} ${JSON.stringify(this.toJSON())}`;
  }
}
