// Response decompression (Content-Encoding): which coding to undo, and a decoder that bounds what
// it produces. Only built for responses whose Content-Encoding names a coding we decode, so an
// identity response costs one header scan and nothing else.
import zlib from 'node:zlib';
import type { HttpClientException } from '../errors/http-client-exception';
import { ResponseParseException, ResponseTooLargeException } from '../errors/transport-errors';
import { latin1 } from '../http/http-headers';
import type { HttpRequest } from '../http/request';

/** The codings we decode. `x-gzip` is `gzip` (RFC 9110 §8.4.1.3). */
export type ContentCoding = 'gzip' | 'deflate' | 'br';

/** What `Accept-Encoding` says by default when decompression is on. */
export const ACCEPT_ENCODING = 'gzip, deflate, br';

/**
 * The ratio limit is only checked once this much was decoded: a small, very compressible body
 * (a page of spaces) is no bomb, and the memory a bomb can take is bounded by this floor.
 */
export const RATIO_FLOOR_BYTES = 1024 * 1024;

const CODINGS: Readonly<Record<string, ContentCoding>> = {
  gzip: 'gzip',
  'x-gzip': 'gzip',
  deflate: 'deflate',
  br: 'br',
};

/**
 * The coding to undo for a `Content-Encoding` value: one known coding (identity entries
 * ignored). `undefined` for none, identity, an unknown coding or several stacked codings — those
 * bodies are handed out as received, with their `Content-Encoding` header.
 */
export function codingOf(value: string | undefined): ContentCoding | undefined {
  if (value === undefined) return undefined;
  let found: ContentCoding | undefined;
  for (const part of value.split(',')) {
    const name = part.trim().toLowerCase();
    if (name === '' || name === 'identity') continue;
    const coding = CODINGS[name];
    if (coding === undefined || found !== undefined) return undefined;
    found = coding;
  }
  return found;
}

/** The value of `content-encoding` in a flat header list (names and values alternate, names as received). */
export function contentEncodingOf(headers: ReadonlyArray<string | Buffer>): string | undefined {
  let value: string | undefined;
  for (let i = 0; i + 1 < headers.length; i += 2) {
    const name = headers[i]!;
    if (name.length !== 16 || latin1(name).toLowerCase() !== 'content-encoding') continue;
    const part = latin1(headers[i + 1]!);
    value = value === undefined ? part : `${value}, ${part}`;
  }
  return value;
}

/** The flat header list without the headers that describe the encoded body. */
export function withoutEncodingHeaders(headers: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i + 1 < headers.length; i += 2) {
    const name = headers[i]!.toLowerCase();
    if (name === 'content-encoding' || name === 'content-length') continue;
    out.push(headers[i]!, headers[i + 1]!);
  }
  return out;
}

/** RFC 1950 header check: "deflate" is meant zlib-wrapped, but servers send raw deflate too. */
function isZlibWrapped(first: Buffer): boolean {
  return first.length >= 2 && (first[0]! & 0x0f) === 8 && ((first[0]! << 8) | first[1]!) % 31 === 0;
}

function createEngine(
  coding: ContentCoding,
  first: Buffer,
): zlib.Gunzip | zlib.Inflate | zlib.BrotliDecompress {
  // Flush modes that tolerate a body cut exactly at a block boundary are not used: a truncated
  // body must be an error, not a silently shorter answer.
  if (coding === 'gzip') return zlib.createGunzip();
  if (coding === 'br') return zlib.createBrotliDecompress();
  return isZlibWrapped(first) ? zlib.createInflate() : zlib.createInflateRaw();
}

/** Where decoded bytes go. */
export interface DecodeSink {
  /** A decoded chunk; return false to pause the decoder until `resume()`. */
  onDecoded(chunk: Buffer): boolean;
  /** The whole body was decoded. */
  onDecodedEnd(): void;
  /** Decoding failed (corrupt body, ratio limit): the exchange must be torn down. */
  onDecodeError(error: HttpClientException): void;
}

/** Limits of one decoder. */
export interface DecodeLimits {
  /** The largest ratio of decoded to received bytes (past {@link RATIO_FLOOR_BYTES}). */
  readonly maxRatio: number;
}

/**
 * A buffered body this small is decoded in one synchronous call when it is complete: a zlib
 * stream costs several times the CPU of the decoding itself for a typical JSON answer.
 */
const SYNC_INPUT_BYTES = 16 * 1024;
/** ...as long as it decodes to at most this much (a bound on the time the event loop is held). */
const SYNC_OUTPUT_BYTES = 2 * 1024 * 1024;

function decodeSync(coding: ContentCoding, input: Buffer, maxOutputLength: number): Buffer {
  if (coding === 'gzip') return zlib.gunzipSync(input, { maxOutputLength });
  if (coding === 'br') return zlib.brotliDecompressSync(input, { maxOutputLength });
  return isZlibWrapped(input)
    ? zlib.inflateSync(input, { maxOutputLength })
    : zlib.inflateRawSync(input, { maxOutputLength });
}

/**
 * Decodes one response body as it arrives, checking the decoded/received ratio on every output
 * chunk, so a bomb is stopped after about {@link RATIO_FLOOR_BYTES} of output instead of filling
 * memory. `write` returns false when the caller should pause the network until `onDrain`.
 * A small buffered body is held until it is complete and decoded in one synchronous call.
 */
