// The public surface of requestforge: re-exports only.

export type { AuthHook } from './auth/auth-hook';
export { CompositeAuthHook, type CompositeAuthOptions } from './auth/composite-auth-hook';
export type { PathExclusionOptions } from './auth/path-matcher';
export {
  ApiKeyAuthHook,
  type ApiKeyAuthOptions,
  BasicAuthHook,
  BearerTokenAuthHook,
  type StaticAuthOptions,
} from './auth/static-auth-hooks';
export {
  HttpClient,
  type HttpStreamResponse,
  type RequestInit,
  type RequestOptions,
} from './client/http-client';
export type { RequestManyOptions, RequestManyResult } from './client/request-many';
export { HttpClientConfig } from './config/http-client-config';
export {
  type ApiKeyOptions,
  DEFAULTS,
  HttpClientConfigBuilder,
  type RedirectOptions,
} from './config/http-client-config-builder';
export * from './errors/index';
export type {
  ErrorHook,
  ErrorHookFunction,
  Logger,
  RequestHook,
  RequestHookFunction,
  ResponseHook,
  ResponseHookFunction,
} from './hooks/types';
export type { FormFields, RequestBody } from './http/body';
export { type ToCurlOptions, toCurl } from './http/curl';
export { HttpHeaders } from './http/http-headers';
export { type HttpMethod, HttpRequest, type HttpRequestInit } from './http/request';
export { HttpResponse } from './http/response';
export type { QueryParams, QueryValue } from './http/url';
export type { Handler, Middleware } from './middleware/chain';
export { RequestContext } from './middleware/context';
export { CHANNELS } from './observability/events';
export { DEFAULT_SENSITIVE_KEYS } from './observability/redact';
export {
  type AuthErrorCodesOption,
  type AuthRetryStrategy,
  type ConditionalAuthRetryOptions,
  ConditionalAuthRetryStrategy,
  type ExponentialAuthRetryOptions,
  ExponentialAuthRetryStrategy,
  NoAuthRetryStrategy,
  type SimpleAuthRetryOptions,
  SimpleAuthRetryStrategy,
} from './retry/auth-retry-strategies';
export type { RetryOutcome, RetryStrategy } from './retry/retry-strategy';
export type { Dispatcher } from './transport/dispatcher';
export type { TlsOptions } from './transport/undici-transport';
export { VERSION } from './version';
