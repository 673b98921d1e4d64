// The typed errors of a token request: every one an AuthenticationException naming the service,
// carrying RFC 6749 §5.2 details when the server sent them, never a secret.

import type { Challenge } from '../../auth/challenges';
import { describeError } from '../../checks/describe-error';
import { stripControlChars } from '../../checks/syntax';
import { AuthenticationException } from '../../errors/authentication-exception';
import { HttpClientException } from '../../errors/http-client-exception';
import type { HttpResponse } from '../../http/response';
import { defaultRedactor } from '../../observability/redact';
import { safeServerText } from '../../observability/scrub';

const MAX_DESCRIPTION_CHARS = 300;

/**
 * Server text made safe to quote: control characters stripped, our secrets scrubbed in every
 * spelling and credential pairs redacted before it is truncated.
 */
export function scrubServerText(
  text: string,
  secrets: readonly string[],
  maxChars = MAX_DESCRIPTION_CHARS,
): string {
  return safeServerText(stripControlChars(text).trim(), maxChars, secrets).trim();
}

/** A transport failure of a token request (after its retries). */
export function tokenRequestFailure(
  serviceName: string,
  error: unknown,
  attempts: number,
): AuthenticationException {
  return new AuthenticationException(`Token request for "${serviceName}" failed (${describeError(error)})`, {
    serviceName,
    cause: error,
    attempts: error instanceof HttpClientException ? Math.max(error.attempts, attempts) : attempts,
  });
}

/** A 2xx whose body is not a token response (HTML, empty, …). */
export function notATokenResponse(
  serviceName: string,
  response: HttpResponse,
  secrets: readonly string[],
): AuthenticationException {
  const type = scrubServerText(
    response.headers.get('content-type')?.split(';')[0] ?? 'no content type',
    secrets,
    100,
  );
  return new AuthenticationException(
    `Token endpoint of "${serviceName}" answered ${response.statusCode} without a token response (${type})`,
    { serviceName, statusCode: response.statusCode },
  );
}

/** A redirect from a token endpoint: never followed, since the request carries credentials. */
export function tokenRedirect(
  serviceName: string,
  response: HttpResponse,
  url: string,
): AuthenticationException {
  return new AuthenticationException(
    `Token endpoint of "${serviceName}" answered ${response.statusCode} (a redirect); token requests never follow redirects, configure the final URL`,
    {
      serviceName,
      statusCode: response.statusCode,
      context: { statusCode: response.statusCode, tokenUrl: url },
    },
  );
}

/**
 * A refused token request (non-2xx, or a 2xx with an `error` field) with RFC 6749 §5.2 details.
 * `url` is the configured endpoint (the URL as sent may carry a GET's fields).
 */
export function tokenEndpointError(
  serviceName: string,
  response: HttpResponse,
  body: Record<string, unknown> | undefined,
  secrets: readonly string[],
  url: string,
  retryAfterMs?: number,
): AuthenticationException {
  const error = typeof body?.error === 'string' ? scrubServerText(body.error, secrets, 100) : undefined;
  const description =
    typeof body?.error_description === 'string'
      ? scrubServerText(body.error_description, secrets)
      : undefined;
  const summary = error
    ? `${error}${description ? ` (${description})` : ''}`
    : 'no OAuth error in the answer';
  const throttled = retryAfterMs !== undefined;
  return new AuthenticationException(
    `Token request for "${serviceName}" failed: HTTP ${response.statusCode}, ${summary}` +
      (throttled ? `; the endpoint asked to wait ${Math.ceil(retryAfterMs / 1000)} s (Retry-After)` : ''),
    {
      serviceName,
      error,
      errorDescription: description,
      statusCode: response.statusCode,
      retryAfterMs,
      challenges: scrubbedChallenges(response, secrets),
      context: { statusCode: response.statusCode, tokenUrl: defaultRedactor.url(url) },
    },
    throttled ? 'ERR_TOKEN_ENDPOINT_THROTTLED' : 'ERR_AUTHENTICATION',
  );
}

/** The answer's challenges (RFC 6749 §5.2: a 401 carries one), with our secrets scrubbed from every value. */
function scrubbedChallenges(response: HttpResponse, secrets: readonly string[]): readonly Challenge[] {
  return response.challenges().map((challenge) => ({
    scheme: challenge.scheme,
    ...(challenge.token68 === undefined ? {} : { token68: scrubServerText(challenge.token68, secrets) }),
    params: Object.fromEntries(
      Object.entries(challenge.params).map(([name, value]) => [name, scrubServerText(value, secrets)]),
    ),
  }));
}
