import type { TokenData } from './token-data';

/** How close to its expiry a token may still be used, and when it should be renewed. */
export interface FreshnessPolicy {
  /** The most leeway before `expiresAt`; the actual leeway is min(this, 10 % of the lifetime). */
  readonly refreshLeewayMs: number;
}

/** The most refresh-ahead window; the actual window is min(this, 20 % of the lifetime). */
export const MAX_REFRESH_WINDOW_MS = 5 * 60_000;

/** When a token stops being served and when a background renewal should start (epoch ms). */
export interface TokenSchedule {
  /** Serve the token while `now < usableUntil`. */
  readonly usableUntil: number;
  /** From here on, serve it but renew it in the background. */
  readonly refreshFrom: number;
}

const NEVER: TokenSchedule = Object.freeze({
  usableUntil: Number.POSITIVE_INFINITY,
  refreshFrom: Number.POSITIVE_INFINITY,
});

/**
 * The schedule of a token: leeway = min(refreshLeewayMs, 10 % of the lifetime) so short-lived
 * tokens are never "always expired"; refresh-ahead in the last min(5 min, 20 %) of the lifetime.
 */
export function scheduleOf(token: TokenData, policy: FreshnessPolicy): TokenSchedule {
  if (token.expiresAt === undefined) return NEVER;
  const expiresAt = token.expiresAt.getTime();
  const lifetime = Math.max(0, expiresAt - token.issuedAt.getTime());
  const leeway = Math.min(policy.refreshLeewayMs, lifetime * 0.1);
  const window = Math.min(MAX_REFRESH_WINDOW_MS, lifetime * 0.2);
  const usableUntil = expiresAt - leeway;
  // A leeway larger than the window (refreshLeewayMs > 5 min) must not leave the window empty of time.
  return { usableUntil, refreshFrom: Math.min(expiresAt - window, usableUntil) };
}
