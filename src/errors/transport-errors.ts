import { HttpClientException, type HttpClientExceptionOptions } from './http-client-exception';

/** The request did not complete within its timeout (connect, headers or body). */
export class TimeoutException extends HttpClientException {
  constructor(message: string, options?: HttpClientExceptionOptions) {
    super(message, options, 'ERR_TIMEOUT');
  }
}

/** The connection could not be established or broke (refused, reset, DNS, protocol error). */
export class ConnectionException extends HttpClientException {
  constructor(message: string, options?: HttpClientExceptionOptions) {
    super(message, options, 'ERR_CONNECTION');
  }
}

/** The TLS handshake failed (untrusted certificate, wrong host name, protocol mismatch). */
export class TlsException extends HttpClientException {
  constructor(message: string, options?: HttpClientExceptionOptions) {
    super(message, options, 'ERR_TLS');
  }
}

/** The caller's `AbortSignal` aborted the request; `cause` is the signal's reason. */
export class RequestAbortedException extends HttpClientException {
  constructor(message: string, options?: HttpClientExceptionOptions) {
    super(message, options, 'ERR_ABORTED');
  }
}

/** A response body could not be parsed (e.g. `response.json()` on non-JSON). */
export class ResponseParseException extends HttpClientException {
  constructor(message: string, options?: HttpClientExceptionOptions) {
    super(message, options, 'ERR_RESPONSE_PARSE');
  }
}

/** The response body exceeded `maxResponseBytes`; the connection was aborted. */
export class ResponseTooLargeException extends HttpClientException {
  constructor(message: string, options?: HttpClientExceptionOptions) {
    super(message, options, 'ERR_RESPONSE_TOO_LARGE');
  }
}

/** The request could not be built: bad URL, bad header value, conflicting options. Nothing was sent. */
export class RequestBuildException extends HttpClientException {
  constructor(message: string, options?: HttpClientExceptionOptions) {
    super(message, options, 'ERR_REQUEST_BUILD');
  }
}

/** A redirect chain was longer than `maxRedirects`. */
export class TooManyRedirectsException extends HttpClientException {
  constructor(message: string, options?: HttpClientExceptionOptions) {
    super(message, options, 'ERR_TOO_MANY_REDIRECTS');
  }
}

/** The circuit breaker is open: the request was refused without being sent. */
export class CircuitOpenException extends HttpClientException {
  constructor(message: string, options?: HttpClientExceptionOptions) {
    super(message, options, 'ERR_CIRCUIT_OPEN');
  }
}
