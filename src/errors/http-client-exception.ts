/** Stable, machine-readable error codes. They never change between minor versions. */
export type ErrorCode =
  | 'ERR_HTTP_CLIENT'
  | 'ERR_CLIENT_CLOSED'
  | 'ERR_TIMEOUT'
  | 'ERR_CONNECTION'
  | 'ERR_TLS'
  | 'ERR_ABORTED'
  | 'ERR_RESPONSE_PARSE'
  | 'ERR_RESPONSE_TOO_LARGE'
  | 'ERR_REQUEST_BUILD'
  | 'ERR_TOO_MANY_REDIRECTS'
  | 'ERR_CIRCUIT_OPEN'
  | 'ERR_AUTHENTICATION'
  | 'ERR_TOKEN_REFRESH'
  | 'ERR_TOKEN_ENDPOINT_THROTTLED'
  | 'ERR_HTTP_STATUS';

/** Secret-free facts about the request an error belongs to. */
export interface ErrorContext {
  /** HTTP method of the request. */
  readonly method?: string;
  /** URL of the request; sensitive query parameters are redacted. */
  readonly url?: string;
  /** Any further secret-free detail (phase, limit, status…). */
  readonly [key: string]: unknown;
}

/** Options of {@link HttpClientException}. */
export interface HttpClientExceptionOptions {
  /** The underlying error. */
  cause?: unknown;
  /** Secret-free facts about the failing request. */
  context?: ErrorContext;
  /** How many times the request was sent before this error. */
  attempts?: number;
}

/**
 * Base class of every error requestforge throws.
 *
 * Messages and `context` never contain a secret; `JSON.stringify(error)` is safe to log.
 *
 * @example
 * ```ts
 * try {
 *   await client.get('/users');
 * } catch (error) {
 *   if (error instanceof HttpClientException) console.log(error.code, error.attempts);
 * }
 * ```
 */
export class HttpClientException extends Error {
  /** Stable error code, e.g. `ERR_TIMEOUT`. */
  readonly code: ErrorCode;
  /** Secret-free facts about the failing request. */
  readonly context: ErrorContext;
  /** How many times the request was sent (0 when it never left the process). */
  attempts: number;

  constructor(
    message: string,
    options: HttpClientExceptionOptions = {},
    code: ErrorCode = 'ERR_HTTP_CLIENT',
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.context = Object.freeze({ ...options.context });
    this.attempts = options.attempts ?? 0;
  }

  /** A secret-free description, for logs and `JSON.stringify`. */
  toJSON(): Record<string, unknown> {
    const json: Record<string, unknown> = {
      name: this.name,
      code: this.code,
      message: this.message,
      attempts: this.attempts,
      context: this.context,
    };
    if (this.cause instanceof Error) {
      const code = (this.cause as { code?: unknown }).code;
      json.cause = { name: this.cause.name, ...(typeof code === 'string' ? { code } : {}) };
    }
    return json;
  }
}
