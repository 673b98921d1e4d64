import {
  type ErrorCode,
  HttpClientException,
  type HttpClientExceptionOptions,
} from './http-client-exception';

/** Options of {@link AuthenticationException}: what went wrong at the token endpoint. */
export interface AuthenticationExceptionOptions extends HttpClientExceptionOptions {
  /** The `serviceName` of the token provider that failed. */
  serviceName?: string;
  /** RFC 6749 §5.2 `error` code returned by the token endpoint, e.g. `invalid_client`. */
  error?: string;
  /** RFC 6749 §5.2 `error_description` returned by the token endpoint (secrets scrubbed). */
  errorDescription?: string;
  /** HTTP status of the token endpoint's answer, when there was one. */
  statusCode?: number;
}

/**
 * A token could not be obtained: provider failure, token endpoint error, unusable token response.
 *
 * Thrown as is (never wrapped) from the request that needed the token.
 *
 * @example
 * ```ts
 * try {
 *   await client.get('/protected');
 * } catch (e) {
 *   if (e instanceof AuthenticationException) console.log(e.serviceName, e.error);
 * }
 * ```
 */
export class AuthenticationException extends HttpClientException {
  /** The `serviceName` of the token provider that failed. */
  readonly serviceName: string | undefined;
  /** RFC 6749 §5.2 `error`, when the token endpoint sent one. */
  readonly error: string | undefined;
  /** RFC 6749 §5.2 `error_description`, when the token endpoint sent one. */
  readonly errorDescription: string | undefined;
  /** HTTP status of the token endpoint's answer. */
  readonly statusCode: number | undefined;

  constructor(
    message: string,
    options: AuthenticationExceptionOptions = {},
    code: ErrorCode = 'ERR_AUTHENTICATION',
  ) {
    super(message, options, code);
    this.serviceName = options.serviceName;
    this.error = options.error;
    this.errorDescription = options.errorDescription;
    this.statusCode = options.statusCode;
  }

  /** A secret-free description, for logs and `JSON.stringify`. */
  override toJSON(): Record<string, unknown> {
    return {
      ...super.toJSON(),
      serviceName: this.serviceName,
      error: this.error,
      errorDescription: this.errorDescription,
      statusCode: this.statusCode,
    };
  }
}

/** Refreshing an existing token failed (the refresh grant was rejected and no fallback worked). */
export class TokenRefreshException extends AuthenticationException {
  constructor(message: string, options: AuthenticationExceptionOptions = {}) {
    super(message, options, 'ERR_TOKEN_REFRESH');
  }
}
