import type { Challenge } from '../auth/challenges';
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
  /** How long to wait before asking the token endpoint again (its `Retry-After`, or our backoff). */
  retryAfterMs?: number;
  /**
   * Whether asking again may succeed.
   * @default false for the permanent RFC 6749 §5.2 errors (`invalid_client`, `unauthorized_client`, `unsupported_grant_type`, `invalid_scope`), else true
   */
  retryable?: boolean;
  /** The `WWW-Authenticate` challenges of the answer that caused the error. */
  challenges?: readonly Challenge[];
}

/**
 * RFC 6749 §5.2 errors that asking again cannot fix: the client's configuration or registration
 * is wrong. The token endpoint is not asked again for them (see `maxRefreshBackoffMs`).
 */
export const PERMANENT_OAUTH_ERRORS: ReadonlySet<string> = new Set([
  'invalid_client',
  'unauthorized_client',
  'unsupported_grant_type',
  'invalid_scope',
]);

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
  /**
   * How long no token request will be sent for this identity (the endpoint's `Retry-After`, or
   * the backoff after repeated failures), in ms; `undefined` when nothing holds requests back.
   */
  readonly retryAfterMs: number | undefined;
  /** False when asking again cannot succeed (`invalid_client`, …): fix the configuration. */
  readonly retryable: boolean;
  /** The `WWW-Authenticate` challenges of the answer that caused the error (empty when none). */
  readonly challenges: readonly Challenge[];

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
    this.retryAfterMs = options.retryAfterMs;
    this.retryable =
      options.retryable ?? !(options.error !== undefined && PERMANENT_OAUTH_ERRORS.has(options.error));
    this.challenges = Object.freeze([...(options.challenges ?? [])]);
  }

  /** A secret-free description, for logs and `JSON.stringify`. */
  override toJSON(): Record<string, unknown> {
    return {
      ...super.toJSON(),
      serviceName: this.serviceName,
      error: this.error,
      errorDescription: this.errorDescription,
      statusCode: this.statusCode,
      retryAfterMs: this.retryAfterMs,
      retryable: this.retryable,
      // Scheme and error code only: other challenge parameters are the server's to interpret.
      challenges: this.challenges.map((challenge) => ({
        scheme: challenge.scheme,
        error: challenge.params.error,
      })),
    };
  }
}

/** Refreshing an existing token failed (the refresh grant was rejected and no fallback worked). */
export class TokenRefreshException extends AuthenticationException {
  constructor(message: string, options: AuthenticationExceptionOptions = {}) {
    super(message, options, 'ERR_TOKEN_REFRESH');
  }
}
