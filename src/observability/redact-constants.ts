/** What a redacted value prints as. */
export const REDACTED = '[REDACTED]';

/** `util.inspect.custom`, without importing `node:util` on the hot path. */
export const INSPECT: unique symbol = Symbol.for('nodejs.util.inspect.custom') as never;
