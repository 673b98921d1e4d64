import type { Readable } from 'node:stream';
import type { FormFields, RequestBody } from '../http/body';
import type { HttpHeaders } from '../http/http-headers';
import type { HttpRequest } from '../http/request';
import type { QueryParams } from '../http/url';

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
  /**
   * A `multipart/form-data` body from a `FormData` (the global one or undici's) with string,
   * `Blob` and `File` entries. Streamed part by part (file contents are never copied into one
   * buffer), sent with `Content-Length`, and replayable: retries and 401 replays send it again.
   * @example
   * ```ts
   * const form = new FormData();
   * form.append('description', 'Q3 report');
   * form.append('file', await fs.openAsBlob('report.pdf', { type: 'application/pdf' }), 'report.pdf');
   * await client.post('/uploads', { form });
   * ```
   */
  readonly form?: FormData;
  /**
   * A raw body: a string, bytes, or a stream (a Node `Readable`, a web `ReadableStream`, an
   * async iterable of bytes). Streams are sent as they are read, with `Content-Length` only when
   * you set that header, and are one-shot: a request with a stream body is never retried,
   * redirected with its body, or replayed after a 401 — the error or the 401 comes back.
   */
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
  /** The response status. */
  readonly statusCode: number;
  /** The response headers (case-insensitive `get(name)`). */
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
