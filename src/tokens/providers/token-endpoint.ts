import { HttpClient } from '../../client/http-client';
import { HttpClientConfigBuilder } from '../../config/http-client-config-builder';
import { AuthenticationException } from '../../errors/authentication-exception';
import { HttpClientException } from '../../errors/http-client-exception';
import { encodeForm } from '../../http/body';
import type { HttpResponse } from '../../http/response';
import type { Dispatcher } from '../../transport/dispatcher';
import { TokenData } from '../token-data';

/** Options shared by the OAuth 2 providers for their token endpoint calls. */
export interface TokenEndpointOptions {
  /**
   * Per-attempt timeout of a token request.
   * @default 10000
   */
  readonly timeoutMs?: number;
  /**
   * Retries of a token request after a network error, a timeout, 408, 429 or 5xx (with
   * exponential backoff and jitter, honouring `Retry-After`). 4xx answers are never retried.
   * @default 2
   */
  readonly maxRetries?: number;
  /**
   * A client for the token endpoint (for TLS, mTLS, proxies). It should not follow redirects.
   * @default a private client: no redirects, 1 MiB response cap, the timeout and retries above
   */
  readonly httpClient?: HttpClient;
  /** An undici dispatcher for the private client (ignored with `httpClient`). */
  readonly dispatcher?: Dispatcher;
}

const MAX_TOKEN_RESPONSE_BYTES = 1024 * 1024;
const MAX_DESCRIPTION_CHARS = 300;

/** RFC 6749 §2.3.1: the client id and secret are form-urlencoded before Basic encoding. */
export function clientSecretBasic(clientId: string, clientSecret: string): string {
  const encode = (value: string) => encodeURIComponent(value).replaceAll('%20', '+');
  return `Basic ${Buffer.from(`${encode(clientId)}:${encode(clientSecret)}`, 'utf8').toString('base64')}`;
}

/**
 * The HTTP client for token requests: the caller's `httpClient`, or a private one that never
 * follows redirects (credentials must not travel), caps answers at 1 MiB, times out and retries
 * transient failures (POST included: a token request changes nothing on the server).
 */
export function createTokenHttpClient(options: TokenEndpointOptions): HttpClient {
  if (options.httpClient) {
    if (!(options.httpClient instanceof HttpClient)) throw new TypeError('httpClient must be an HttpClient');
    return options.httpClient;
  }
  const builder = new HttpClientConfigBuilder()
    .withTimeout(options.timeoutMs ?? 10_000)
    .withMaxResponseBytes(MAX_TOKEN_RESPONSE_BYTES)
    .withRedirects({ follow: false })
    .withHeader('Accept', 'application/json');
  const maxRetries = options.maxRetries ?? 2;
  if (maxRetries > 0)
    builder.withRetry({ maxRetries, baseDelayMs: 200, maxDelayMs: 5_000, retryMethods: ['GET', 'POST'] });
  if (options.dispatcher) builder.withDispatcher(options.dispatcher);
  return new HttpClient(builder.build());
}

/** A token endpoint's body as an object: JSON, or form-encoded; `undefined` for anything else. */
export function parseTokenBody(response: HttpResponse): Record<string, unknown> | undefined {
  const text = response.text.trim();
  if (text === '') return undefined;
  const type = response.headers.get('content-type') ?? '';
  if (text.startsWith('{')) {
    const value = response.jsonOrNull<unknown>();
    return value && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  }
  // Some servers answer form-encoded (RFC 6749 allows other formats by extension; GitHub did).
  if (type.includes('x-www-form-urlencoded') || (type.includes('text/plain') && /^[\w.~%+-]+=/.test(text))) {
    return Object.fromEntries(new URLSearchParams(text));
  }
  return undefined;
}

/** A transport failure of a token request (after its retries) as an `AuthenticationException`. */
export function tokenRequestFailure(serviceName: string, error: unknown): AuthenticationException {
  const detail =
    error instanceof HttpClientException ? error.code : error instanceof Error ? error.name : 'error';
  return new AuthenticationException(`Token request for "${serviceName}" failed (${detail})`, {
    serviceName,
    cause: error,
    attempts: error instanceof HttpClientException ? error.attempts : 0,
  });
}

