// Validation of retry-strategy options: a RangeError naming the option, never a silent default.

export function nonNegativeInteger(value: unknown, option: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new RangeError(`${option} must be a non-negative integer, got ${String(value)}`);
  }
  return value;
}

export function positiveInteger(value: unknown, option: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new RangeError(`${option} must be a positive integer, got ${String(value)}`);
  }
  return value;
}

export function nonNegativeMs(value: unknown, option: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new RangeError(`${option} must be a non-negative number of ms, got ${String(value)}`);
  }
  return value;
}

export function multiplier(value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 1) {
    throw new RangeError(`multiplier must be a number >= 1, got ${String(value)}`);
  }
  return value;
}
