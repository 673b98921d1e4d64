import { Readable } from 'node:stream';
import { Agent, type Dispatcher, ProxyAgent } from 'undici';
import type { HttpClientException } from '../errors/http-client-exception';
import {
  RequestAbortedException,
  ResponseTooLargeException,
  TimeoutException,
} from '../errors/transport-errors';
import { HttpHeaders } from '../http/http-headers';
import type { HttpRequest } from '../http/request';
import { HttpResponse } from '../http/response';
import { mapTransportError } from './error-mapping';
import { CLOSE_GRACE_MS, closePromptly, InFlight } from './in-flight';
import { UNINHERITED_AGENT_OPTIONS } from './own-options';
import type { SendOptions, Transport } from './transport';

/** TLS settings for the connection pool (client certificates for mTLS too). */
export interface TlsOptions {
  /** Extra trusted CA certificates (PEM). */
  readonly ca?: string | Buffer | ReadonlyArray<string | Buffer>;
  /** Client certificate chain (PEM) for mTLS. */
  readonly cert?: string | Buffer | ReadonlyArray<string | Buffer>;
  /** Client private key (PEM) for mTLS. */
  readonly key?: string | Buffer | ReadonlyArray<string | Buffer>;
  /** Verify the server certificate. @default true */
  readonly rejectUnauthorized?: boolean;
}

export interface UndiciTransportOptions {
  readonly connections: number;
  readonly connectTimeoutMs: number;
  readonly tls?: TlsOptions;
  readonly proxy?: string;
  /** A caller-owned dispatcher: used as is and never closed by us. */
  readonly dispatcher?: Dispatcher;
}

type RawHeaders = Buffer[];

/**
 * undici's legacy (v1) handler protocol: what its core calls natively, so no adapter sits in
 * between. Buffers the body with a size cap, or hands it out as a stream.
 */
class ResponseHandler {
  private abortFn: ((reason?: Error) => void) | null = null;
  private pendingAbort: Error | null = null;
  private settled = false;
  private statusCode = 0;
  private rawHeaders: RawHeaders | null = null;
  private chunks: Buffer[] = [];
  private size = 0;
  private timer: NodeJS.Timeout | undefined;
  private stream: Readable | null = null;
  private resumeFn: (() => void) | null = null;
  private readonly start = performance.now();
  private readonly onSignalAbort: (() => void) | undefined;

  constructor(
    private readonly request: HttpRequest,
    private readonly options: SendOptions,
    private readonly resolve: (response: HttpResponse) => void,
    private readonly reject: (error: HttpClientException) => void,
  ) {
    this.timer = setTimeout(() => this.fail(this.timeoutError()), options.timeoutMs);
    const signal = request.signal;
    if (signal) {
      this.onSignalAbort = () => this.fail(this.abortedError());
      signal.addEventListener('abort', this.onSignalAbort, { once: true });
    }
  }

  private timeoutError(): TimeoutException {
    const { method, redactor, url } = this.request;
    return new TimeoutException(
      `${method} ${redactor.url(url)} timed out after ${this.options.timeoutMs} ms`,
      {
        context: { method, url: redactor.url(url), timeoutMs: this.options.timeoutMs },
      },
    );
  }

  private abortedError(): RequestAbortedException {
    const { method, redactor, url, signal } = this.request;
    return new RequestAbortedException(`${method} ${redactor.url(url)} was aborted`, {
      cause: signal?.reason,
      context: { method, url: redactor.url(url) },
    });
  }

