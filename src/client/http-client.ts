import type { Readable } from 'node:stream';
import { isToken } from '../checks/syntax';
import { HttpClientConfig } from '../config/http-client-config';
import { HttpClientConfigBuilder } from '../config/http-client-config-builder';
import { HttpClientException } from '../errors/http-client-exception';
import { RequestBuildException } from '../errors/transport-errors';
import { encodeBody, type FormFields, type RequestBody } from '../http/body';
import { normalizeHeaders } from '../http/header-validation';
import type { HttpHeaders } from '../http/http-headers';
import { HttpRequest } from '../http/request';
import type { HttpResponse } from '../http/response';
import { statusException } from '../http/response';
import { buildRequestUrl, type CanonicalUrl, type QueryParams } from '../http/url';
import type { Handler } from '../middleware/chain';
import { RequestContext } from '../middleware/context';
import { OriginTrust } from '../middleware/origin-trust';
import { INSPECT } from '../observability/redact-constants';
import type { Transport } from '../transport/transport';
import { UndiciTransport } from '../transport/undici-transport';
import { VERSION } from '../version';
import { assembleChain } from './assemble';
import { type RequestManyOptions, type RequestManyResult, runMany } from './request-many';
import { transportLink } from './transport-link';

/** Per-request options of the verb helpers. */
export interface RequestOptions {
  /**
   * Query parameters, appended to any query already in the URL; arrays repeat the key.
   * @example { page: 2, tag: ['a', 'b'] }
   */
  readonly params?: QueryParams;
  /** Headers for this request, merged over the defaults (`undefined` removes a default). */
  readonly headers?: Readonly<Record<string, string | undefined>>;
  /** A JSON body (`Content-Type: application/json`). */
  readonly json?: unknown;
  /** Form fields (`Content-Type: application/x-www-form-urlencoded`). */
  readonly data?: FormFields;
  /** A raw body: string, bytes, or a one-shot stream (never retried or replayed). */
  readonly body?: RequestBody;
  /**
   * Per-attempt timeout for this request.
   * @default the client's `withTimeout`
   */
  readonly timeoutMs?: number;
  /** Aborts the request, its retries and every wait in between. */
  readonly signal?: AbortSignal;
  /**
   * `false` returns a 3xx as is for this request instead of following it (token requests are
   * sent this way). `true` needs a client that follows redirects.
   * @default the client's `withRedirects` policy
   */
  readonly followRedirects?: boolean;
}

/** A whole request: `RequestOptions` plus method and URL. */
export interface RequestInit extends RequestOptions {
  /** HTTP method (case-insensitive). */
  readonly method: string;
  /** A path under the base URL (`/users?x=1`) or an absolute http(s) URL. */
  readonly url: string;
}

/** A response whose body is a stream, from `client.stream()`. */
export interface HttpStreamResponse {
  readonly statusCode: number;
  readonly headers: HttpHeaders;
  /** The final URL (after redirects). */
  readonly url: string;
  /** Time to the response headers, in ms. */
  readonly elapsedMs: number;
  /** The request as sent (redacted when printed). */
  readonly request: HttpRequest;
  /** The body; read it or destroy it to free the connection. Not limited by `maxResponseBytes`. */
  readonly body: Readable;
}

const URL_CACHE_SIZE = 512;

/**
 * The HTTP client: verbs, batches, streams. Reuse one client per service; it keeps a pool of
 * keep-alive connections.
 *
 * @example
 * ```ts
 * const client = new HttpClient(new HttpClientConfigBuilder().withBaseUrl('https://api.example.com').build());
 * const response = await client.get('/users', { params: { page: 2 } });
 * await client.close();
 * ```
 */
export class HttpClient {
  /** The configuration this client was built from. */
  readonly config: HttpClientConfig;
  readonly #transport: Transport;
  readonly #handler: Handler;
  readonly #trust: OriginTrust;
  readonly #trustedDefaults: Readonly<Record<string, string>>;
  readonly #untrustedDefaults: Readonly<Record<string, string>>;
  readonly #maxRetries: number;
  /** Canonical URLs of recent parameter-less paths: most services call a small set of paths. */
  readonly #urls = new Map<string, CanonicalUrl>();
  #closed = false;

