// Response decompression (Content-Encoding): which coding to undo, and a decoder that bounds what
// it produces. Only built for responses whose Content-Encoding names a coding we decode, so an
// identity response costs one header scan and nothing else.
import zlib from 'node:zlib';
import type { HttpClientException } from '../errors/http-client-exception';
import { ResponseParseException, ResponseTooLargeException } from '../errors/transport-errors';
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

/** The value of `content-encoding` in undici's raw header list (names and values alternate). */
export function rawContentEncoding(raw: ReadonlyArray<Buffer | string>): string | undefined {
  let value: string | undefined;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!;
    if (name.length !== 16) continue;
    if (name.toString().toLowerCase() !== 'content-encoding') continue;
    const part = raw[i + 1]!.toString();
    value = value === undefined ? part : `${value}, ${part}`;
  }
  return value;
}

/** The raw header list without the headers that describe the encoded body. */
export function withoutEncodingHeaders(raw: ReadonlyArray<Buffer | string>): Array<Buffer | string> {
  const out: Array<Buffer | string> = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!.toString().toLowerCase();
    if (name === 'content-encoding' || name === 'content-length') continue;
    out.push(raw[i]!, raw[i + 1]!);
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
 * Decodes one response body as it arrives, checking the decoded/received ratio on every output
 * chunk, so a bomb is stopped after about {@link RATIO_FLOOR_BYTES} of output instead of filling
 * memory. `write` returns false when the caller should pause the network until `onDrain`.
 */
export class BodyDecoder {
  #engine: zlib.Gunzip | zlib.Inflate | zlib.BrotliDecompress | undefined;
  #held: Buffer | undefined;
  #decoded = 0;
  #ended = false;
  #failed = false;

  constructor(
    private readonly coding: ContentCoding,
    private readonly limits: DecodeLimits,
    private readonly request: HttpRequest,
    private readonly sink: DecodeSink,
    private readonly onDrain: () => void,
  ) {}

  /** Feeds received bytes; false asks the caller to pause the network until `onDrain`. */
  write(chunk: Buffer): boolean {
    if (this.#failed) return false;
    let engine = this.#engine;
    if (engine === undefined) {
      // A raw/zlib deflate decision needs the first two bytes.
      const first = this.#held ? Buffer.concat([this.#held, chunk]) : chunk;
      if (this.coding === 'deflate' && first.length < 2) {
        this.#held = first;
        return true;
      }
      this.#held = undefined;
      engine = this.#start(first);
      return engine.write(first);
    }
    return engine.write(chunk);
  }

  /** No more input: finish decoding (an empty body decodes to an empty body). */
  end(): void {
    this.#ended = true;
    if (this.#failed) return;
    if (this.#engine === undefined && this.#held === undefined) {
      this.sink.onDecodedEnd();
      return;
    }
    if (this.#engine === undefined) this.#start(this.#held!).write(this.#held!);
    this.#engine!.end();
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

  #start(first: Buffer): zlib.Gunzip | zlib.Inflate | zlib.BrotliDecompress {
    const engine = createEngine(this.coding, first);
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
