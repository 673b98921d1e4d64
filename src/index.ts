// The public surface of requestforge: re-exports only.

export type { AuthHook } from './auth/auth-hook';
export { type Challenge, parseChallenges } from './auth/challenges';
export { CompositeAuthHook, type CompositeAuthOptions } from './auth/composite-auth-hook';
export type { DpopRequestSigner } from './auth/dpop-signer';
export type { PathExclusionOptions } from './auth/path-matcher';
export {
  ApiKeyAuthHook,
  type ApiKeyAuthOptions,
  BasicAuthHook,
  BearerTokenAuthHook,
  type StaticAuthOptions,
} from './auth/static-auth-hooks';
export { TokenAuthHook, type TokenAuthOptions } from './auth/token-auth-hook';
export { MAX_TOKEN_CHARS } from './checks/syntax';
export { type CreateClientOptions, createClient } from './client/create-client';
export { HttpClient } from './client/http-client';
export type { RequestManyOptions, RequestManyResult } from './client/request-many';
export type { HttpStreamResponse, RequestInit, RequestOptions } from './client/request-options';
export { HttpClientConfig } from './config/http-client-config';
export {
  type ApiKeyOptions,
  DEFAULTS,
  HttpClientConfigBuilder,
  type RedirectOptions,
} from './config/http-client-config-builder';
export type { DecompressionOptions } from './config/transport-features';
export * from './errors/index';
export { AuthorizationHook, type TokenSupplier } from './hooks/authorization';
export { CorrelationIdHook, type CorrelationIdOptions } from './hooks/correlation-id';
export {
  LoggingErrorHook,
  type LoggingOptions,
  LoggingRequestHook,
  LoggingResponseHook,
} from './hooks/logging';
export { RateLimitResponseHook } from './hooks/rate-limit';
export type {
  ErrorHook,
  ErrorHookFunction,
  Logger,
  Replacement,
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
export type {
  AuthReplayMessage,
  CallMessage,
  CircuitStateMessage,
  SendEndMessage,
  SendStartMessage,
  TokenCacheHitMessage,
  TokenRequestMessage,
} from './observability/event-messages';
export { CHANNELS } from './observability/events';
export { DEFAULT_SENSITIVE_KEYS } from './observability/redact';
export type { Runner } from './observability/runners';
export {
  BodyTokenFetcher,
  type BodyTokenFetcherOptions,
  FetchContext,
  type FetchContextTokens,
  HeaderTokenFetcher,
  type HeaderTokenFetcherOptions,
  HttpTokenFetcher,
  type HttpTokenFetcherOptions,
  type PipelineExecuteOptions,
  PipelineTokenProvider,
  type PipelineTokenProviderOptions,
  type RequestDataOption,
  type RequestHeadersOption,
  type TokenFetcher,
  TokenFetchPipeline,
  type TokenFetchPipelineOptions,
  type TokenRequestMethod,
  type TokenResponseInfo,
} from './pipeline/index';
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
export {
  type CircuitBreakerOptions,
  CircuitBreakerRetryStrategy,
  type CircuitState,
} from './retry/circuit-breaker';
export {
  DEFAULT_RETRY_ON_ERRORS,
  DEFAULT_RETRYABLE_STATUS_CODES,
  type ExponentialBackoffRetryOptions,
  ExponentialBackoffRetryStrategy,
  IDEMPOTENT_METHODS,
  NoRetryStrategy,
  type RetryClassificationOptions,
  type SimpleRetryOptions,
  SimpleRetryStrategy,
} from './retry/request-retry-strategies';
export { parseRetryAfterMs } from './retry/retry-after';
export type { RetryOutcome, RetryStrategy } from './retry/retry-strategy';
export type {
  ClientAuthMethod,
  ClientAuthMethodOption,
  ClientAuthOptions,
  ProviderTlsOptions,
} from './tokens/client-auth/options';
export { clientSecretBasic } from './tokens/client-auth/strategies';
export type { DpopAlg } from './tokens/dpop/dpop-key';
export type { DpopOption, DpopOptions } from './tokens/dpop/dpop-options';
export type { TokenEndpointOptions } from './tokens/exchange/token-http';
export { MAX_REFRESH_WINDOW_MS } from './tokens/freshness';
export type { StorageLogger } from './tokens/guarded-storage';
export type { IdentityParts } from './tokens/identity';
export type { AsymmetricSigningAlg, PrivateKeyInput, SigningAlg } from './tokens/jose/keys';
export {
  type ClientCredentialsOptions,
  ClientCredentialsTokenProvider,
} from './tokens/providers/client-credentials';
export {
  type JwtBearerAssertionOptions,
  type JwtBearerOptions,
  JwtBearerTokenProvider,
} from './tokens/providers/jwt-bearer';
export type { OAuth2ProviderOptions } from './tokens/providers/oauth2-options';
export { type PasswordGrantOptions, PasswordGrantTokenProvider } from './tokens/providers/password-grant';
export { RefreshTokenProvider, type RefreshTokenProviderOptions } from './tokens/providers/refresh-token';
export {
  type TokenExchangeOptions,
  TokenExchangeTokenProvider,
  type TokenSource,
} from './tokens/providers/token-exchange-grant';
export {
  InMemoryTokenStorage,
  type InMemoryTokenStorageOptions,
} from './tokens/storage/in-memory-token-storage';
export { REFRESH_TOKEN_RETENTION_MS } from './tokens/storage/retention';
export {
  TokenData,
  type TokenDataInit,
  type TokenDataJSON,
  type TokenResponseKeys,
} from './tokens/token-data';
export { TokenManager } from './tokens/token-manager';
export type {
  CloseOptions,
  GetTokenOptions,
  TokenManagerOptions,
  TokenManagerStats,
} from './tokens/token-manager-options';
export type { RefreshContext, RevokeTokenOptions, TokenProvider } from './tokens/token-provider';
export type {
  Awaitable,
  TokenEndpointThrottle,
  TokenStorage,
  TokenStorageLock,
} from './tokens/token-storage';
export type { Dispatcher } from './transport/dispatcher';
export type { ProxyEnvironment, ProxyEnvSource, ProxyFromEnvOptions } from './transport/proxy-from-env';
export type { TlsOptions } from './transport/undici-transport';
export { VERSION } from './version';
