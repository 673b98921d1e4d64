import type { AuthHook } from '../auth/auth-hook';
import { ApiKeyAuthHook, BasicAuthHook, BearerTokenAuthHook } from '../auth/static-auth-hooks';
import { TokenAuthHook, type TokenAuthOptions } from '../auth/token-auth-hook';
import { optionKeys, ownRecord, readOptions } from '../checks/options';
import { toErrorHook, toRequestHook, toResponseHook } from '../hooks/hook-adapters';
import {
  LoggingErrorHook,
  type LoggingOptions,
  LoggingRequestHook,
  LoggingResponseHook,
} from '../hooks/logging';
import type {
  ErrorHook,
  ErrorHookFunction,
  RequestHook,
  RequestHookFunction,
  ResponseHook,
  ResponseHookFunction,
} from '../hooks/types';
import { checkHeader } from '../http/header-validation';
import { parseBaseUrl } from '../http/url';
import {
  type ExponentialBackoffRetryOptions,
  ExponentialBackoffRetryStrategy,
} from '../retry/request-retry-strategies';
import type { RetryStrategy } from '../retry/retry-strategy';
import type { TokenManager } from '../tokens/token-manager';
import type { Dispatcher } from '../transport/dispatcher';
import type { ProxyFromEnvOptions } from '../transport/proxy-from-env';
import type { TlsOptions } from '../transport/undici-transport';
import { HttpClientConfig } from './http-client-config';
import {
  DEFAULT_MAX_DECOMPRESSION_RATIO,
  type DecompressionOptions,
  decompressionSetting,
  readProxyFromEnvOptions,
  type TransportFeatureSettings,
  transportFeatures,
} from './transport-features';

/** Defaults of every option. */
export const DEFAULTS = Object.freeze({
  /** Per-attempt timeout: 30 s. */
  timeoutMs: 30_000,
  /** Redirects are followed. */
  followRedirects: true,
  /** At most 10 redirects in a chain. */
  maxRedirects: 10,
  /** Sockets per origin in the pool: 128. */
  connections: 128,
  /** The largest buffered body: 50 MiB. */
  maxResponseBytes: 50 * 1024 * 1024,
  /** The largest decoded/encoded size ratio of a compressed body: 1000. */
  maxDecompressionRatio: DEFAULT_MAX_DECOMPRESSION_RATIO,
});

/** Options of `withApiKey`. */
export interface ApiKeyOptions {
  /**
   * The header that carries the key.
   * @default 'X-API-Key'
   */
  readonly headerName?: string;
}

/** Options of `withRedirects`. */
export interface RedirectOptions {
  /**
   * Follow 301/302/303/307/308 responses.
   * @default true
   */
  readonly follow?: boolean;
  /**
   * The longest redirect chain; one more hop fails with `TooManyRedirectsException`.
   * @default 10
   */
  readonly maxRedirects?: number;
}

type Thunk<T> = () => T;

const REDIRECT_KEYS = optionKeys<RedirectOptions>()({ follow: true, maxRedirects: true });
const TLS_KEYS = optionKeys<TlsOptions>()({
  ca: true,
  cert: true,
  key: true,
  passphrase: true,
  rejectUnauthorized: true,
});
const LOGGING_KEYS = optionKeys<LoggingOptions>()({
  logger: true,
  logHeaders: true,
  logBody: true,
  sensitiveKeys: true,
});

/** Runs a deferred construction, prefixing validation errors with the option's name. */
function withOption<T>(option: string, create: Thunk<T>): T {
  try {
    return create();
  } catch (error) {
    if ((error instanceof TypeError || error instanceof RangeError) && !error.message.startsWith(option)) {
      error.message = `${option}: ${error.message}`;
    }
    throw error;
  }
}

function positiveInteger(value: unknown, option: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new RangeError(`${option}: expected a positive integer, got ${String(value)}`);
  }
  return value;
}

function positiveMs(value: unknown, option: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new RangeError(`${option}: expected a positive number of milliseconds, got ${String(value)}`);
  }
  return value;
}

