// One home for numeric option checks: a RangeError naming the option, never a silent default.

function fail(option: string, expected: string, value: unknown): never {
  throw new RangeError(`${option} must be ${expected}, got ${String(value)}`);
}

/** A finite number of milliseconds above zero. */
export function positiveMs(value: unknown, option: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0)
    fail(option, 'a positive number of milliseconds', value);
  return value;
}

/** A finite number of milliseconds, zero allowed. */
export function nonNegativeMs(value: unknown, option: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
    fail(option, 'a non-negative number of milliseconds', value);
  return value;
}

/** An integer of at least 1. */
export function positiveInteger(value: unknown, option: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1)
    fail(option, 'a positive integer', value);
  return value;
}

/** An integer of at least 0. */
export function nonNegativeInteger(value: unknown, option: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0)
    fail(option, 'a non-negative integer', value);
  return value;
}

/** A finite number of at least 1 (a backoff multiplier). */
export function atLeastOne(value: unknown, option: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 1) fail(option, 'a number >= 1', value);
  return value;
}

/** A set of HTTP status codes (100–599). */
export function statusCodes(codes: Iterable<number>, option: string): ReadonlySet<number> {
  const set = new Set(codes);
  for (const code of set) {
    if (!Number.isInteger(code) || code < 100 || code > 599) fail(option, 'HTTP status codes', code);
  }
  return set;
}
