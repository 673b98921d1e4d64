import { Buffer } from 'node:buffer';
import type { Readable } from 'node:stream';
import { type Challenge, parseChallenges } from '../auth/challenges';
import { HttpClientException } from '../errors/http-client-exception';
import { ResponseParseException } from '../errors/transport-errors';
import { INSPECT } from '../observability/redact-constants';
import { requestSecrets, safeServerText } from '../observability/scrub';
import type { HttpHeaders } from './http-headers';
import type { HttpRequest } from './request';

const EMPTY = new Uint8Array(0);
const PREVIEW_CHARS = 120;

export interface HttpResponseInit {
  readonly statusCode: number;
  readonly headers: HttpHeaders;
  readonly body?: Uint8Array;
  readonly elapsedMs: number;
  readonly url: string;
  readonly request: HttpRequest;
  /** @internal the unread body of a streamed response */
  readonly stream?: Readable;
}

function charsetOf(contentType: string | undefined): string {
  if (!contentType) return 'utf-8';
  const match = /charset\s*=\s*"?([^";\s]+)/i.exec(contentType);
  return match ? match[1]!.toLowerCase() : 'utf-8';
}

/** UTF-8 text of the bytes: the transport's bodies are Buffers, decoded in place (no view, no copy). */
function utf8(bytes: Uint8Array): string {
  // toString() without arguments is Buffer's UTF-8 fast path (no encoding lookup).
  return bytes instanceof Buffer
    ? bytes.toString()
    : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString();
}

function decode(bytes: Uint8Array, charset: string): string {
  if (charset === 'utf-8' || charset === 'utf8') return utf8(bytes);
  try {
    return new TextDecoder(charset).decode(bytes);
  } catch {
    return utf8(bytes);
  }
}

/**
 * A complete HTTP response: the body is already read (within `maxResponseBytes`), so `json()`
 * and `text` are synchronous.
 *
 * @example
 * ```ts
 * const response = await client.get('/users/1');
 * if (response.isSuccess) console.log(response.json<{ id: number }>().id);
 * ```
 */
export class HttpResponse {
  /** HTTP status code. */
  readonly statusCode: number;
  /** Case-insensitive response headers. */
  readonly headers: HttpHeaders;
  /** The raw body bytes (empty for `stream()` responses and HEAD). */
  readonly body: Uint8Array;
  /** Time from sending to the last body byte, in milliseconds. */
  readonly elapsedMs: number;
  /** The final URL (after redirects). */
  readonly url: string;
  /** The request as sent (secrets redacted when printed). */
  readonly request: HttpRequest;
  /** @internal */
  readonly stream: Readable | undefined;
  #text: string | undefined;
  #challenges: readonly Challenge[] | undefined;

  constructor(init: HttpResponseInit) {
    this.statusCode = init.statusCode;
    this.headers = init.headers;
    this.body = init.body ?? EMPTY;
    this.elapsedMs = init.elapsedMs;
    this.url = init.url;
    this.request = init.request;
    this.stream = init.stream;
    if (new.target === HttpResponse) Object.freeze(this);
  }

