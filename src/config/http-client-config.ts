import type { AuthHook } from '../auth/auth-hook';
import { ownRecord } from '../checks/options';
import type { ErrorHook, RequestHook, ResponseHook } from '../hooks/types';
import type { BaseUrl } from '../http/url';
import { Redactor } from '../observability/redact';
import { INSPECT, REDACTED } from '../observability/redact-constants';
import type { RetryStrategy } from '../retry/retry-strategy';
import type { Dispatcher } from '../transport/dispatcher';
import type { ProxyEnvironment } from '../transport/proxy-from-env';
import type { TlsOptions } from '../transport/undici-transport';

/** Everything `HttpClientConfigBuilder.build()` validated: the one list of a config's fields. */
export interface HttpClientConfigFields {
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
  /** Hooks run before each attempt, in order. */
  readonly requestHooks: readonly RequestHook[];
  /** Hooks run after each attempt's response, in order. */
  readonly responseHooks: readonly ResponseHook[];
  /** Hooks run when an attempt fails, in order. */
  readonly errorHooks: readonly ErrorHook[];
  /** Whether 3xx responses are followed. */
  readonly followRedirects: boolean;
  /** The longest redirect chain followed. */
  readonly maxRedirects: number;
  /** TLS settings of the connection pool. */
  readonly tls: Readonly<TlsOptions> | undefined;
  /** The proxy URL, if any. */
  readonly proxy: string | undefined;
  /** The most sockets per origin. */
  readonly connections: number;
  /** The caller's undici dispatcher, if any. */
  readonly dispatcher: Dispatcher | undefined;
  /** Origins that receive credentials: the base URL's first, then `withTrustedOrigins`. */
  readonly trustedOrigins: readonly string[];
  /** The largest response body read into memory. */
  readonly maxResponseBytes: number;
  /** Whether non-2xx responses throw. */
  readonly raiseForStatus: boolean;
  /** Keys redacted on top of the defaults (from `withLogging`, the API-key header, auth hooks). */
  readonly sensitiveKeys: readonly string[];
  /** Whether `Content-Encoding` bodies are decoded (and `Accept-Encoding` sent). */
  readonly decompression: boolean;
  /** The largest decoded/received size ratio of a compressed body. */
  readonly maxDecompressionRatio: number;
  /** Whether HTTP/2 is offered by ALPN. */
  readonly http2: boolean;
  /** The proxy settings read from the environment by `withProxyFromEnv`, if any. */
  readonly proxyFromEnv: ProxyEnvironment | undefined;
}

/** A class whose instances carry the fields of {@link HttpClientConfigFields}, declared once. */
const ConfigFields = class {
  constructor(fields: HttpClientConfigFields) {
    Object.assign(this, fields);
  }
} as new (
  fields: HttpClientConfigFields,
) => HttpClientConfigFields;

/** Fields holding plain records of ours, frozen as null-prototype copies (hooks and dispatchers are the caller's objects). */
const RECORDS: ReadonlySet<string> = new Set(['headers', 'tls', 'base']);

function frozenCopy(key: string, value: unknown): unknown {
  if (Array.isArray(value)) return Object.freeze([...value]);
  if (RECORDS.has(key) && value !== null && typeof value === 'object')
    return Object.freeze(ownRecord(value as Record<string, unknown>));
  return value;
}

/**
 * A validated, frozen client configuration, made by `HttpClientConfigBuilder.build()`.
 * One config can back any number of clients. Printing it never shows a credential.
 */
export class HttpClientConfig extends ConfigFields {
  /** @internal */
  readonly redactor: Redactor;

  /** @internal Use `HttpClientConfigBuilder`. */
  constructor(fields: HttpClientConfigFields) {
    const copy = Object.fromEntries(
      Object.entries(fields).map(([key, value]) => [key, frozenCopy(key, value)]),
    );
    super(copy as unknown as HttpClientConfigFields);
    this.redactor = new Redactor(this.sensitiveKeys);
    Object.freeze(this);
  }

  /** A secret-free summary. */
  toJSON(): Record<string, unknown> {
    const nameOf = (value: object | undefined, fallback: string) =>
      value ? (value.constructor?.name ?? fallback) : undefined;
    return {
      baseUrl: this.baseUrl,
      timeoutMs: this.timeoutMs,
      headers: this.redactor.headers(this.headers),
      authHook: nameOf(this.authHook, 'AuthHook'),
      retryStrategy: nameOf(this.retryStrategy, 'RetryStrategy'),
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
            passphrase: this.tls.passphrase ? REDACTED : undefined,
            rejectUnauthorized: this.tls.rejectUnauthorized,
          }
        : undefined,
      proxy: this.proxy ? this.redactor.url(this.proxy) : undefined,
      connections: this.connections,
      dispatcher: this.dispatcher ? 'custom' : undefined,
      trustedOrigins: this.trustedOrigins,
      maxResponseBytes: this.maxResponseBytes,
      raiseForStatus: this.raiseForStatus,
      decompression: this.decompression,
      maxDecompressionRatio: this.maxDecompressionRatio,
      http2: this.http2,
      proxyFromEnv: this.proxyFromEnv
        ? {
            httpProxy: this.proxyFromEnv.httpProxy && this.redactor.url(this.proxyFromEnv.httpProxy),
            httpsProxy: this.proxyFromEnv.httpsProxy && this.redactor.url(this.proxyFromEnv.httpsProxy),
            noProxy: this.proxyFromEnv.noProxy,
          }
        : undefined,
    };
  }

  /** What `util.inspect` prints: the secret-free description. */
  [INSPECT](): string {
    return `HttpClientConfig ${JSON.stringify(this.toJSON(), null, 2)}`;
  }
}
