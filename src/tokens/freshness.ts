import type { TokenData } from './token-data';

/** How close to its expiry a token may still be used, and when it should be renewed. */
export interface FreshnessPolicy {
  /** The most leeway before `expiresAt`; the actual leeway is min(this, 10 % of the lifetime). */
  readonly refreshLeewayMs: number;
  /**
   * How long token requests take lately (their p95, in ms; see {@link recentP95}): the renewal
   * ahead of expiry starts at least {@link LATENCY_MARGIN} times this before the token stops
   * being served, so no request waits for it when the endpoint answers in time.
   */
  readonly renewalLatencyMs?: number;
}

/** The most refresh-ahead window; the actual window is min(this, 20 % of the lifetime). */
export const MAX_REFRESH_WINDOW_MS = 5 * 60_000;

/** The refresh-ahead window is at least this many times the recent token-request latency. */
export const LATENCY_MARGIN = 3;

/** The earliest renewal ahead, as a fraction of the lifetime: renewals stay a quarter lifetime apart. */
export const MIN_RENEWAL_AGE = 0.25;

/** How many recent token-request durations the latency is computed from. */
const LATENCY_SAMPLES = 20;

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
 * tokens are never "always expired"; refresh-ahead in the last min(5 min, 20 %) of the lifetime,
 * or earlier when the token endpoint is slow: from `usableUntil − 3 × renewalLatencyMs`, but
 * never before a quarter of the lifetime (renewals stay that far apart, however slow the endpoint).
 */
export function scheduleOf(token: TokenData, policy: FreshnessPolicy): TokenSchedule {
  if (token.expiresAt === undefined) return NEVER;
  const expiresAt = token.expiresAt.getTime();
  const issuedAt = token.issuedAt.getTime();
  const lifetime = Math.max(0, expiresAt - issuedAt);
  const leeway = Math.min(policy.refreshLeewayMs, lifetime * 0.1);
  const window = Math.min(MAX_REFRESH_WINDOW_MS, lifetime * 0.2);
  const usableUntil = expiresAt - leeway;
  // A leeway larger than the window (refreshLeewayMs > 5 min) must not leave the window empty of time.
  let refreshFrom = Math.min(expiresAt - window, usableUntil);
  const latency = policy.renewalLatencyMs ?? 0;
  if (latency > 0) {
    const adaptive = Math.max(usableUntil - LATENCY_MARGIN * latency, issuedAt + lifetime * MIN_RENEWAL_AGE);
    refreshFrom = Math.min(refreshFrom, adaptive);
  }
  return { usableUntil, refreshFrom };
}

/** The 95th percentile of recent durations (ms, nearest rank); 0 without any. */
export function recentP95(durations: readonly number[]): number {
  if (durations.length === 0) return 0;
  const sorted = [...durations].sort((a, b) => a - b);
  return sorted[Math.ceil(0.95 * sorted.length) - 1]!;
}

/** The durations of recent successful token requests and their p95 (see {@link FreshnessPolicy}). */
export class RenewalLatency {
  readonly #samples: number[] = [];
  /** The p95 of the last {@link LATENCY_SAMPLES} durations (ms); 0 before the first. */
  p95 = 0;

  /** A token request took `ms`. */
  record(ms: number): void {
    const samples = this.#samples;
    samples.push(Math.max(0, ms));
    if (samples.length > LATENCY_SAMPLES) samples.shift();
    this.p95 = recentP95(samples);
  }
}