/** A 2xx whose body is not a token response (HTML, empty, …). */
export function notATokenResponse(serviceName: string, response: HttpResponse): AuthenticationException {
  const type = response.headers.get('content-type') ?? 'no content type';
  return new AuthenticationException(
    `Token endpoint of "${serviceName}" answered ${response.statusCode} without a token response (${type.split(';')[0]})`,
    { serviceName, statusCode: response.statusCode },
  );
}

/** Control characters stripped, truncated, and any of our own secrets that the server echoed replaced. */
export function scrubServerText(text: string, secrets: readonly string[]): string {
  let out = text
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what we strip
    .replace(/[\u0000-\u001f\u007f]+/g, ' ')
    .trim()
    .slice(0, MAX_DESCRIPTION_CHARS);
  for (const secret of secrets) {
    if (secret.length >= 4) out = out.split(secret).join('[REDACTED]');
  }
  return out;
}

/** A refused token request (non-2xx, or a 200 with an `error` field) with RFC 6749 §5.2 details. */
export function tokenEndpointError(
  serviceName: string,
  response: HttpResponse,
  body: Record<string, unknown> | undefined,
  secrets: readonly string[],
): AuthenticationException {
  const error =
    typeof body?.error === 'string' ? scrubServerText(body.error, secrets).slice(0, 100) : undefined;
  const description =
    typeof body?.error_description === 'string'
      ? scrubServerText(body.error_description, secrets)
      : undefined;
  const summary = error
    ? `${error}${description ? ` (${description})` : ''}`
    : 'no OAuth error in the answer';
  return new AuthenticationException(
    `Token request for "${serviceName}" failed: HTTP ${response.statusCode}, ${summary}`,
    {
      serviceName,
      error,
      errorDescription: description,
      statusCode: response.statusCode,
      context: {
        statusCode: response.statusCode,
        tokenUrl: response.request.redactor.url(response.request.url),
      },
    },
  );
}

/**
 * The token-endpoint client shared by the OAuth 2 providers: POSTs a form, bounds the answer,
 * retries transient failures, and turns every failure into an `AuthenticationException` that
 * names the service and carries RFC 6749 §5.2 `error` / `error_description` — never a secret.
 */
export class TokenEndpoint {
  readonly tokenUrl: string;
  readonly serviceName: string;
  readonly #client: HttpClient;
  readonly #ownsClient: boolean;
  readonly #secrets: () => readonly string[];

  constructor(
    tokenUrl: string,
    serviceName: string,
    options: TokenEndpointOptions,
    secrets: () => readonly string[],
  ) {
    let url: URL;
    try {
      url = new URL(tokenUrl);
    } catch {
      throw new TypeError('tokenUrl must be an absolute http(s) URL');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new TypeError('tokenUrl must be an absolute http(s) URL');
    if (url.username || url.password) throw new TypeError('tokenUrl must not contain credentials');
    this.tokenUrl = url.href;
    this.serviceName = serviceName;
    this.#secrets = secrets;
    this.#client = createTokenHttpClient(options);
    this.#ownsClient = options.httpClient === undefined;
  }

  /** POSTs the form and returns the token, or throws `AuthenticationException`. */
  async requestToken(
    form: Record<string, string>,
    headers: Record<string, string> = {},
    previous?: TokenData,
  ): Promise<TokenData> {
    const sentAt = Date.now();
    let response: HttpResponse;
    try {
      response = await this.#client.post(this.tokenUrl, {
        body: encodeForm(form),
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      });
    } catch (error) {
      throw tokenRequestFailure(this.serviceName, error);
    }
    const body = parseTokenBody(response);
    if (!response.isSuccess || typeof body?.error === 'string') {
      throw tokenEndpointError(this.serviceName, response, body, this.#secrets());
    }
    if (!body) throw notATokenResponse(this.serviceName, response);
    // The lifetime counts from before the request was sent: conservative and free.
    const token = TokenData.fromResponse(body, { now: sentAt, serviceName: this.serviceName });
    // Servers may omit the refresh token on refresh: keep the one we have.
    if (!token.refreshToken && previous?.refreshToken)
      return token.with({ refreshToken: previous.refreshToken });
    return token;
  }

  /** Releases the private client (a client passed as `httpClient` stays open: it is the caller's). */
  async close(): Promise<void> {
    if (this.#ownsClient) await this.#client.close();
  }
}
