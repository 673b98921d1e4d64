// How long a storage keeps a token. An entry that holds a refresh token outlives its access
// token: a restarted process (or another of the fleet) must find the newest refresh token there,
// since the server may have rotated the one it was configured with. Pure.
import type { TokenData } from '../token-data';

/**
 * How long an entry with a refresh token is kept after its access token expired, when the
 * token response did not say how long the refresh token lives (`refresh_expires_in`).
 */
export const REFRESH_TOKEN_RETENTION_MS = 30 * 24 * 60 * 60 * 1000;

function refreshLifetimeMs(token: TokenData): number | undefined {
  const value = token.extra.refresh_expires_in;
  const seconds = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  // 0 means "does not expire by time" (Keycloak's offline tokens): keep the default retention.
  return typeof seconds === 'number' && Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : undefined;
}

/**
 * When a stored token may be dropped (epoch ms); `undefined`: never (a token without expiry).
 * Without a refresh token, when the access token expires; with one, when the refresh token does
 * (`refresh_expires_in`), else {@link REFRESH_TOKEN_RETENTION_MS} after the access token.
 * @example storedUntil(token) - Date.now() // the TTL a storage sets
 */
export function storedUntil(token: TokenData): number | undefined {
  const expiresAt = token.expiresAt?.getTime();
  if (expiresAt === undefined) return undefined;
  if (!token.refreshToken) return expiresAt;
  const refreshMs = refreshLifetimeMs(token);
  return refreshMs === undefined
    ? expiresAt + REFRESH_TOKEN_RETENTION_MS
    : Math.max(expiresAt, token.issuedAt.getTime() + refreshMs);
}
