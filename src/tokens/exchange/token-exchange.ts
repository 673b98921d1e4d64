import { describeError } from '../../checks/describe-error';
import { ownValue } from '../../checks/options';
import type { RequestInit } from '../../client/request-options';
import { AuthenticationException, PERMANENT_OAUTH_ERRORS } from '../../errors/authentication-exception';
import { ConnectionException, TimeoutException } from '../../errors/transport-errors';
import type { FormFields } from '../../http/body';
import type { HttpResponse } from '../../http/response';
import type { QueryParams } from '../../http/url';
import { sleep } from '../../middleware/sleep';
import { scrubError } from '../../observability/scrub';
import { exponentialDelayMs } from '../../retry/backoff';
import { parseRetryAfterMs } from '../../retry/retry-after';
import { tokenEndpointError, tokenRedirect, tokenRequestFailure } from './token-errors';
import type { TokenHttp } from './token-http';
import { parseTokenBody, type TokenAnswer } from './token-response';

/** One attempt of a token request, built anew for every attempt (fresh assertions and proofs). */
export interface TokenRequest {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH';
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** Sent form-encoded. */
  readonly form?: FormFields;
  /** Sent as JSON. */
  readonly json?: unknown;
  /** Sent as the query string. */
  readonly params?: QueryParams;
  /** Values of this attempt to scrub from anything quoted back (errors, server text). */
  readonly secrets: readonly string[];
}

/** How a token request is sent and retried. */
export interface ExchangeOptions {
  readonly send: TokenHttp;
  /** Named in every error. */
  readonly serviceName: string;
  /** The configured endpoint, named in errors (the URL as sent may carry a GET's fields). */
  readonly url: string;
  /** Retries after a network error, a timeout, 408, 429 or 5xx. */
  readonly maxRetries: number;
  /**
   * DPoP (RFC 9449 §8): told of every answer (its `DPoP-Nonce` is remembered for the next
   * proof); a `400 use_dpop_nonce` that names a nonce then gets one more attempt, built anew.
   */
  readonly onAnswer?: (response: HttpResponse) => void;
}

/** A token endpoint asking for a DPoP nonce it supplied (RFC 9449 §8). */
function asksForNonce(response: HttpResponse, body: Record<string, unknown> | undefined): boolean {
  return (
    response.statusCode === 400 && body?.error === 'use_dpop_nonce' && response.headers.has('dpop-nonce')
  );
}

const TRANSIENT_STATUSES = new Set([408, 429, 500, 502, 503, 504]);
/** Statuses whose `Retry-After` is a request to stop asking until then (RFC 6585 §4, RFC 9110 §15.6.4). */
const THROTTLE_STATUSES = new Set([429, 503]);
const BACKOFF = { baseDelayMs: 200, maxDelayMs: 5_000, multiplier: 2, jitter: true } as const;

/** The request options of one attempt, from the attempt's own fields only (never a polluted prototype's). */
function toInit(request: TokenRequest): RequestInit {
  const own = <K extends keyof TokenRequest>(key: K) => ownValue(request, key);
  const init = { method: request.method, url: request.url, headers: own('headers'), followRedirects: false };
  const form = own('form');
  if (form !== undefined) return { ...init, data: form };
  const json = own('json');
  if (json !== undefined) return { ...init, json };
  const params = own('params');
  if (params !== undefined) return { ...init, params };
  return init;
}

/**
 * The one token-endpoint exchange: every token request the library makes goes through it. Builds
 * each attempt with `build`, sends it without following redirects, retries transient failures
 * (POST included: a token request changes nothing on the server) with backoff and jitter, and
 * turns every failure into an `AuthenticationException` that names the service and quotes no
 * secret. Never retried here: a permanent refusal (`invalid_client`, …, `retryable: false`), and
 * a 429/503 with a `Retry-After` in the future: that is an `ERR_TOKEN_ENDPOINT_THROTTLED` error
 * with `retryAfterMs`, which `TokenManager` remembers for the identity. Resolves with the 2xx
 * answer; reading the token from it is the caller's part (body or header).
 */
export async function exchangeToken(
  build: (attempt: number) => TokenRequest | Promise<TokenRequest>,
  options: ExchangeOptions,
): Promise<TokenAnswer> {
  const { serviceName, url, maxRetries } = options;
  const onAnswer = ownValue(options, 'onAnswer');
  let nonceRetried = false;
  for (let attempt = 0; ; attempt++) {
    let request: TokenRequest;
    try {
      request = await build(attempt);
    } catch (error) {
      if (error instanceof AuthenticationException) throw error;
      throw new AuthenticationException(
        `Building the token request of "${serviceName}" failed (${describeError(error)})`,
        { serviceName, cause: error },
      );
    }
    const sentAt = Date.now();
    let response: HttpResponse;
    try {
      response = await options.send(toInit(request));
    } catch (error) {
      scrubError(error, request.secrets);
      const transient = error instanceof ConnectionException || error instanceof TimeoutException;
      if (transient && attempt < maxRetries) {
        await sleep(exponentialDelayMs(attempt, BACKOFF));
        continue;
      }
      throw tokenRequestFailure(serviceName, error, attempt + 1 + Number(nonceRetried));
    }
    onAnswer?.(response);
    if (response.statusCode >= 300 && response.statusCode < 400)
      throw tokenRedirect(serviceName, response, url);
    if (response.isSuccess)
      return { response, body: parseTokenBody(response), sentAt, secrets: request.secrets };
    const body = parseTokenBody(response);
    if (onAnswer && !nonceRetried && asksForNonce(response, body)) {
      // Not a transient failure: one more attempt with the nonce, outside the retry budget.
      nonceRetried = true;
      attempt--;
      continue;
    }
    const retryAfter = parseRetryAfterMs(response.headers.get('retry-after'));
    // A 429/503 that names a wait is remembered by the caller (no request until then), not retried here.
    const throttleMs =
      THROTTLE_STATUSES.has(response.statusCode) && retryAfter !== undefined && retryAfter > 0
        ? retryAfter
        : undefined;
    const permanent = typeof body?.error === 'string' && PERMANENT_OAUTH_ERRORS.has(body.error);
    if (TRANSIENT_STATUSES.has(response.statusCode) && attempt < maxRetries && !permanent && !throttleMs) {
      await sleep(Math.min(retryAfter ?? exponentialDelayMs(attempt, BACKOFF), BACKOFF.maxDelayMs));
      continue;
    }
    const failure = tokenEndpointError(serviceName, response, body, request.secrets, url, throttleMs);
    failure.attempts = attempt + 1 + Number(nonceRetried);
    throw failure;
  }
}
