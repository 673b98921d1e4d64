import { nonNegativeInteger, positiveMs } from '../../checks/numbers';
import { HttpClient } from '../../client/http-client';
import type { RequestInit } from '../../client/request-options';
import { HttpClientConfigBuilder } from '../../config/http-client-config-builder';
import type { HttpResponse } from '../../http/response';
import type { Dispatcher } from '../../transport/dispatcher';
import type { ProxyFromEnvOptions } from '../../transport/proxy-from-env';
import type { TlsOptions } from '../../transport/undici-transport';

/** Options shared by everything that sends token requests (OAuth providers, pipeline fetchers). */
export interface TokenEndpointOptions {
  /**
   * Per-attempt timeout of a token request.
   * @default 10000
   */
  readonly timeoutMs?: number;
  /**
   * Retries of a token request after a network error, a timeout, 408, 429 or 5xx (with
   * exponential backoff and jitter). Never retried: other 4xx answers, permanent OAuth errors
   * (`invalid_client`, `unauthorized_client`, `unsupported_grant_type`, `invalid_scope`), and a
   * 429/503 whose `Retry-After` lies in the future — `TokenManager` then sends no token request
   * for that identity until it has passed.
   * @default 2
   * @example 0
   */
  readonly maxRetries?: number;
  /**
   * A client for the token endpoint (for TLS, mTLS, proxies, logging). It must not carry the
   * API's credentials: a client with an auth setting or a credential default header is refused
   * with a `TypeError`. Token requests never follow redirects, whatever the client's setting.
   * It stays open when the provider is closed: it is yours.
   * @default a private client: no redirects, 1 MiB response cap, the timeout above
   * @example new HttpClient(new HttpClientConfigBuilder().withTls({ ca }).build())
   */
  readonly httpClient?: HttpClient;
  /**
   * An undici dispatcher for the private client (ignored with `httpClient`).
   * @default a private keep-alive Agent
   */
  readonly dispatcher?: Dispatcher;
  /**
   * Allow a plain-http token endpoint on a host other than this machine. Off, such a URL is a
   * `TypeError` at construction: the client secret, passwords and tokens would cross the network
   * unencrypted. Loopback (`localhost`, 127.0.0.0/8, `[::1]`) is always allowed.
   * @default false
   * @example allowInsecureTokenUrl: true // inside a service mesh that encrypts with mTLS
   */
  readonly allowInsecureTokenUrl?: boolean;
  /**
   * Send token requests through the proxies named by `HTTP_PROXY` / `HTTPS_PROXY` / `NO_PROXY`,
   * as `withProxyFromEnv` does for API requests (`true`, or its options). Ignored with
   * `httpClient` (configure that client instead); not available with `dispatcher`.
   * @default false: token requests connect directly
   * @example { proxyFromEnv: true }
   */
  readonly proxyFromEnv?: boolean | ProxyFromEnvOptions;
}

/** The keys of {@link TokenEndpointOptions}, spread into every token sender's key list. */
export const TOKEN_ENDPOINT_OPTION_KEYS = {
  timeoutMs: true,
  maxRetries: true,
  httpClient: true,
  dispatcher: true,
  allowInsecureTokenUrl: true,
  proxyFromEnv: true,
} as const satisfies Record<keyof TokenEndpointOptions, true>;

/** Sends one token request: the narrow seam between the token code and HTTP. */
export type TokenHttp = (init: RequestInit) => Promise<HttpResponse>;

/** A {@link TokenHttp}, the retries the exchange may spend, and how to release what it holds. */
export interface TokenSender {
  readonly send: TokenHttp;
  readonly maxRetries: number;
  close(): Promise<void>;
}

const MAX_TOKEN_RESPONSE_BYTES = 1024 * 1024;

/** Refuses a caller's client that would hand the API's credentials to the token endpoint. */
function checkCallerClient(client: unknown): HttpClient {
  if (!(client instanceof HttpClient)) throw new TypeError('httpClient must be an HttpClient');
  const { config } = client;
  const credentialHeaders = Object.keys(config.headers).filter((name) => config.redactor.isSensitive(name));
  if (config.authHook !== undefined || credentialHeaders.length > 0) {
    const what = config.authHook
      ? 'an auth setting (withBearerToken, withApiKey, withBasicAuth, withTokenAuth or withAuthHook)'
      : `credential default headers (${credentialHeaders.join(', ')})`;
    throw new TypeError(
      `httpClient carries ${what}; token requests must never carry the API's credentials: pass a client without them`,
    );
  }
  return client;
}

/**
 * The sender of token requests: the caller's `httpClient` (checked), or a private client that
 * caps answers at 1 MiB and times out (with `tls`: a client certificate, a private CA). Retries
 * are the exchange's, so each attempt is built anew.
 */
export function createTokenSender(options: TokenEndpointOptions, tls?: TlsOptions): TokenSender {
  const maxRetries = nonNegativeInteger(options.maxRetries ?? 2, 'maxRetries');
  const timeoutMs = positiveMs(options.timeoutMs ?? 10_000, 'timeoutMs');
  if (options.httpClient !== undefined) {
    const client = checkCallerClient(options.httpClient);
    return { send: (init) => client.request(init), maxRetries, close: async () => undefined };
  }
  const builder = new HttpClientConfigBuilder()
    .withTimeout(timeoutMs)
    .withMaxResponseBytes(MAX_TOKEN_RESPONSE_BYTES)
    .withRedirects({ follow: false })
    .withHeader('Accept', 'application/json');
  if (options.dispatcher) builder.withDispatcher(options.dispatcher);
  if (tls) builder.withTls(tls);
  const fromEnv = options.proxyFromEnv;
  if (fromEnv !== undefined && fromEnv !== false) {
    if (fromEnv !== true && (fromEnv === null || typeof fromEnv !== 'object'))
      throw new TypeError('proxyFromEnv must be a boolean or { env }');
    if (options.dispatcher) throw new TypeError('proxyFromEnv: not available with dispatcher');
    builder.withProxyFromEnv(fromEnv === true ? {} : fromEnv);
  }
  const config = builder.build();
  // Opened on first use and again after close(): closing releases the connections, it does not
  // break a provider that a new client (or a direct call) uses later.
  let client: HttpClient | undefined;
  return {
    send: (init) => {
      client ??= new HttpClient(config);
      return client.request(init);
    },
    maxRetries,
    close: async () => {
      const open = client;
      client = undefined;
      await open?.close();
    },
  };
}
