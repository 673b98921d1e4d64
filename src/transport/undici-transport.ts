import { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import type { HttpClientException } from '../errors/http-client-exception';
import {
  RequestAbortedException,
  ResponseTooLargeException,
  TimeoutException,
} from '../errors/transport-errors';
import { HttpHeaders } from '../http/http-headers';
import type { HttpRequest } from '../http/request';
import { HttpResponse } from '../http/response';
import {
  BodyDecoder,
  codingOf,
  type DecodeLimits,
  type DecodeSink,
  rawContentEncoding,
  withoutEncodingHeaders,
} from './decode';
import { createAgent, createProxyAgent, EnvProxyDispatcher } from './dispatchers';
import { mapTransportError } from './error-mapping';
import { CLOSE_GRACE_MS, closePromptly, InFlight } from './in-flight';
import type { ProxyEnvironment } from './proxy-from-env';
import type { SendOptions, Transport } from './transport';

/** TLS settings for the connection pool (client certificates for mTLS too). */
export interface TlsOptions {
  /** Extra trusted CA certificates (PEM). */
  readonly ca?: string | Buffer | ReadonlyArray<string | Buffer>;
  /** Client certificate chain (PEM) for mTLS. */
  readonly cert?: string | Buffer | ReadonlyArray<string | Buffer>;
  /** Client private key (PEM) for mTLS. */
  readonly key?: string | Buffer | ReadonlyArray<string | Buffer>;
  /** The passphrase of an encrypted `key`. */
  readonly passphrase?: string;
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
  /** Decode `Content-Encoding` bodies within these limits; `undefined`: hand bodies out as received. */
  readonly decompression?: DecodeLimits;
  /** Offer HTTP/2 (ALPN) and multiplex h2 origins over one session. */
  readonly http2?: boolean;
  /** Proxies from the environment, per origin (ignored with `proxy`). */
  readonly proxyFromEnv?: ProxyEnvironment;
}

type RawHeaders = Array<Buffer | string>;

/**
 * undici's legacy (v1) handler protocol: what its core calls natively, so no adapter sits in
 * between. Buffers the body with a size cap, or hands it out as a stream.
 */
class ResponseHandler implements DecodeSink {
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
  /** Only for a body whose Content-Encoding we decode. */
  private decoder: BodyDecoder | null = null;
  private readonly start = performance.now();
  private readonly onSignalAbort: (() => void) | undefined;

  constructor(
    private readonly request: HttpRequest,
    private readonly options: SendOptions,
    private readonly resolve: (response: HttpResponse) => void,
    private readonly reject: (error: HttpClientException) => void,
    private readonly decompression: DecodeLimits | undefined,
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
    this.decoder?.destroy();
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
    if (this.decompression !== undefined) this.startDecoding(rawHeaders);
    if (!this.options.stream) return true;
    this.resumeFn = resume;
    this.stream = new Readable({
      read: () => {
        this.resumeFn?.();
        this.decoder?.resume();
      },
      destroy: (error, callback) => {
        if (!this.settled) this.abortFn?.(error ?? new Error('stream destroyed'));
        this.decoder?.destroy();
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

  /** Arms a decoder when Content-Encoding names a coding we decode and a body can follow. */
  private startDecoding(rawHeaders: RawHeaders): void {
    const { statusCode } = this;
    if (statusCode === 204 || statusCode === 304 || this.request.method === 'HEAD') return;
    const coding = codingOf(rawContentEncoding(rawHeaders));
    if (coding === undefined) return;
    this.decoder = new BodyDecoder(
      coding,
      this.decompression!,
      this.request,
      this,
      () => this.resumeFn?.(),
      !this.options.stream,
    );
    // The headers now describe the body the caller gets: no encoding, length unknown.
    this.rawHeaders = withoutEncodingHeaders(rawHeaders);
  }

  onData(chunk: Buffer): boolean {
    if (this.decoder) {
      if (this.settled && !this.stream) return false;
      const more = this.decoder.write(chunk);
      return this.stream ? more : true;
    }
    return this.onDecoded(chunk);
  }

  /** A chunk of the body as the caller gets it (decoded, or as received). */
  onDecoded(chunk: Buffer): boolean {
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
    if (this.decoder) {
      this.decoder.end();
      return;
    }
    this.onDecodedEnd();
  }

  /** The body is complete (decoded, or as received). */
  onDecodedEnd(): void {
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

  onDecodeError(error: HttpClientException): void {
    this.fail(error);
  }

  onError(error: Error): void {
    this.decoder?.destroy();
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
      headers: new HttpHeaders((this.rawHeaders ?? []) as Buffer[]),
      body,
      elapsedMs: performance.now() - this.start,
      url: this.request.url,
      request: this.request,
      stream: this.stream ?? undefined,
    });
  }
}

/**
 * The transport on undici: a keep-alive `Agent` (HTTP/2-capable with `http2`), a `ProxyAgent`, a
 * per-origin choice from the proxy environment, or the caller's dispatcher.
 */
export class UndiciTransport implements Transport {
  readonly #dispatcher: Dispatcher;
  readonly #owned: boolean;
  /** Proxies (and maybe a caller's dispatcher) write into `headers`; ours are shared and frozen. */
  readonly #copyHeaders: boolean;
  readonly #inFlight = new InFlight();
  readonly #decompression: DecodeLimits | undefined;

  constructor(options: UndiciTransportOptions) {
    this.#decompression = options.decompression;
    if (options.dispatcher) {
      this.#dispatcher = options.dispatcher;
      this.#owned = false;
      this.#copyHeaders = true;
      return;
    }
    const settings = {
      connections: options.connections,
      connect: { timeout: options.connectTimeoutMs, ...(options.tls ?? {}) },
      http2: options.http2 === true,
    };
    if (options.proxy) this.#dispatcher = createProxyAgent(options.proxy, settings);
    else if (options.proxyFromEnv) this.#dispatcher = new EnvProxyDispatcher(options.proxyFromEnv, settings);
    else this.#dispatcher = createAgent(settings);
    this.#owned = true;
    this.#copyHeaders = options.proxy !== undefined || options.proxyFromEnv !== undefined;
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
        this.#decompression,
      );
      try {
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
      } catch (error) {
        // A dispatcher that refuses synchronously (e.g. ProxyAgent and a Proxy-Authorization header).
        handler.onError(error as Error);
      }
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
