export {
  BadRequestException,
  ForbiddenException,
  HttpStatusException,
  NotFoundException,
  ServerErrorException,
  UnauthorizedException,
} from '../http/response';
export {
  AuthenticationException,
  type AuthenticationExceptionOptions,
  TokenRefreshException,
} from './authentication-exception';
export {
  type ErrorCode,
  type ErrorContext,
  HttpClientException,
  type HttpClientExceptionOptions,
} from './http-client-exception';
export {
  CircuitOpenException,
  ConnectionException,
  RequestAbortedException,
  RequestBuildException,
  ResponseParseException,
  ResponseTooLargeException,
  TimeoutException,
  TlsException,
  TooManyRedirectsException,
} from './transport-errors';
