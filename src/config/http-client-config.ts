import type { AuthHook } from '../auth/auth-hook';
import type { ErrorHook, RequestHook, ResponseHook } from '../hooks/types';
import type { BaseUrl } from '../http/url';
import { Redactor } from '../observability/redact';
import { INSPECT, REDACTED } from '../observability/redact-constants';
import type { RetryStrategy } from '../retry/retry-strategy';
import type { Dispatcher } from '../transport/dispatcher';
import type { TlsOptions } from '../transport/undici-transport';

/** @internal Everything the builder validated. */
export interface HttpClientConfigFields {
  readonly baseUrl: string | undefined;
  readonly base: BaseUrl | undefined;
  readonly timeoutMs: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly authHook: AuthHook | undefined;
  readonly retryStrategy: RetryStrategy | undefined;
  readonly requestHooks: readonly RequestHook[];
  readonly responseHooks: readonly ResponseHook[];
  readonly errorHooks: readonly ErrorHook[];
  readonly followRedirects: boolean;
  readonly maxRedirects: number;
  readonly tls: Readonly<TlsOptions> | undefined;
  readonly proxy: string | undefined;
  readonly connections: number;
  readonly dispatcher: Dispatcher | undefined;
  readonly trustedOrigins: readonly string[];
  readonly maxResponseBytes: number;
  readonly raiseForStatus: boolean;
  readonly sensitiveKeys: readonly string[];
}

/**
 * A validated, frozen client configuration, made by `HttpClientConfigBuilder.build()`.
 * One config can back any number of clients. Printing it never shows a credential.
 */
export class HttpClientConfig implements HttpClientConfigFields {
  /** The base URL as given. */
  readonly baseUrl: string | undefined;
  /** @internal the parsed base URL */
  readonly base: BaseUrl | undefined;
  /** Per-attempt timeout in ms. */
  readonly timeoutMs: number;
  /** Default headers (lower-case names). */
  readonly headers: Readonly<Record<string, string>>;
  /** The one auth hook, if any. */
  readonly authHook: AuthHook | undefined;
  /** The request retry strategy, if any. */
  readonly retryStrategy: RetryStrategy | undefined;
  readonly requestHooks: readonly RequestHook[];
  readonly responseHooks: readonly ResponseHook[];
  readonly errorHooks: readonly ErrorHook[];
  readonly followRedirects: boolean;
  readonly maxRedirects: number;
  readonly tls: Readonly<TlsOptions> | undefined;
  readonly proxy: string | undefined;
  readonly connections: number;
  readonly dispatcher: Dispatcher | undefined;
  /** Origins that receive credentials: the base URL's first, then `withTrustedOrigins`. */
  readonly trustedOrigins: readonly string[];
  readonly maxResponseBytes: number;
  readonly raiseForStatus: boolean;
  /** Keys redacted on top of the defaults (from `withLogging`, the API-key header, auth hooks). */
  readonly sensitiveKeys: readonly string[];
  /** @internal */
  readonly redactor: Redactor;

  /** @internal Use `HttpClientConfigBuilder`. */
  constructor(fields: HttpClientConfigFields) {
    this.baseUrl = fields.baseUrl;
    this.base = fields.base;
    this.timeoutMs = fields.timeoutMs;
    this.headers = Object.freeze({ ...fields.headers });
    this.authHook = fields.authHook;
    this.retryStrategy = fields.retryStrategy;
    this.requestHooks = Object.freeze([...fields.requestHooks]);
    this.responseHooks = Object.freeze([...fields.responseHooks]);
    this.errorHooks = Object.freeze([...fields.errorHooks]);
    this.followRedirects = fields.followRedirects;
    this.maxRedirects = fields.maxRedirects;
    this.tls = fields.tls ? Object.freeze({ ...fields.tls }) : undefined;
    this.proxy = fields.proxy;
    this.connections = fields.connections;
    this.dispatcher = fields.dispatcher;
    this.trustedOrigins = Object.freeze([...fields.trustedOrigins]);
    this.maxResponseBytes = fields.maxResponseBytes;
    this.raiseForStatus = fields.raiseForStatus;
    this.sensitiveKeys = Object.freeze([...fields.sensitiveKeys]);
    this.redactor = new Redactor(this.sensitiveKeys);
    Object.freeze(this);
  }

  /** A secret-free summary. */
  toJSON(): Record<string, unknown> {
    return {
      baseUrl: this.baseUrl,
      timeoutMs: this.timeoutMs,
      headers: this.redactor.headers(this.headers),
      authHook: this.authHook ? (this.authHook.constructor?.name ?? 'AuthHook') : undefined,
      retryStrategy: this.retryStrategy
        ? (this.retryStrategy.constructor?.name ?? 'RetryStrategy')
        : undefined,
      requestHooks: this.requestHooks.length,
      responseHooks: this.responseHooks.length,
      errorHooks: this.errorHooks.length,
      followRedirects: this.followRedirects,
      maxRedirects: this.maxRedirects,
      tls: this.tls
        ? {
            ca: this.tls.ca ? REDACTED : undefined,
            cert: this.tls.cert ? REDACTED : undefined,
            key: this.tls.key ? REDACTED : undefined,
            rejectUnauthorized: this.tls.rejectUnauthorized,
          }
        : undefined,
      proxy: this.proxy ? this.redactor.url(this.proxy) : undefined,
      connections: this.connections,
      dispatcher: this.dispatcher ? 'custom' : undefined,
      trustedOrigins: this.trustedOrigins,
      maxResponseBytes: this.maxResponseBytes,
      raiseForStatus: this.raiseForStatus,
    };
  }

  [INSPECT](): string {
    return `HttpClientConfig ${JSON.stringify(this.toJSON(), null, 2)}`;
  }
}