export class BodyDecoder {
  #engine: zlib.Gunzip | zlib.Inflate | zlib.BrotliDecompress | undefined;
  /** Input held before the engine starts (a small buffered body, or deflate's first byte). */
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  #decoded = 0;
  #ended = false;
  #failed = false;

  constructor(
    private readonly coding: ContentCoding,
    private readonly limits: DecodeLimits,
    private readonly request: HttpRequest,
    private readonly sink: DecodeSink,
    private readonly onDrain: () => void,
    /** The whole body is collected (not a `stream()` response): small ones may be decoded at once. */
    private readonly buffered: boolean,
  ) {}

  /** Feeds received bytes; false asks the caller to pause the network until `onDrain`. */
  write(chunk: Buffer): boolean {
    if (this.#failed) return false;
    if (this.#engine !== undefined) return this.#engine.write(chunk);
    const total = this.#pendingBytes + chunk.length;
    const hold = this.buffered ? total <= SYNC_INPUT_BYTES : this.coding === 'deflate' && total < 2;
    this.#pending.push(chunk);
    this.#pendingBytes = total;
    if (hold) return true;
    return this.#start().write(this.#takePending());
  }

  /** No more input: finish decoding (an empty body decodes to an empty body). */
  end(): void {
    this.#ended = true;
    if (this.#failed) return;
    if (this.#engine === undefined) {
      if (this.#pendingBytes === 0) {
        this.sink.onDecodedEnd();
        return;
      }
      if (this.buffered && this.#decodeNow()) return;
      this.#start().write(this.#takePending());
    }
    this.#engine!.end();
  }

  #takePending(): Buffer {
    const pending = this.#pending;
    this.#pending = [];
    this.#pendingBytes = 0;
    return pending.length === 1 ? pending[0]! : Buffer.concat(pending);
  }

  /** Decodes the held body synchronously; false when it decodes to too much for that (use the engine). */
  #decodeNow(): boolean {
    const input = this.#pending.length === 1 ? this.#pending[0]! : Buffer.concat(this.#pending);
    const ratioLimit = Math.max(RATIO_FLOOR_BYTES, this.limits.maxRatio * input.length);
    const cap = Math.min(ratioLimit, SYNC_OUTPUT_BYTES);
    let output: Buffer;
    try {
      output = decodeSync(this.coding, input, cap);
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'ERR_BUFFER_TOO_LARGE') {
        this.#fail(this.#corrupt(error as Error));
        return true;
      }
      if (cap < ratioLimit) return false;
      this.#decoded = cap + 1;
      this.#fail(this.#tooCompressed(input.length));
      return true;
    }
    this.#pending = [];
    this.#pendingBytes = 0;
    this.#decoded = output.length;
    if (output.length > 0 && !this.sink.onDecoded(output)) return true;
    if (!this.#failed) this.sink.onDecodedEnd();
    return true;
  }

  /** Lets a paused decoder produce again. */
  resume(): void {
    this.#engine?.resume();
  }

  /** Releases the engine (the exchange failed or the consumer went away). */
  destroy(): void {
    this.#failed = true;
    if (this.#engine && !this.#engine.destroyed) this.#engine.destroy();
  }

  #start(): zlib.Gunzip | zlib.Inflate | zlib.BrotliDecompress {
    const first = this.#pending[0]!;
    const engine = createEngine(this.coding, first.length >= 2 ? first : Buffer.concat(this.#pending));
    this.#engine = engine;
    engine.on('data', (chunk: Buffer) => this.#onData(engine, chunk));
    engine.on('end', () => {
      if (!this.#failed && this.#ended) this.sink.onDecodedEnd();
    });
    engine.on('error', (error: Error) => this.#fail(this.#corrupt(error)));
    engine.on('drain', this.onDrain);
    return engine;
  }

  #onData(engine: zlib.Gunzip | zlib.Inflate | zlib.BrotliDecompress, chunk: Buffer): void {
    if (this.#failed) return;
    this.#decoded += chunk.length;
    if (this.#decoded > RATIO_FLOOR_BYTES && this.#decoded > this.limits.maxRatio * engine.bytesWritten) {
      this.#fail(this.#tooCompressed(engine.bytesWritten));
      return;
    }
    if (!this.sink.onDecoded(chunk)) engine.pause();
  }

  #fail(error: HttpClientException): void {
    if (this.#failed) return;
    this.destroy();
    this.sink.onDecodeError(error);
  }

  #describe(): { where: string; context: Record<string, unknown> } {
    const { method, redactor, url } = this.request;
    return {
      where: `${method} ${redactor.url(url)}`,
      context: { method, url: redactor.url(url), encoding: this.coding },
    };
  }

  #corrupt(error: Error): ResponseParseException {
    const { where, context } = this.#describe();
    const code = (error as { code?: unknown }).code;
    return new ResponseParseException(`Response body of ${where} could not be decoded (${this.coding})`, {
      cause: error,
      context: {
        ...context,
        reason: 'content-encoding',
        ...(typeof code === 'string' ? { errorCode: code } : {}),
      },
    });
  }

  #tooCompressed(received: number): ResponseTooLargeException {
    const { where, context } = this.#describe();
    return new ResponseTooLargeException(
      `Response body of ${where} decodes to more than maxDecompressionRatio (${this.limits.maxRatio}) times its size`,
      {
        context: {
          ...context,
          maxDecompressionRatio: this.limits.maxRatio,
          receivedBytes: received,
          decodedBytes: this.#decoded,
        },
      },
    );
  }
}
