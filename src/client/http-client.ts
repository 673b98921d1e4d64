import { HttpClientConfig } from '../config/http-client-config';
import { HttpClientConfigBuilder } from '../config/http-client-config-builder';
import { HttpClientException } from '../errors/http-client-exception';
import type { HttpResponse } from '../http/response';
import { statusException } from '../http/response';
import type { Handler } from '../middleware/chain';
import { RequestContext } from '../middleware/context';
import { OriginTrust } from '../middleware/origin-trust';
import { INSPECT } from '../observability/redact-constants';
import type { Transport } from '../transport/transport';
import { UndiciTransport } from '../transport/undici-transport';
import { assembleChain } from './assemble';
import { RequestFactory } from './request-factory';
import { type RequestManyOptions, type RequestManyResult, runMany } from './request-many';
import type { HttpStreamResponse, RequestInit, RequestOptions } from './request-options';
import { transportLink } from './transport-link';

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
  readonly #requests: RequestFactory;
  readonly #maxRetries: number;
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
    const trust = new OriginTrust(config.trustedOrigins);
    this.#requests = new RequestFactory(config, trust);
    this.#maxRetries = config.retryStrategy?.maxRetries ?? 0;
    this.#handler = assembleChain(config, trust, transportLink(this.#transport, config));
    config.authHook?.retain?.();
  }

  /** True after `close()`. */
  get closed(): boolean {
    return this.#closed;
  }

  #assertOpen(): void {
    if (this.#closed) throw new HttpClientException('Client is closed', {}, 'ERR_CLIENT_CLOSED');
  }

  async #execute(
    init: RequestInit | RequestOptions | undefined,
    stream: boolean,
    method?: string,
    url?: string,
  ): Promise<HttpResponse> {
    this.#assertOpen();
    const request = this.#requests.build(init as RequestInit | undefined, method, url);
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
    return this.#execute(options, false, 'GET', url);
  }

  head(url: string, options?: RequestOptions): Promise<HttpResponse> {
    return this.#execute(options, false, 'HEAD', url);
  }

  options(url: string, options?: RequestOptions): Promise<HttpResponse> {
    return this.#execute(options, false, 'OPTIONS', url);
  }

  delete(url: string, options?: RequestOptions): Promise<HttpResponse> {
    return this.#execute(options, false, 'DELETE', url);
  }

  post(url: string, options?: RequestOptions): Promise<HttpResponse> {
    return this.#execute(options, false, 'POST', url);
  }

  put(url: string, options?: RequestOptions): Promise<HttpResponse> {
    return this.#execute(options, false, 'PUT', url);
  }

  patch(url: string, options?: RequestOptions): Promise<HttpResponse> {
    return this.#execute(options, false, 'PATCH', url);
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

  /**
   * Releases the connection pool: requests in flight get a short grace period (1 s), then their
   * connections are destroyed, so it always completes promptly. Also releases the token manager
   * this client uses through `withTokenAuth`: when the last client using it closes, the manager
   * closes its provider's connections (unless another manager shares the provider). Later calls
   * reject with `HttpClientException('Client is closed')`.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all([this.#transport.close(), this.config.authHook?.release?.()]);
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
