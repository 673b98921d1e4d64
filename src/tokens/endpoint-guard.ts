// Protects a token endpoint from us, for one token identity: remembers a Retry-After, backs off
// after consecutive failures, and never repeats a permanent refusal. Pure policy and state: the
// clock and the randomness are the caller's.
import { AuthenticationException } from '../errors/authentication-exception';

/**
 * The longest `Retry-After` honoured: a misconfigured or hostile endpoint asking for a day (or a
 * year, remembered in a shared storage) must not stop a fleet for that long.
 */
export const MAX_RETRY_AFTER_MS = 60 * 60_000;

/** How the guard backs off. */
export interface EndpointGuardPolicy {
  /** The wait after the first failure; it doubles with every further consecutive failure. */
  readonly minRefreshIntervalMs: number;
  /** The longest wait, and the wait after a permanent refusal. */
  readonly maxRefreshBackoffMs: number;
  /** Uniform in [0, 1): the jitter. */
  readonly random: () => number;
}

/** Why no token request may be sent now, and until when (epoch ms of the caller's clock). */
export interface Hold {
  /** `throttled`: the endpoint asked to wait (429/503 `Retry-After`); `backoff`: it failed repeatedly; `refused`: it refused the client for good. */
  readonly reason: 'throttled' | 'backoff' | 'refused';
  readonly until: number;
  /** Consecutive failures so far. */
  readonly failures: number;
  /** The failure that caused the hold (absent for a throttle learned from a shared storage). */
  readonly cause?: AuthenticationException;
  /** The status that asked for the wait, for a throttle. */
  readonly statusCode?: number;
}

/**
 * The wait after `failures` consecutive failures: `minRefreshIntervalMs × 2^(failures − 1)`,
 * stretched by up to half again at random (so a fleet does not come back in step), capped at
 * `maxRefreshBackoffMs`. Never shorter than `minRefreshIntervalMs` (unless the cap is).
 * @example backoffMs(3, { minRefreshIntervalMs: 2000, maxRefreshBackoffMs: 60_000, random: () => 0 }) // 8000
 */
export function backoffMs(failures: number, policy: EndpointGuardPolicy): number {
  const base = policy.minRefreshIntervalMs * 2 ** Math.max(0, failures - 1);
  return Math.min(policy.maxRefreshBackoffMs, base * (1 + policy.random() / 2));
}

/**
 * The state of one identity's token endpoint, as this process sees it. `hold(now)` says whether
 * a token request may be sent; `failed`/`throttled`/`succeeded` feed it outcomes.
 */
export class EndpointGuard {
  readonly #policy: EndpointGuardPolicy;
  #failures = 0;
  #hold: Hold | undefined;

  constructor(policy: EndpointGuardPolicy) {
    this.#policy = policy;
  }

  /** What holds token requests back at `now`, or `undefined` when one may be sent. */
  hold(now: number): Hold | undefined {
    const hold = this.#hold;
    return hold !== undefined && now < hold.until ? hold : undefined;
  }

  /** A token request succeeded: the backoff starts over. */
  succeeded(): void {
    this.#failures = 0;
    this.#hold = undefined;
  }

  /**
   * A token request failed with `error`: a `Retry-After` holds requests until then; a permanent
   * refusal (`retryable: false`) holds them for `maxRefreshBackoffMs`; anything else backs off.
   * Returns the new hold.
   */
  failed(error: unknown, now: number): Hold {
    const cause = error instanceof AuthenticationException ? error : undefined;
    if (cause?.retryAfterMs !== undefined && cause.retryAfterMs > 0)
      return this.throttled(now + Math.min(cause.retryAfterMs, MAX_RETRY_AFTER_MS), cause.statusCode, cause);
    this.#failures++;
    const refused = cause !== undefined && !cause.retryable;
    const waitMs = refused ? this.#policy.maxRefreshBackoffMs : backoffMs(this.#failures, this.#policy);
    return this.#set({
      reason: refused ? 'refused' : 'backoff',
      until: now + waitMs,
      failures: this.#failures,
      cause,
    });
  }

  /**
   * The endpoint asked to wait until `until` (here, or in another process through a shared
   * storage); at most {@link MAX_RETRY_AFTER_MS} from `now` is honoured.
   */
  throttled(until: number, statusCode?: number, cause?: AuthenticationException): Hold {
    const current = this.#hold;
    // Never shorten a longer hold (a permanent refusal, a longer Retry-After).
    if (current !== undefined && current.until >= until) return current;
    return this.#set({ reason: 'throttled', until, failures: this.#failures, cause, statusCode });
  }

  #set(hold: Hold): Hold {
    this.#hold = Object.freeze(hold);
    return this.#hold;
  }
}

/**
 * The error a caller gets at once while a hold lasts (no token request is sent): code
 * `ERR_TOKEN_ENDPOINT_THROTTLED` with `retryAfterMs`, or, after a permanent refusal, the
 * refusal's details with `retryable: false`.
 */
export function heldError(serviceName: string, hold: Hold, now: number): AuthenticationException {
  const retryAfterMs = Math.max(1, Math.ceil(hold.until - now));
  const cause = hold.cause;
  const details = {
    serviceName,
    retryAfterMs,
    error: cause?.error,
    errorDescription: cause?.errorDescription,
    statusCode: cause?.statusCode ?? hold.statusCode,
    challenges: cause?.challenges,
    cause,
    context: { reason: hold.reason, failures: hold.failures },
  };
  if (hold.reason === 'refused') {
    return new AuthenticationException(
      `The token endpoint of "${serviceName}" refused this client (${cause?.error ?? 'permanent error'}); ` +
        `asking again cannot help, so no token request is sent for ${retryAfterMs} ms: fix the configuration`,
      { ...details, retryable: false },
    );
  }
  const why =
    hold.reason === 'throttled'
      ? `asked to wait (HTTP ${details.statusCode ?? 429}, Retry-After)`
      : `failed ${hold.failures} time${hold.failures === 1 ? '' : 's'} in a row`;
  return new AuthenticationException(
    `The token endpoint of "${serviceName}" ${why}; no token request is sent for ${retryAfterMs} ms`,
    { ...details, retryable: true },
    'ERR_TOKEN_ENDPOINT_THROTTLED',
  );
}
