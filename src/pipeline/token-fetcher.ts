import { describeError } from '../checks/describe-error';
import { readOptions } from '../checks/options';
import { hasControlChars } from '../checks/syntax';
import { AuthenticationException } from '../errors/authentication-exception';
import type { HttpResponse } from '../http/response';
import type { QueryParams } from '../http/url';
import { INSPECT } from '../observability/redact-constants';
import { collectStrings } from '../observability/scrub';
import { DpopHandle, registerDpopHandle } from '../tokens/dpop/dpop-handle';
import type { DpopKey } from '../tokens/dpop/dpop-key';
import { readDpopOption } from '../tokens/dpop/dpop-options';
import { tokenEndpointError } from '../tokens/exchange/token-errors';
import { exchangeToken, type TokenRequest } from '../tokens/exchange/token-exchange';
import { createTokenSender, type TokenSender } from '../tokens/exchange/token-http';
import { canonicalIdentity, hashedPart, type IdentityParts } from '../tokens/identity';
import type { TokenData } from '../tokens/token-data';
import { FetchContext } from './fetch-context';
import { checkHeaders, checkOptions, isPlainObject } from './fetcher-options';
import type {
  HttpTokenFetcherOptions,
  RequestDataOption,
  RequestHeadersOption,
  TokenFetcher,
  TokenRequestMethod,
  TokenResponseInfo,
} from './fetcher-types';

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
  readonly #sender: TokenSender;
  /** DPoP key, nonces and bindings, when the `dpop` option is on. */
  readonly #dpop: DpopHandle | undefined;
  #identity: string | undefined;

  /**
   * @param given the options, read as own properties; unknown keys are refused by the concrete fetchers
   * (your subclass may add options of its own)
   */
  constructor(given: HttpTokenFetcherOptions) {
    const kind = new.target.name;
    const options = readOptions(given, kind, undefined);
    const { name } = options;
    if (typeof name !== 'string' || name.trim() === '' || hasControlChars(name))
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
      this.#sender = createTokenSender(options);
      const dpop = readDpopOption(options.dpop);
      this.#dpop = dpop === undefined ? undefined : new DpopHandle(dpop);
      if (this.#dpop !== undefined) registerDpopHandle(this, this.#dpop);
    } catch (error) {
      // Fetcher options are documented to fail with a TypeError, whatever the check.
      if (error instanceof RangeError) throw new TypeError(`${kind} (${name}): ${error.message}`);
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
   * What makes this step's tokens different: method, endpoint, body encoding, a hash of the
   * static request headers and fields (they may hold a password), and how the token is read.
   * Headers or fields given as functions count as "from the run's context": their output is
   * assumed to depend on the dependency tokens only (which are part of the step's cache key).
   * @example fetcher.identity // '{"contentType":"form","data":"sha256:…","kind":"fetcher",…}'
   */
  get identity(): string {
    const part = (option: object) =>
      typeof option === 'function'
        ? 'from-context'
        : hashedPart(JSON.stringify(Object.entries(option).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))));
    this.#identity ??= canonicalIdentity({
      kind: 'fetcher',
      method: this.method,
      url: this.url,
      contentType: this.contentType,
      headers: part(this.#requestHeaders),
      data: part(this.#requestData),
      ...(this.#dpop === undefined ? {} : { dpop: this.#dpop.identityPart }),
      ...this.readingIdentity(),
    });
    return this.#identity;
  }

  /**
   * What the subclass's way of reading the token adds to the identity (field or header names).
   * Override it when your `readToken` depends on options of your own.
   * @example protected override readingIdentity() { return { jwtField: this.jwtField }; }
   */
  protected readingIdentity(): IdentityParts {
    return {};
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
    return tokenEndpointError(this.name, response, body, secrets, this.url);
  }

  /**
   * Requests the token. Every failure is an `AuthenticationException` naming this step.
   * @example const token = await fetcher.fetch(new FetchContext());
   */
  async fetch(context: FetchContext = new FetchContext()): Promise<TokenData> {
    const dpop = this.#dpop;
    const proofKey = dpop && (await dpop.key());
    const nonces = dpop?.nonces;
    const answer = await exchangeToken(() => this.#request(context, proofKey), {
      send: this.#sender.send,
      serviceName: this.name,
      url: this.url,
      maxRetries: this.#sender.maxRetries,
      onAnswer: nonces && ((response) => nonces.note(this.url, response.headers.get('dpop-nonce'))),
    });
    const secrets = answer.secrets;
    let token: TokenData;
    try {
      token = this.readToken(answer.response, { sentAt: answer.sentAt, secrets });
    } catch (error) {
      if (error instanceof AuthenticationException) throw error;
      throw new AuthenticationException(
        `Reading the token of "${this.name}" failed (${describeError(error)})`,
        {
          serviceName: this.name,
          statusCode: answer.response.statusCode,
          cause: error,
        },
      );
    }
    if (this.ttlMs !== undefined) {
      token = token.with({
        issuedAt: new Date(answer.sentAt),
        expiresAt: new Date(answer.sentAt + this.ttlMs),
      });
    }
    return proofKey ? dpop!.accept(token, proofKey, this.name) : token;
  }

  /** One attempt's request: built from the context anew, its values collected as secrets. */
  #request(context: FetchContext, proofKey: DpopKey | undefined): TokenRequest {
    let headers = checkHeaders(this.buildRequestHeaders(context), `(${this.name}) request headers`);
    const data = this.buildRequestData(context);
    if (!isPlainObject(data)) throw new TypeError(`(${this.name}) request data must be an object`);
    const secrets = collectStrings([headers, data]);
    for (const name of context.names) secrets.push(context.getTokenValue(name)!);
    if (proofKey !== undefined) {
      // A proof per attempt (fresh jti), with the nonce the endpoint gave last.
      const proof = proofKey.proof({
        htm: this.method,
        url: this.url,
        nonce: this.#dpop!.nonces.get(this.url),
      });
      headers = { ...headers, dpop: proof };
      secrets.push(proof);
    }
    const base = { method: this.method, url: this.url, headers, secrets };
    if (this.method === 'GET')
      return Object.keys(data).length === 0 ? base : { ...base, params: data as QueryParams };
    return this.contentType === 'json'
      ? { ...base, json: data }
      : { ...base, form: data as TokenRequest['form'] };
  }

  /**
   * Releases the private HTTP client's connections (a client passed as `httpClient` stays open);
   * a later fetch reconnects.
   * @example await fetcher.close();
   */
  close(): Promise<void> {
    return this.#sender.close();
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
      ...(this.#dpop === undefined ? {} : { dpop: this.#dpop.toJSON() }),
    };
  }

  toString(): string {
    return `${this.constructor.name}(${this.name}: ${this.method} ${this.url})`;
  }

  /** What `util.inspect` prints: the secret-free description. */
  [INSPECT](): string {
    return `${this.constructor.name} ${JSON.stringify(this.toJSON())}`;
  }
}
