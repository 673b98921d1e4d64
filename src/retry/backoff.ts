/** Parameters of an exponential backoff. */
export interface BackoffParameters {
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  readonly multiplier: number;
  readonly jitter: boolean;
}

/**
 * The delay before retry number `attempt` (0-based): `cap = min(maxDelayMs, baseDelayMs × multiplier^attempt)`;
 * with jitter a uniformly random value in `[0, cap]` ("full jitter"), else `cap`.
 */
export function exponentialDelayMs(
  attempt: number,
  parameters: BackoffParameters,
  random: () => number = Math.random,
): number {
  const { baseDelayMs, maxDelayMs, multiplier, jitter } = parameters;
  const exponent = Math.max(0, attempt);
  const raw = baseDelayMs * multiplier ** exponent;
  const cap = Math.min(maxDelayMs, Number.isFinite(raw) ? raw : maxDelayMs);
  return jitter ? random() * cap : cap;
}