  private cleanup(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.onSignalAbort) this.request.signal?.removeEventListener('abort', this.onSignalAbort);
  }

  /** Settles with an error and tears the exchange down. */
  private fail(error: HttpClientException): void {
    if (this.stream) {
      this.cleanup();
      if (!this.stream.destroyed) this.stream.destroy(error);
    } else if (!this.settled) {
      this.settled = true;
      this.cleanup();
      this.reject(error);
    }
    if (this.abortFn) this.abortFn(error);
    else this.pendingAbort = error;
  }

  onConnect(abort: (reason?: Error) => void): void {
    if (this.pendingAbort) {
      abort(this.pendingAbort);
      return;
    }
    this.abortFn = abort;
  }

  onHeaders(statusCode: number, rawHeaders: RawHeaders, resume: () => void): boolean {
    if (statusCode < 200) return true;
    this.statusCode = statusCode;
    this.rawHeaders = rawHeaders;
    if (!this.options.stream) return true;
    this.resumeFn = resume;
    this.stream = new Readable({
      read: () => this.resumeFn?.(),
      destroy: (error, callback) => {
        if (!this.settled) this.abortFn?.(error ?? new Error('stream destroyed'));
        this.cleanup();
        callback(error);
      },
    });
    this.settled = true;
    // The deadline covered the wait for the headers; the body of a download may take longer.
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    this.resolve(this.buildResponse(undefined));
    return true;
  }

  onData(chunk: Buffer): boolean {
    if (this.stream) return this.stream.push(chunk);
    if (this.settled) return false;
    this.size += chunk.length;
    if (this.size > this.options.maxResponseBytes) {
      const { method, redactor, url } = this.request;
      this.fail(
        new ResponseTooLargeException(
          `Response body of ${method} ${redactor.url(url)} exceeds maxResponseBytes (${this.options.maxResponseBytes})`,
          { context: { method, url: redactor.url(url), maxResponseBytes: this.options.maxResponseBytes } },
        ),
      );
      return false;
    }
    this.chunks.push(chunk);
    return true;
  }

  onComplete(): void {
    if (this.stream) {
      this.cleanup();
      this.stream.push(null);
      return;
    }
    if (this.settled) return;
    this.settled = true;
    this.cleanup();
    const chunks = this.chunks;
    const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, this.size);
    this.resolve(this.buildResponse(body));
  }

  onError(error: Error): void {
    if (this.stream) {
      this.cleanup();
      if (!this.stream.destroyed)
        this.stream.destroy(mapTransportError(error, this.request, this.options.timeoutMs));
      return;
    }
    if (this.settled) return;
    this.settled = true;
    this.cleanup();
    this.reject(mapTransportError(error, this.request, this.options.timeoutMs));
  }

  private buildResponse(body: Buffer | undefined): HttpResponse {
    return new HttpResponse({
      statusCode: this.statusCode,
      headers: new HttpHeaders(this.rawHeaders ?? []),
      body,
      elapsedMs: performance.now() - this.start,
      url: this.request.url,
      request: this.request,
      stream: this.stream ?? undefined,
    });
  }
}

/** The transport on undici: a keep-alive `Agent` (or `ProxyAgent`), or the caller's dispatcher. */
export class UndiciTransport implements Transport {
  readonly #dispatcher: Dispatcher;
  readonly #owned: boolean;
  /** ProxyAgent (and maybe a caller's dispatcher) write into `headers`; ours are shared and frozen. */
  readonly #copyHeaders: boolean;
  readonly #inFlight = new InFlight();

  constructor(options: UndiciTransportOptions) {
    if (options.dispatcher) {
      this.#dispatcher = options.dispatcher;
      this.#owned = false;
      this.#copyHeaders = true;
      return;
    }
    const connect = {
      timeout: options.connectTimeoutMs,
      ...(options.tls ?? {}),
    } as Agent.Options['connect'];
    this.#dispatcher = options.proxy
      ? new ProxyAgent({
          ...UNINHERITED_AGENT_OPTIONS,
          uri: options.proxy,
          connections: options.connections,
          requestTls: connect as never,
        } as unknown as ProxyAgent.Options)
      : new Agent({
          ...UNINHERITED_AGENT_OPTIONS,
          connections: options.connections,
          connect,
        } as unknown as Agent.Options);
    this.#owned = true;
    this.#copyHeaders = options.proxy !== undefined;
  }

  send(request: HttpRequest, options: SendOptions): Promise<HttpResponse> {
    return new Promise<HttpResponse>((resolve, reject) => {
      if (request.signal?.aborted) {
        const { method, redactor, url, signal } = request;
        reject(
          new RequestAbortedException(`${method} ${redactor.url(url)} was aborted`, {
            cause: signal.reason,
            context: { method, url: redactor.url(url) },
          }),
        );
        return;
      }
      const inFlight = this.#inFlight;
      inFlight.start();
      const handler = new ResponseHandler(
        request,
        options,
        (response) => {
          inFlight.end(response.stream);
          resolve(response);
        },
        (error) => {
          inFlight.end();
          reject(error);
        },
      );
      this.#dispatcher.dispatch(
        {
          // Null prototype: undici reads options it was not given (`query`, `upgrade`, …), and
          // must not find them on a polluted Object.prototype.
          __proto__: null,
          origin: request.target.origin,
          path: request.target.path,
          method: request.method as Dispatcher.HttpMethod,
          headers: this.#copyHeaders ? { ...request.headers } : request.headers,
          body: request.body as Dispatcher.DispatchOptions['body'],
          // Our own timer enforces the deadline; undici's idle timers only back it up.
          headersTimeout: options.timeoutMs,
          bodyTimeout: options.timeoutMs,
        } as Dispatcher.DispatchOptions,
        handler as unknown as Dispatcher.DispatchHandler,
      );
    });
  }

  /**
   * Closes the pool promptly: requests in flight get a grace period ({@link CLOSE_GRACE_MS}),
   * then every connection is destroyed. A caller's dispatcher is left alone.
   */
  async close(): Promise<void> {
    if (this.#owned) await closePromptly(this.#dispatcher, this.#inFlight, CLOSE_GRACE_MS);
  }
}