  /** The body decoded with the charset of `content-type` (UTF-8 by default). */
  get text(): string {
    if (this.#text === undefined) this.#text = decode(this.body, charsetOf(this.headers.get('content-type')));
    return this.#text;
  }

  /**
   * The body parsed as JSON.
   * @throws {ResponseParseException} when the body is empty or not JSON (with a short preview: credentials redacted, the secrets the request carried scrubbed).
   */
  json<T = unknown>(): T {
    // JSON is UTF-8 (RFC 8259 §8.1): no charset lookup, no header parsing on the hot path.
    const text = this.#text ?? utf8(this.body);
    try {
      if (text.length === 0) throw new SyntaxError('empty body');
      return JSON.parse(text) as T;
    } catch (error) {
      const { request } = this;
      const preview = safeServerText(text, PREVIEW_CHARS, requestSecrets(request), request.redactor).replace(
        /[^\x20-\x7e]/g,
        '?',
      );
      throw new ResponseParseException(
        `Response body of ${this.request.method} ${this.request.redactor.url(this.url)} is not valid JSON (status ${this.statusCode})`,
        { cause: error, context: { statusCode: this.statusCode, preview } },
      );
    }
  }

  /** The body parsed as JSON, or `null` when it is empty or not JSON. */
  jsonOrNull<T = unknown>(): T | null {
    try {
      return this.json<T>();
    } catch {
      return null;
    }
  }

  /**
   * The authentication challenges of the `WWW-Authenticate` header(s) (RFC 9110 §11.6.1), parsed
   * once: several challenges, quoted strings and commas inside them, token68. Empty without the header.
   * @example
   * ```ts
   * const [bearer] = response.challenges(); // WWW-Authenticate: Bearer error="insufficient_scope", scope="admin"
   * bearer?.params.error; // 'insufficient_scope'
   * ```
   */
  challenges(): readonly Challenge[] {
    this.#challenges ??= Object.freeze(parseChallenges(this.headers.getAll('www-authenticate')));
    return this.#challenges;
  }

  /** 2xx */
  get isSuccess(): boolean {
    return this.statusCode >= 200 && this.statusCode < 300;
  }

  /** 4xx */
  get isClientError(): boolean {
    return this.statusCode >= 400 && this.statusCode < 500;
  }

  /** 5xx */
  get isServerError(): boolean {
    return this.statusCode >= 500 && this.statusCode < 600;
  }

  /** 3xx with a `location` header. */
  get isRedirect(): boolean {
    return this.statusCode >= 300 && this.statusCode < 400 && this.headers.has('location');
  }

  /**
   * Returns `this` for 1xx–3xx, throws the matching `HttpStatusException` subclass otherwise.
   * @example
   * ```ts
   * const user = (await client.get('/users/1')).raiseForStatus().json();
   * ```
   */
  raiseForStatus(attempts?: number): this {
    if (this.statusCode < 400) return this;
    throw statusException(this, attempts);
  }

  /** @internal Releases an unread streamed body. */
  discard(): void {
    if (this.stream && !this.stream.destroyed) this.stream.destroy();
  }

  /** A secret-free description for logs. */
  toJSON(): Record<string, unknown> {
    return {
      statusCode: this.statusCode,
      url: this.request.redactor.url(this.url),
      elapsedMs: this.elapsedMs,
      headers: this.headers.toJSON(),
      bodyBytes: this.body.byteLength,
      request: this.request.toJSON(),
    };
  }

  /** A one-line, secret-free description. */
  toString(): string {
    return `HttpResponse ${this.statusCode} ${this.request.method} ${this.request.redactor.url(this.url)}`;
  }

  /** What `util.inspect` prints: the secret-free description. */
  [INSPECT](): string {
    return `HttpResponse ${JSON.stringify(this.toJSON(), null, 2)}`;
  }
}

/**
 * A non-2xx response, thrown by `raiseForStatus()` or when `withRaiseForStatus()` is on.
 *
 * @example
 * ```ts
 * try {
 *   await client.get('/missing');
 * } catch (e) {
 *   if (e instanceof NotFoundException) console.log(e.statusCode, e.response.text);
 * }
 * ```
 */
export class HttpStatusException extends HttpClientException {
  /** The HTTP status code. */
  readonly statusCode: number;
  /** The full response (its body is readable; its request prints redacted). */
  declare readonly response: HttpResponse;

  constructor(response: HttpResponse, attempts?: number, message?: string) {
    super(
      message ??
        `HTTP ${response.statusCode} for ${response.request.method} ${response.request.redactor.url(response.url)}`,
      {
        context: {
          method: response.request.method,
          url: response.request.redactor.url(response.url),
          statusCode: response.statusCode,
        },
        attempts: attempts ?? 0,
      },
      'ERR_HTTP_STATUS',
    );
    this.statusCode = response.statusCode;
    // Non-enumerable: JSON.stringify(error) stays small and the body is never dumped by accident.
    Object.defineProperty(this, 'response', { value: response, enumerable: false });
  }

  /** A secret-free description, for logs and `JSON.stringify`. */
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), statusCode: this.statusCode };
  }
}

/** 400 */
export class BadRequestException extends HttpStatusException {}
/** 401 */
export class UnauthorizedException extends HttpStatusException {}
/** 403 */
export class ForbiddenException extends HttpStatusException {}
/** 404 */
export class NotFoundException extends HttpStatusException {}
/** Any 5xx */
export class ServerErrorException extends HttpStatusException {}

/** The most specific status exception for a response. */
export function statusException(response: HttpResponse, attempts?: number): HttpStatusException {
  switch (response.statusCode) {
    case 400:
      return new BadRequestException(response, attempts);
    case 401:
      return new UnauthorizedException(response, attempts);
    case 403:
      return new ForbiddenException(response, attempts);
    case 404:
      return new NotFoundException(response, attempts);
    default:
      return response.statusCode >= 500
        ? new ServerErrorException(response, attempts)
        : new HttpStatusException(response, attempts);
  }
}