  constructor(config: HttpClientConfig = new HttpClientConfigBuilder().build()) {
    if (!(config instanceof HttpClientConfig)) {
      throw new TypeError('HttpClient expects an HttpClientConfig from HttpClientConfigBuilder.build()');
    }
    this.config = config;
    this.#transport = new UndiciTransport({
      connections: config.connections,
      connectTimeoutMs: config.timeoutMs,
      tls: config.tls,
      proxy: config.proxy,
      dispatcher: config.dispatcher,
    });
    this.#trust = new OriginTrust(config.trustedOrigins);
    const defaults = { 'user-agent': `requestforge/${VERSION}`, ...config.headers };
    const untrusted: Record<string, string> = {};
    for (const name of Object.keys(defaults)) {
      if (!config.redactor.isSensitive(name)) untrusted[name] = defaults[name as keyof typeof defaults]!;
    }
    this.#trustedDefaults = Object.freeze(defaults);
    this.#untrustedDefaults = Object.freeze(untrusted);
    this.#maxRetries = config.retryStrategy?.maxRetries ?? 0;
    this.#handler = assembleChain(config, this.#trust, transportLink(this.#transport, config));
  }

  /** True after `close()`. */
  get closed(): boolean {
    return this.#closed;
  }

  #build(init: RequestInit): HttpRequest {
    if (init === null || typeof init !== 'object')
      throw new RequestBuildException('Request options must be an object');
    const method = typeof init.method === 'string' ? init.method.toUpperCase() : '';
    if (!isToken(method) || method === 'CONNECT') {
      throw new RequestBuildException('Invalid HTTP method', { context: { reason: 'method' } });
    }
    const target = this.#canonical(init.url, init.params);
    const trusted = this.#trust.isTrusted(target.origin);
    let headers = trusted ? this.#trustedDefaults : this.#untrustedDefaults;
    if (init.headers !== undefined) {
      if (init.headers === null || typeof init.headers !== 'object') {
        throw new RequestBuildException('headers must be an object');
      }
      const merged: Record<string, string> = { ...headers };
      for (const name of Object.keys(init.headers)) {
        if (init.headers[name] === undefined) delete merged[name.toLowerCase()];
      }
      headers = Object.assign(merged, normalizeHeaders(init.headers, 'request headers'));
    }
    const encoded = encodeBody(init);
    if (encoded.contentType !== undefined && headers['content-type'] === undefined) {
      headers = { ...headers, 'content-type': encoded.contentType };
    }
    if (!Object.isFrozen(headers)) Object.freeze(headers);
    const timeoutMs = init.timeoutMs;
    if (
      timeoutMs !== undefined &&
      (typeof timeoutMs !== 'number' || !Number.isFinite(timeoutMs) || timeoutMs <= 0)
    ) {
      throw new RequestBuildException('timeoutMs must be a positive number of milliseconds');
    }
    const signal = init.signal;
    if (signal !== undefined && (signal === null || typeof signal.addEventListener !== 'function')) {
      throw new RequestBuildException('signal must be an AbortSignal');
    }
    const followRedirects = init.followRedirects;
    if (followRedirects !== undefined && typeof followRedirects !== 'boolean') {
      throw new RequestBuildException('followRedirects must be a boolean');
    }
    if (followRedirects === true && !this.config.followRedirects) {
      throw new RequestBuildException(
        'followRedirects: true needs a client that follows redirects (withRedirects({ follow: true }))',
      );
    }
    return HttpRequest.trusted({
      method,
      url: target,
      headers,
      body: encoded.body,
      params: init.params,
      json: init.json,
      data: init.data,
      timeoutMs,
      signal,
      followRedirects,
      redactor: this.config.redactor,
      credentialsAllowed: trusted,
      base: this.config.base,
    });
  }

  #canonical(url: string, params: QueryParams | undefined): CanonicalUrl {
    if (params !== undefined || typeof url !== 'string')
      return buildRequestUrl(this.config.base, url, params);
    let target = this.#urls.get(url);
    if (target === undefined) {
      target = buildRequestUrl(this.config.base, url, undefined);
      if (this.#urls.size >= URL_CACHE_SIZE) this.#urls.clear();
      this.#urls.set(url, target);
    }
    return target;
  }

  #assertOpen(): void {
    if (this.#closed) throw new HttpClientException('Client is closed', {}, 'ERR_CLIENT_CLOSED');
  }

  async #execute(init: RequestInit, stream: boolean): Promise<HttpResponse> {
    this.#assertOpen();
    const request = this.#build(init);
    const context = new RequestContext(request, this.#maxRetries, stream);
    let response: HttpResponse;
    try {
      response = await this.#handler(request, context);
    } catch (error) {
      if (error instanceof HttpClientException && error.attempts === 0) error.attempts = context.sends;
      throw error;
    }
    if (this.config.raiseForStatus && response.statusCode >= 400) {
      response.discard();
      throw statusException(response, context.sends);
    }
    return response;
  }

  /**
   * Sends one request; resolves with the fully read response.
   * @throws {HttpClientException} a subclass naming what went wrong (never a raw undici error)
   */
  request(init: RequestInit): Promise<HttpResponse> {
    return this.#execute(init, false);
  }

  get(url: string, options?: RequestOptions): Promise<HttpResponse> {
    return this.#execute({ ...options, method: 'GET', url }, false);
  }

  head(url: string, options?: RequestOptions): Promise<HttpResponse> {
    return this.#execute({ ...options, method: 'HEAD', url }, false);
  }

  options(url: string, options?: RequestOptions): Promise<HttpResponse> {
    return this.#execute({ ...options, method: 'OPTIONS', url }, false);
  }

  delete(url: string, options?: RequestOptions): Promise<HttpResponse> {
    return this.#execute({ ...options, method: 'DELETE', url }, false);
  }

  post(url: string, options?: RequestOptions): Promise<HttpResponse> {
    return this.#execute({ ...options, method: 'POST', url }, false);
  }

  put(url: string, options?: RequestOptions): Promise<HttpResponse> {
    return this.#execute({ ...options, method: 'PUT', url }, false);
  }

  patch(url: string, options?: RequestOptions): Promise<HttpResponse> {
    return this.#execute({ ...options, method: 'PATCH', url }, false);
  }

  /**
   * Sends one request and resolves at the response headers; the body is a Node `Readable`
   * (not buffered, not limited by `maxResponseBytes`).
   * @example
   * ```ts
   * const { body } = await client.stream({ method: 'GET', url: '/export.csv' });
   * await pipeline(body, fs.createWriteStream('export.csv'));
   * ```
   */
  async stream(init: RequestInit): Promise<HttpStreamResponse> {
    const response = await this.#execute(init, true);
    const body = response.stream!;
    return {
      statusCode: response.statusCode,
      headers: response.headers,
      url: response.url,
      elapsedMs: response.elapsedMs,
      request: response.request,
      body,
    };
  }

  /**
   * Sends many requests with bounded concurrency; results come back in input order, each a
   * response or the error it failed with.
   * @example
   * ```ts
   * const results = await client.requestMany(ids.map((id) => ({ method: 'GET', url: `/users/${id}` })), { concurrency: 10 });
   * ```
   */
  requestMany(inits: Iterable<RequestInit>, options: RequestManyOptions = {}): Promise<RequestManyResult[]> {
    this.#assertOpen();
    return runMany([...inits], (init) => this.request(init), options);
  }

  /** Releases the connection pool. Later calls reject with `HttpClientException('Client is closed')`. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#transport.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  toJSON(): Record<string, unknown> {
    return { closed: this.#closed, config: this.config.toJSON() };
  }

  [INSPECT](): string {
    return `HttpClient ${JSON.stringify(this.toJSON(), null, 2)}`;
  }
}
