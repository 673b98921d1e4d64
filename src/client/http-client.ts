import { HttpClientConfig } from '../config/http-client-config';
import { HttpClientConfigBuilder } from '../config/http-client-config-builder';
import { HttpClientException } from '../errors/http-client-exception';
import type { HttpRequest } from '../http/request';
import type { HttpResponse } from '../http/response';
import { statusException } from '../http/response';
import type { Handler } from '../middleware/chain';
import { RequestContext } from '../middleware/context';
import { OriginTrust } from '../middleware/origin-trust';
import { callObserved, observeCall } from '../observability/call-events';
import { INSPECT } from '../observability/redact-constants';
import type { Transport } from '../transport/transport';
import { UndiciTransport } from '../transport/undici-transport';
import { assembleCall, assembleChain, type CallEnd } from './assemble';
import { RequestFactory } from './request-factory';
import { type RequestManyOptions, type RequestManyResult, runMany } from './request-many';
import type { HttpStreamResponse, RequestInit, RequestOptions } from './request-options';
import { transportLink } from './transport-link';

/** `withRaiseForStatus`: a 4xx/5xx final response is thrown as its status exception. */
function raiseForStatus(response: HttpResponse, context: RequestContext): HttpResponse {
  if (response.statusCode < 400) return response;
  response.discard();
  throw statusException(response, context.sends);
}

/** A failed call's error, completed with how many sends it took (when it did not say). */
function withAttempts(error: unknown, context: RequestContext): unknown {
  if (error instanceof HttpClientException && error.attempts === 0) error.attempts = context.sends;
  return error;
}

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
  /** The chain as composed, for observed calls (their events see the response before `#end`). */
  readonly #handler: Handler;
  /** The chain ended by `#end`, with the fewest continuations: unobserved calls. */
  readonly #call: Handler;
  readonly #end: CallEnd;
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
      decompression: config.decompression ? { maxRatio: config.maxDecompressionRatio } : undefined,
      http2: config.http2,
      proxyFromEnv: config.proxyFromEnv,
    });
    const trust = new OriginTrust(config.trustedOrigins);
    this.#requests = new RequestFactory(config, trust);
    this.#maxRetries = config.retryStrategy?.maxRetries ?? 0;
    const link = transportLink(this.#transport, config);
    this.#end = {
      ok: config.raiseForStatus ? raiseForStatus : (response) => response,
      failed: (error, context) => {
        throw withAttempts(error, context);
      },
    };
    this.#handler = assembleChain(config, trust, link);
    this.#call = assembleCall(config, trust, link, this.#end);
    config.authHook?.retain?.();
  }

  /** True after `close()`. */
  get closed(): boolean {
    return this.#closed;
  }

  #assertOpen(): void {
    if (this.#closed) throw new HttpClientException('Client is closed', {}, 'ERR_CLIENT_CLOSED');
  }

  /**
   * One call: the request built, then the chain. Not an async function: a plain call costs the
   * send's promise and one continuation (`assembleCall`); failures, also synchronous ones, come
   * back as rejections.
   */
  #execute(
    init: RequestInit | RequestOptions | undefined,
    stream: boolean,
    method?: string,
    url?: string,
  ): Promise<HttpResponse> {
    let request: HttpRequest;
    try {
      this.#assertOpen();
      request = this.#requests.build(init as RequestInit | undefined, method, url);
    } catch (error) {
      return Promise.reject(error);
    }
    const context = new RequestContext(request, this.#maxRetries, stream, this.config.authHook);
    if (!callObserved()) return this.#call(request, context);
    const end = this.#end;
    try {
      return observeCall(this.#handler, request, context).then(
        (response) => end.ok(response, context),
        (error: unknown) => end.failed(error, context),
      );
    } catch (error) {
      return Promise.reject(withAttempts(error, context));
    }
  }

  /**
   * Sends one request; resolves with the fully read response.
   * @throws {HttpClientException} a subclass naming what went wrong (never a raw undici error)
   */
  request(init: RequestInit): Promise<HttpResponse> {
    return this.#execute(init, false);
  }

  /** Sends a GET; resolves with the fully read response (a 4xx/5xx is a response, unless `withRaiseForStatus`). */
  get(url: string, options?: RequestOptions): Promise<HttpResponse> {
    return this.#execute(options, false, 'GET', url);
  }

  /** Sends a HEAD; resolves with the response (no body). */
  head(url: string, options?: RequestOptions): Promise<HttpResponse> {
    return this.#execute(options, false, 'HEAD', url);
  }

  /** Sends an OPTIONS request; resolves with the fully read response. */
  options(url: string, options?: RequestOptions): Promise<HttpResponse> {
    return this.#execute(options, false, 'OPTIONS', url);
  }

  /** Sends a DELETE; resolves with the fully read response. */
  delete(url: string, options?: RequestOptions): Promise<HttpResponse> {
    return this.#execute(options, false, 'DELETE', url);
  }

  /** Sends a POST (`json`, `data` or `body` in the options); resolves with the fully read response. POST is not retried unless `retryMethods` says so. */
  post(url: string, options?: RequestOptions): Promise<HttpResponse> {
    return this.#execute(options, false, 'POST', url);
  }

  /** Sends a PUT (`json`, `data` or `body` in the options); resolves with the fully read response. */
  put(url: string, options?: RequestOptions): Promise<HttpResponse> {
    return this.#execute(options, false, 'PUT', url);
  }

  /** Sends a PATCH (`json`, `data` or `body` in the options); resolves with the fully read response. */
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

  /** Closes the client, for `await using client = new HttpClient(…)`. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /** A secret-free description, for logs and `JSON.stringify`. */
  toJSON(): Record<string, unknown> {
    return { closed: this.#closed, config: this.config.toJSON() };
  }

  /** What `util.inspect` prints: the secret-free description. */
  [INSPECT](): string {
    return `HttpClient ${JSON.stringify(this.toJSON(), null, 2)}`;
  }
}