function originOf(value: unknown, option: string): string {
  if (typeof value !== 'string') throw new TypeError(`${option}: expected URL strings`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new TypeError(`${option}: not an absolute URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TypeError(`${option}: only http and https origins are supported`);
  }
  return url.origin;
}

/**
 * Builds an {@link HttpClientConfig}. Every `with*` returns the builder; `build()` validates
 * everything and throws a `TypeError`/`RangeError` naming the option that is wrong.
 *
 * @example
 * ```ts
 * const config = new HttpClientConfigBuilder()
 *   .withBaseUrl('https://api.example.com')
 *   .withBearerToken('your-api-token-here')
 *   .build();
 * const client = new HttpClient(config);
 * ```
 */
export class HttpClientConfigBuilder {
  #baseUrl: string | undefined;
  #timeoutMs: unknown = DEFAULTS.timeoutMs;
  #headers: Array<[string, unknown]> = [];
  #auth: Thunk<AuthHook> | undefined;
  #authOption = '';
  #retry: { option: string; create: Thunk<RetryStrategy> } | undefined;
  #requestHooks: Array<Thunk<RequestHook>> = [];
  #responseHooks: Array<Thunk<ResponseHook>> = [];
  #errorHooks: Array<Thunk<ErrorHook>> = [];
  // Null-prototype records: an option left out reads as undefined, never as a polluted default.
  #redirects: RedirectOptions = ownRecord();
  #tls: TlsOptions | undefined;
  #proxy: string | undefined;
  #connections: unknown = DEFAULTS.connections;
  #dispatcher: Dispatcher | undefined;
  #trustedOrigins: unknown[] = [];
  #maxResponseBytes: unknown = DEFAULTS.maxResponseBytes;
  #raiseForStatus = false;
  #sensitiveKeys: string[] = [];
  #transport: TransportFeatureSettings = {};

  /**
   * The absolute http(s) URL that relative request paths are joined to; its path prefix is kept
   * (`https://h/v1` + `/users` → `https://h/v1/users`). Its origin receives credentials.
   * @default none: every request URL must be absolute
   * @example builder.withBaseUrl('https://api.example.com/v1')
   */
  withBaseUrl(url: string): this {
    this.#baseUrl = url;
    return this;
  }

  /**
   * Per-attempt timeout: connect, response headers and body together, checked by a sweep every
   * tenth of it (10 ms to 1 s). A `stream()` body is not bounded as a whole; a pause between its
   * chunks longer than the timeout fails it.
   * @default 30000
   * @example builder.withTimeout(5_000)
   */
  withTimeout(timeoutMs: number): this {
    this.#timeoutMs = timeoutMs;
    return this;
  }

  /**
   * Default headers, merged into earlier ones (names are case-insensitive, later wins).
   * Credential headers among them (`Authorization`, `Cookie`, …) only go to trusted origins.
   * @default {}
   * @example builder.withHeaders({ Accept: 'application/json', 'X-Team': 'payments' })
   */
  withHeaders(headers: Readonly<Record<string, string>>): this {
    if (headers === null || typeof headers !== 'object')
      throw new TypeError('withHeaders: expected an object');
    const own = ownRecord(headers);
    for (const name of Object.keys(own)) this.#headers.push([name, own[name]]);
    return this;
  }

  /**
   * One default header.
   * @example builder.withHeader('Accept', 'application/json')
   */
  withHeader(name: string, value: string): this {
    this.#headers.push([name, value]);
    return this;
  }

  /**
   * Sends `Authorization: Bearer <token>` to trusted origins. Replaces any earlier auth setting.
   * @example builder.withBearerToken(process.env.API_TOKEN!)
   */
  withBearerToken(token: string): this {
    return this.#setAuth('withBearerToken', () => new BearerTokenAuthHook(token));
  }

  /**
   * Sends the API key in a header (`X-API-Key` by default) to trusted origins. Replaces any
   * earlier auth setting.
   * @example builder.withApiKey('your-api-key', { headerName: 'X-API-Key' })
   */
  withApiKey(apiKey: string, options: ApiKeyOptions = {}): this {
    const own = readOptions(options, 'withApiKey', optionKeys<ApiKeyOptions>()({ headerName: true }));
    return this.#setAuth('withApiKey', () => new ApiKeyAuthHook(apiKey, own));
  }

  /**
   * HTTP Basic authentication (`base64(utf8(user:pass))`) for trusted origins. Replaces any
   * earlier auth setting.
   * @example builder.withBasicAuth('user', 'pass') // Authorization: Basic dXNlcjpwYXNz
   */
  withBasicAuth(username: string, password: string): this {
    return this.#setAuth('withBasicAuth', () => new BasicAuthHook(username, password));
  }

  /**
   * Managed tokens from a {@link TokenManager}: one token fetch however many requests race,
   * renewal ahead of expiry, and after a 401 one refresh and replay. Paths can be excluded.
   * Replaces any earlier auth setting.
   * @default authRetryStrategy: `new SimpleAuthRetryStrategy({ maxRetries: 1 })`, headerName: `'Authorization'`, headerPrefix: the token's `tokenType`
   * @example
   * ```ts
   * builder.withTokenAuth(tokenManager, { excludedPaths: ['/health'], excludedPathPatterns: ['/public/*'] })
   * ```
   */
  withTokenAuth(tokenManager: TokenManager, options: TokenAuthOptions = {}): this {
    return this.#setAuth('withTokenAuth', () => new TokenAuthHook(tokenManager, options));
  }

  /**
   * Any {@link AuthHook}. There is one auth slot: a later auth call replaces an earlier one.
   * @example builder.withAuthHook(new CompositeAuthHook([apiKeyHook, tokenHook], { strategy: 'all' }))
   */
  withAuthHook(hook: AuthHook): this {
    return this.#setAuth('withAuthHook', () => {
      const valid =
        hook !== null &&
        typeof hook === 'object' &&
        typeof hook.apply === 'function' &&
        typeof hook.shouldAuthenticate === 'function' &&
        typeof hook.isAuthError === 'function' &&
        typeof hook.refresh === 'function' &&
        hook.retryStrategy !== undefined;
      if (!valid) throw new TypeError('withAuthHook: expected an AuthHook');
      return hook;
    });
  }

  #setAuth(option: string, create: Thunk<AuthHook>): this {
    this.#auth = create;
    this.#authOption = option;
    return this;
  }

  /**
   * Retries transient failures with exponential backoff and full jitter
   * (an `ExponentialBackoffRetryStrategy`): timeouts, connection errors and statuses
   * 408/429/500/502/503/504, for idempotent methods, honouring `Retry-After` up to `maxDelayMs`.
   * Exhausted status retries return the last response.
   * @default no retry; with `withRetry()`: `{ maxRetries: 3, baseDelayMs: 1000, maxDelayMs: 60000, multiplier: 2, jitter: true, respectRetryAfter: true }`
   * @example builder.withRetry({ maxRetries: 3, baseDelayMs: 200 })
   */
  withRetry(options: ExponentialBackoffRetryOptions = {}): this {
    this.#retry = { option: 'withRetry', create: () => new ExponentialBackoffRetryStrategy(options) };
    return this;
  }

  /**
   * Any {@link RetryStrategy} (`SimpleRetryStrategy`, `CircuitBreakerRetryStrategy`, your own).
   * Replaces `withRetry`.
   * @default no retry
   * @example builder.withRetryStrategy(new CircuitBreakerRetryStrategy({ failureThreshold: 5 }))
   */
  withRetryStrategy(strategy: RetryStrategy): this {
    this.#retry = {
      option: 'withRetryStrategy',
      create: () => {
        const valid =
          strategy !== null &&
          typeof strategy === 'object' &&
          typeof strategy.shouldRetry === 'function' &&
          typeof strategy.getDelayMs === 'function' &&
          Number.isInteger(strategy.maxRetries) &&
          strategy.maxRetries >= 0;
        if (!valid)
          throw new TypeError('expected a RetryStrategy with maxRetries, shouldRetry and getDelayMs');
        return strategy;
      },
    };
    return this;
  }

  /**
   * Appends a hook that runs before every attempt (retries included); it returns the request to
   * send, or nothing to keep it. A plain function works too. Hooks run in the order added.
   * @example builder.withRequestHook((request) => request.withHeaders({ 'X-Tenant': tenant }))
   */
  withRequestHook(hook: RequestHook | RequestHookFunction): this {
    this.#requestHooks.push(() => toRequestHook(hook));
    return this;
  }

  /**
   * Appends a hook that runs after every attempt's response (before retry decisions).
   * @example builder.withResponseHook(new RateLimitResponseHook())
   */
  withResponseHook(hook: ResponseHook | ResponseHookFunction): this {
    this.#responseHooks.push(() => toResponseHook(hook));
    return this;
  }

  /**
   * Appends a hook that runs when an attempt fails with an error (before any retry).
   * @example builder.withErrorHook((error, context) => metrics.increment('http.error'))
   */
  withErrorHook(hook: ErrorHook | ErrorHookFunction): this {
    this.#errorHooks.push(() => toErrorHook(hook));
    return this;
  }

  /**
   * Adds the logging hooks (request, response, error). Credentials are redacted everywhere:
   * `authorization`, `proxy-authorization`, `cookie`, `set-cookie`, API-key headers and the fields
   * `client_secret`, `password`, `refresh_token`, `access_token`, `assertion`, plus `sensitiveKeys`.
   * @default off; with `withLogging()`: `{ logger: console, logHeaders: false, logBody: false }`
   * @example builder.withLogging({ logger: pino(), logHeaders: true, sensitiveKeys: ['x-signature'] })
   */
  withLogging(given: LoggingOptions = {}): this {
    const options = readOptions(given, 'withLogging', LOGGING_KEYS);
    if (options.sensitiveKeys !== undefined) {
      if (typeof options.sensitiveKeys === 'string')
        throw new TypeError('withLogging: sensitiveKeys must be an iterable of strings');
      for (const key of options.sensitiveKeys) this.#sensitiveKeys.push(key);
    }
    const shared = { ...options, sensitiveKeys: undefined };
    this.#requestHooks.push(() => new LoggingRequestHook(shared));
    this.#responseHooks.push(() => new LoggingResponseHook(shared));
    this.#errorHooks.push(() => new LoggingErrorHook(shared));
    return this;
  }

  /**
   * Redirect policy. Credentials never follow a redirect to another origin or to plain http.
   * @default { follow: true, maxRedirects: 10 }
   * @example builder.withRedirects({ follow: true, maxRedirects: 3 })
   */
  withRedirects(options: RedirectOptions): this {
    const own = readOptions(options, 'withRedirects', REDIRECT_KEYS);
    this.#redirects = Object.assign(ownRecord(), this.#redirects, own);
    return this;
  }

  /**
   * Whether to verify server certificates. Turning it off is for local development only.
   * @default true
   */
  withVerifySsl(verify: boolean): this {
    this.#tls = Object.assign(ownRecord(), this.#tls, { rejectUnauthorized: verify });
    return this;
  }

  /**
   * TLS settings: extra CAs, a client certificate and key for mTLS, verification.
   * @default system CAs, verification on
   * @example builder.withTls({ ca: fs.readFileSync('ca.pem'), cert, key })
   */
  withTls(options: TlsOptions): this {
    const own = readOptions(options, 'withTls', TLS_KEYS);
    this.#tls = Object.assign(ownRecord(), this.#tls, own);
    return this;
  }

  /**
   * An HTTP(S) proxy for every request (credentials in its URL are used for the proxy only).
   * @default none
   * @example builder.withProxy('http://proxy.internal:3128')
   */
  withProxy(url: string): this {
    this.#proxy = url;
    return this;
  }

  /**
   * The most sockets per origin in the keep-alive pool.
   * @default 128
   */
  withConnections(connections: number): this {
    this.#connections = connections;
    return this;
  }

  /**
   * Use your own undici `Dispatcher` (an `Agent`, a `MockAgent` in tests…). The client never
   * closes it; TLS, proxy and connection options are then yours to set on it.
   * @default a private keep-alive Agent
   */
  withDispatcher(dispatcher: Dispatcher): this {
    this.#dispatcher = dispatcher;
    return this;
  }

  /**
   * Origins, besides the base URL's, that may receive credentials.
   * @default none
   * @example builder.withTrustedOrigins(['https://files.example.com'])
   */
  withTrustedOrigins(origins: Iterable<string>): this {
    if (typeof origins === 'string') throw new TypeError('withTrustedOrigins: expected an iterable of URLs');
    this.#trustedOrigins.push(...origins);
    return this;
  }

  /**
   * Responses with a larger body fail with `ResponseTooLargeException` (the connection is cut).
   * @default 52428800 (50 MiB)
   */
  withMaxResponseBytes(maxBytes: number): this {
    this.#maxResponseBytes = maxBytes;
    return this;
  }

  /**
   * Throw `HttpStatusException` subclasses for non-2xx final responses instead of returning them.
   * @default false: statuses are data
   */
  withRaiseForStatus(on = true): this {
    this.#raiseForStatus = on;
    return this;
  }

  /**
   * Response decompression: `Accept-Encoding: gzip, deflate, br` is sent unless you set one, and
   * `gzip`/`x-gzip`, `deflate` (zlib-wrapped or raw) and `br` bodies are decoded, buffered and
   * `stream()` bodies alike. `maxResponseBytes` applies to the decoded size; a corrupt body is a
   * `ResponseParseException`. `false` turns it off (no header, bodies as received).
   * @default true, with `{ maxDecompressionRatio: 1000 }`
   * @example builder.withDecompression(false)
   * @example builder.withDecompression({ maxDecompressionRatio: 200 })
   */
  withDecompression(setting: boolean | DecompressionOptions = true): this {
    this.#transport = { ...this.#transport, ...decompressionSetting(setting) };
    return this;
  }

  /**
   * Offer HTTP/2 to https origins (ALPN): an origin that accepts it gets one connection that
   * multiplexes every request in flight (up to 100 streams, then requests wait for a stream);
   * one that answers HTTP/1.1 gets the usual pool. Auth, redirects, retries, timeouts and errors
   * behave the same. Plain `http:` origins stay on HTTP/1.1.
   * @default false
   * @example builder.withHttp2()
   */
  withHttp2(on = true): this {
    this.#transport = { ...this.#transport, http2: on };
    return this;
  }

  /**
   * Use the proxies named by `HTTP_PROXY` / `HTTPS_PROXY` (for http and https origins) unless
   * `NO_PROXY` exempts the host (lower-case names win over upper-case; entries: hosts, domains
   * with or without a leading dot, `host:port`, IP addresses, CIDR ranges, `*`). The variables are
   * read when `build()` runs. Credentials in a proxy URL go to that proxy only
   * (`Proxy-Authorization`) and are redacted wherever the config prints. `withProxy` wins.
   * @default off: no proxy unless `withProxy`
   * @example builder.withProxyFromEnv()
   * @example builder.withProxyFromEnv({ env: { HTTPS_PROXY: 'http://proxy.internal:3128', NO_PROXY: '.internal' } })
   */
  withProxyFromEnv(options: ProxyFromEnvOptions = {}): this {
    this.#transport = { ...this.#transport, proxyFromEnv: readProxyFromEnvOptions(options) };
    return this;
  }

  /** Validates everything and returns a frozen {@link HttpClientConfig}. */
  build(): HttpClientConfig {
    const base = this.#baseUrl === undefined ? undefined : parseBaseUrl(this.#baseUrl);
    const timeoutMs = positiveMs(this.#timeoutMs, 'withTimeout');

    const headers = ownRecord<string>();
    for (const [name, value] of this.#headers) {
      try {
        headers[checkHeader(name, value, 'withHeaders')] = value as string;
      } catch (error) {
        throw new TypeError((error as Error).message);
      }
    }

    const authHook = this.#auth ? withOption(this.#authOption, this.#auth) : undefined;

    const follow = this.#redirects.follow ?? DEFAULTS.followRedirects;
    if (typeof follow !== 'boolean') throw new TypeError('withRedirects: follow must be a boolean');
    const maxRedirects = this.#redirects.maxRedirects ?? DEFAULTS.maxRedirects;
    if (!Number.isInteger(maxRedirects) || maxRedirects < 0) {
      throw new RangeError(
        `withRedirects: maxRedirects must be a non-negative integer, got ${String(maxRedirects)}`,
      );
    }

    if (this.#tls?.rejectUnauthorized !== undefined && typeof this.#tls.rejectUnauthorized !== 'boolean') {
      throw new TypeError('withVerifySsl: expected a boolean');
    }
    if (this.#proxy !== undefined) originOf(this.#proxy, 'withProxy');
    const connections = positiveInteger(this.#connections, 'withConnections');
    if (
      this.#dispatcher !== undefined &&
      (this.#dispatcher === null ||
        typeof (this.#dispatcher as { dispatch?: unknown }).dispatch !== 'function')
    ) {
      throw new TypeError('withDispatcher: expected an undici Dispatcher');
    }
    const maxResponseBytes = positiveInteger(this.#maxResponseBytes, 'withMaxResponseBytes');
    const transport = transportFeatures(this.#transport, this.#proxy, this.#dispatcher);

    const trusted = new Set<string>();
    if (base) trusted.add(base.origin);
    for (const origin of this.#trustedOrigins) trusted.add(originOf(origin, 'withTrustedOrigins'));
    if (authHook && trusted.size === 0) {
      throw new TypeError(
        `${this.#authOption}: credentials are only sent to trusted origins; set withBaseUrl or withTrustedOrigins`,
      );
    }

    const retryStrategy = this.#retry ? withOption(this.#retry.option, this.#retry.create) : undefined;
    const requestHooks = this.#requestHooks.map((create) => withOption('withRequestHook', create));
    const responseHooks = this.#responseHooks.map((create) => withOption('withResponseHook', create));
    const errorHooks = this.#errorHooks.map((create) => withOption('withErrorHook', create));

    const sensitiveKeys = [...this.#sensitiveKeys, ...(authHook?.headerNames ?? [])];
    return new HttpClientConfig({
      baseUrl: this.#baseUrl,
      base,
      timeoutMs,
      headers,
      authHook,
      retryStrategy,
      requestHooks,
      responseHooks,
      errorHooks,
      followRedirects: follow,
      maxRedirects,
      tls: this.#tls,
      proxy: this.#proxy,
      connections,
      dispatcher: this.#dispatcher,
      trustedOrigins: [...trusted],
      maxResponseBytes,
      raiseForStatus: this.#raiseForStatus,
      sensitiveKeys,
      ...transport,
    });
  }
}
