import { ownRecord, ownValue } from '../../checks/options';
import type { HttpResponse } from '../../http/response';
import { TokenData, type TokenResponseKeys } from '../token-data';
import { notATokenResponse, tokenEndpointError } from './token-errors';

/** A successful (2xx) answer of the token endpoint. */
export interface TokenAnswer {
  readonly response: HttpResponse;
  /** The body as an object (JSON or form-encoded), if it is one. */
  readonly body: Record<string, unknown> | undefined;
  /** When the request was sent: the token's lifetime starts here. */
  readonly sentAt: number;
  /** The values sent with the successful attempt, to scrub from anything quoted back. */
  readonly secrets: readonly string[];
}

/** A token endpoint's body as an object: JSON, or form-encoded; `undefined` for anything else. */
export function parseTokenBody(response: HttpResponse): Record<string, unknown> | undefined {
  const text = response.text.trim();
  if (text === '') return undefined;
  const type = response.headers.get('content-type') ?? '';
  // Own fields only (a null-prototype copy): a polluted Object.prototype cannot supply an
  // access_token, a token_type or an error the server did not send.
  if (text.startsWith('{')) {
    const value = response.jsonOrNull<unknown>();
    return value && typeof value === 'object' && !Array.isArray(value)
      ? ownRecord(value as Record<string, unknown>)
      : undefined;
  }
  // Some servers answer form-encoded (RFC 6749 allows other formats by extension; GitHub did).
  if (type.includes('x-www-form-urlencoded') || (type.includes('text/plain') && /^[\w.~%+-]+=/.test(text))) {
    return ownRecord(Object.fromEntries(new URLSearchParams(text)));
  }
  return undefined;
}

/** How to read a token from a 2xx answer's body. */
export interface TokenBodyOptions {
  readonly serviceName: string;
  /** The configured endpoint, for errors. */
  readonly url: string;
  /** Values sent with the request, scrubbed from what the server quotes back. */
  readonly secrets: readonly string[];
  /** Field names, when they are not the OAuth ones. */
  readonly keys?: Omit<TokenResponseKeys, 'now' | 'serviceName'>;
  /** The token being replaced: its refresh token is kept when the server leaves it out. */
  readonly previous?: TokenData;
}

/**
 * Reads the token from a 2xx answer (the OAuth 2 token response, RFC 6749 §5.1): an `error`
 * field is a refusal; a body without a token is an error; the lifetime counts from before the
 * request was sent (conservative and free).
 */
export function tokenFromBody(answer: TokenAnswer, options: TokenBodyOptions): TokenData {
  const { response, body, sentAt } = answer;
  const { serviceName, secrets } = options;
  const previous = ownValue(options, 'previous');
  if (typeof body?.error === 'string')
    throw tokenEndpointError(serviceName, response, body, secrets, options.url);
  if (!body) throw notATokenResponse(serviceName, response, secrets);
  const token = TokenData.fromResponse(body, { ...ownValue(options, 'keys'), now: sentAt, serviceName });
  // Servers may omit the refresh token on refresh (RFC 6749 §6): keep the one we have.
  if (!token.refreshToken && previous?.refreshToken)
    return token.with({ refreshToken: previous.refreshToken });
  return token;
}
