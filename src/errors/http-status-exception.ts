import type { HttpResponse } from '../http/response';
import { HttpClientException } from './http-client-exception';

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
