import { Buffer } from 'node:buffer';
import { performance } from 'node:perf_hooks';
import { Readable } from 'node:stream';
import type { HttpClientException } from '../errors/http-client-exception';
import {
  RequestAbortedException,
  ResponseTooLargeException,
  TimeoutException,
} from '../errors/transport-errors';
import { HttpHeaders, headerBlock, headerLines, headerStrings } from '../http/http-headers';
import type { HttpRequest } from '../http/request';
import { HttpResponse } from '../http/response';
import {
  BodyDecoder,
  codingOf,
  contentEncodingOf,
  type DecodeLimits,
  type DecodeSink,
  withoutEncodingHeaders,
} from './decode';
import { mapTransportError } from './error-mapping';
import { closedInFlight, type InFlight, type TimedExchange } from './in-flight';
import type { SendOptions } from './transport';

type RawHeaders = Array<Buffer | string>;
const NO_HEADERS: readonly string[] = Object.freeze([]);

/** The exception of a request whose signal fired. */
export function abortedError(request: HttpRequest): RequestAbortedException {
  const { method, redactor, url, signal } = request;
  return new RequestAbortedException(`${method} ${redactor.url(url)} was aborted`, {
    cause: signal?.reason,
    context: { method, url: redactor.url(url) },
  });
}

/**
 * One exchange in undici's legacy (v1) handler protocol: what its core calls natively, so no
 * adapter sits in between. Buffers the body with a size cap, or hands it out as a stream.
 * Settles its promise itself and tells the transport's {@link InFlight} when it ends, which also
 * holds its deadline: no timer and no closure per request. One clock read at the start serves
 * the deadline and `elapsedMs`.
 */
export class ResponseHandler implements DecodeSink, TimedExchange {
  deadline: number;
  inFlightSlot = -1;
  private abortFn: ((reason?: Error) => void) | null = null;
  private pendingAbort: Error | null = null;
  private settled = false;
  private statusCode = 0;
  /**
   * The response headers as strings (undici's raw buffers are views into socket reads): the
   * head's lines in one string (the usual case), else names and values.
   */
  private headerText: string | undefined = undefined;
  private headers: readonly string[] = NO_HEADERS;
  /** The first chunk of a buffered body; `chunks` only from a second one on (most bodies come in one). */
  private firstChunk: Buffer | null = null;
  private chunks: Buffer[] | null = null;
  private size = 0;
  private stream: Readable | null = null;
  private resumeFn: (() => void) | null = null;
  /** Only for a body whose Content-Encoding we decode. */
  private decoder: BodyDecoder | null = null;
  private readonly start: number;
  private readonly onSignalAbort: (() => void) | null = null;

  constructor(
    private readonly request: HttpRequest,
    private readonly options: SendOptions,
    private readonly resolve: (response: HttpResponse) => void,
    private readonly reject: (error: HttpClientException) => void,
    private readonly decompression: DecodeLimits | undefined,
    private readonly inFlight: InFlight,
  ) {
    this.start = performance.now();
    this.deadline = this.start + options.timeoutMs;
    inFlight.start(this, options.timeoutMs);
    const signal = request.signal;
    if (signal) {
      this.onSignalAbort = () => this.fail(abortedError(this.request));
      signal.addEventListener('abort', this.onSignalAbort, { once: true });
    }
  }

  /** The deadline passed (the transport's sweep). */
  expire(): void {
    const { method, redactor, url } = this.request;
    const { timeoutMs } = this.options;
    this.fail(
      new TimeoutException(`${method} ${redactor.url(url)} timed out after ${timeoutMs} ms`, {
        context: { method, url: redactor.url(url), timeoutMs },
      }),
    );
  }

  /** The exchange is over for the transport: no deadline, no abort listener, not in flight. */
  private cleanup(): void {
    this.inFlight.end(this);
    this.detachSignal();
  }

  private detachSignal(): void {
    if (this.onSignalAbort !== null) this.request.signal?.removeEventListener('abort', this.onSignalAbort);
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
    this.headerText = headerBlock(rawHeaders);
    if (this.headerText === undefined) this.headers = headerStrings(rawHeaders);
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
    this.deadline = Number.POSITIVE_INFINITY;
    this.resolve(this.buildResponse(undefined));
    return true;
  }

  /** Arms a decoder when Content-Encoding names a coding we decode and a body can follow. */
  private startDecoding(rawHeaders: RawHeaders): void {
    const { statusCode } = this;
    if (statusCode === 204 || statusCode === 304 || this.request.method === 'HEAD') return;
    const coding = codingOf(contentEncodingOf(rawHeaders));
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
    const received = this.headerText === undefined ? this.headers : headerLines(this.headerText);
    this.headers = withoutEncodingHeaders(received);
    this.headerText = undefined;
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
    if (this.firstChunk === null) this.firstChunk = chunk;
    else if (this.chunks === null) this.chunks = [this.firstChunk, chunk];
    else this.chunks.push(chunk);
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
      // Fully received: an abort no longer concerns it; it stays in flight until its stream closes.
      this.detachSignal();
      this.stream.push(null);
      return;
    }
    if (this.settled) return;
    this.settled = true;
    this.cleanup();
    const body =
      this.chunks !== null ? Buffer.concat(this.chunks, this.size) : (this.firstChunk ?? Buffer.alloc(0));
    this.resolve(this.buildResponse(body));
  }

  onDecodeError(error: HttpClientException): void {
    this.fail(error);
  }

  onError(error: Error): void {
    this.decoder?.destroy();
    if (this.stream) {
      this.cleanup();
      if (!this.stream.destroyed) this.stream.destroy(this.mapError(error));
      return;
    }
    if (this.settled) return;
    this.settled = true;
    this.cleanup();
    this.reject(this.mapError(error));
  }

  private mapError(error: Error): HttpClientException {
    return this.inFlight.closing
      ? closedInFlight()
      : mapTransportError(error, this.request, this.options.timeoutMs);
  }

  private buildResponse(body: Buffer | undefined): HttpResponse {
    return new HttpResponse({
      statusCode: this.statusCode,
      headers:
        this.headerText === undefined
          ? HttpHeaders.fromList(this.headers)
          : HttpHeaders.fromBlock(this.headerText),
      body,
      elapsedMs: performance.now() - this.start,
      url: this.request.url,
      request: this.request,
      stream: this.stream ?? undefined,
    });
  }
}
