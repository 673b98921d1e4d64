/**
 * Parses a `Retry-After` header (RFC 9110 §10.2.3): delay-seconds or an HTTP-date.
 * Returns the wait in ms, or `undefined` when absent or malformed (the caller falls back to backoff).
 *
 * @example
 * ```ts
 * parseRetryAfterMs('120');                           // 120_000
 * parseRetryAfterMs('Wed, 21 Oct 2015 07:28:00 GMT'); // ms until then, 0 if past
 * ```
 */
export function parseRetryAfterMs(
  value: string | undefined | null,
  now: number = Date.now(),
): number | undefined {
  if (value === undefined || value === null) return undefined;
  const trimmed = value.trim();
  if (trimmed === '') return undefined;
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  // Only HTTP-dates: a weekday or day number first and a four- or two-digit year, never a bare number.
  if (!/^[A-Za-z]{3},? |^[A-Za-z]+, \d/.test(trimmed)) return undefined;
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}
