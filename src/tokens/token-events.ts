// The manager's diagnostics events: built only when someone subscribes, never holding a secret
// (a token is named by a short fingerprint of its hash).
import { createHash } from 'node:crypto';
import { describeError } from '../checks/describe-error';
import { AuthenticationException } from '../errors/authentication-exception';
import { channels, publish } from '../observability/events';
import type { RenewalReason } from './renewal';
import type { TokenData } from './token-data';

/** 12 hex of the token's SHA-256: tells tokens apart in events without revealing them. */
export function fingerprint(token: TokenData): string {
  return createHash('sha256').update(token.accessToken).digest('hex').slice(0, 12);
}

/** `token:cache-hit`: a request was served the token from memory; a property read when nobody listens. */
export function publishCacheHit(serviceName: string): void {
  if (channels.tokenCacheHit.hasSubscribers) channels.tokenCacheHit.publish({ serviceName });
}

/** A token was obtained from the provider: `token:fetch` (first token) or `token:refresh`. */
export function publishObtained(
  serviceName: string,
  reason: RenewalReason,
  base: TokenData | undefined,
  token: TokenData,
  durationMs: number,
): void {
  publish(base !== undefined ? channels.tokenRefresh : channels.tokenFetch, () => ({
    serviceName,
    reason,
    grant: base?.refreshToken ? 'refresh_token' : 'new',
    durationMs,
    expiresAt: token.expiresAt?.toISOString(),
    rotatedRefreshToken: base?.refreshToken !== undefined && token.refreshToken !== base.refreshToken,
    fingerprint: fingerprint(token),
  }));
}

/** A provider call failed: `token:error` with the error's kind, OAuth code and any wait it asked for. */
export function publishFailed(serviceName: string, reason: RenewalReason, error: unknown): void {
  publish(channels.tokenError, () => ({
    serviceName,
    reason,
    error: error instanceof Error ? error.name : 'Error',
    code: describeError(error),
    oauthError: error instanceof AuthenticationException ? error.error : undefined,
    retryAfterMs: error instanceof AuthenticationException ? error.retryAfterMs : undefined,
  }));
}

/** A token was forgotten: `token:invalidate`. */
export function publishInvalidated(
  serviceName: string,
  reason: 'explicit' | 'rejected',
  token?: TokenData,
): void {
  publish(channels.tokenInvalidate, () => ({
    serviceName,
    reason,
    ...(token ? { fingerprint: fingerprint(token) } : {}),
  }));
}
