import { HttpClientException } from '../errors/http-client-exception';
import {
  ConnectionException,
  RequestBuildException,
  TimeoutException,
  TlsException,
} from '../errors/transport-errors';
import type { HttpRequest } from '../http/request';

const TIMEOUT_CODES = new Set([
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'ETIMEDOUT',
  'ESOCKETTIMEDOUT',
]);

const TLS_CODES = new Set([
  'EPROTO',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_REVOKED',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'HOSTNAME_MISMATCH',
]);

function errorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current && typeof current === 'object'; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && code !== 'UND_ERR_SOCKET') return code;
    current = (current as { cause?: unknown }).cause;
  }
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Maps an undici / socket / TLS error to the matching typed exception (no secret in the message). */
export function mapTransportError(
  error: unknown,
  request: HttpRequest,
  timeoutMs: number,
): HttpClientException {
  if (error instanceof HttpClientException) return error;
  const code = errorCode(error);
  const where = `${request.method} ${request.redactor.url(request.url)}`;
  const context = {
    method: request.method,
    url: request.redactor.url(request.url),
    ...(code ? { errorCode: code } : {}),
  };
  if (code && TIMEOUT_CODES.has(code)) {
    return new TimeoutException(`${where} timed out after ${timeoutMs} ms`, {
      cause: error,
      context: { ...context, timeoutMs },
    });
  }
  if (
    code &&
    (TLS_CODES.has(code) ||
      code.startsWith('ERR_TLS_') ||
      code.startsWith('ERR_SSL_') ||
      code.startsWith('CERT_'))
  ) {
    return new TlsException(`TLS handshake with ${where} failed (${code})`, { cause: error, context });
  }
  if (code === 'UND_ERR_INVALID_ARG' || code === 'UND_ERR_NOT_SUPPORTED') {
    return new RequestBuildException(`${where} was refused before sending (${code})`, {
      cause: error,
      context,
    });
  }
  const detail = code ?? (error instanceof Error ? error.name : 'unknown error');
  return new ConnectionException(`${where} failed: connection error (${detail})`, { cause: error, context });
}
