import type { Dispatcher } from 'undici';
import type { HttpRequest } from '../http/request';
import type { HttpResponse } from '../http/response';
import type { DecodeLimits } from './decode';
import { createAgent, createProxyAgent, EnvProxyDispatcher } from './dispatchers';
import { CLOSE_GRACE_MS, closePromptly, InFlight } from './in-flight';
import type { ProxyEnvironment } from './proxy-from-env';
import { abortedError, ResponseHandler } from './response-handler';
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

/**
 * undici's options for one request. The prototype has no prototype: undici reads options it
 * was not given (`query`, `upgrade`, …) and must not find them on a polluted Object.prototype.
 * A class rather than a `__proto__: null` literal: such literals are dictionary objects, several
 * times slower to make and to read.
 */
class DispatchOptions {
  readonly origin: string;
  readonly path: string;
  readonly method: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: unknown;
  /**
   * 0: no undici timer while the in-flight sweep holds the deadline (the whole exchange of a
   * buffered response, the wait for a stream's headers). undici would otherwise make and clear a
   * timer per request (~0.5 µs). A streamed body has no deadline: undici's idle timer between
   * chunks (`bodyTimeout`) stops a stalled download.
   */
  readonly headersTimeout: number;
  readonly bodyTimeout: number;

  constructor(request: HttpRequest, headers: Readonly<Record<string, string>>, options: SendOptions) {
    this.origin = request.target.origin;
    this.path = request.target.path;
    this.method = request.method;
    this.headers = headers;
    this.body = request.body;
    this.headersTimeout = 0;
    this.bodyTimeout = options.stream ? options.timeoutMs : 0;
  }
}
Object.setPrototypeOf(DispatchOptions.prototype, null);

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
        reject(abortedError(request));
        return;
      }
      const handler = new ResponseHandler(
        request,
        options,
        resolve,
        reject,
        this.#decompression,
        this.#inFlight,
      );
      try {
        this.#dispatcher.dispatch(
          new DispatchOptions(
            request,
            this.#copyHeaders ? { ...request.headers } : request.headers,
            options,
          ) as unknown as Dispatcher.DispatchOptions,
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
