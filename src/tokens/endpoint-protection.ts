import type { AuthenticationException } from '../errors/authentication-exception';
import { type EndpointGuard, heldError, MAX_RETRY_AFTER_MS } from './endpoint-guard';
import type { GuardedStorage } from './guarded-storage';

/**
 * One token identity's protection as the manager uses it: the process's {@link EndpointGuard}
 * plus, with a storage that shares throttles, the fleet's. A 429/503 `Retry-After` seen here is
 * written to the storage; one seen by another process is read from it before each token request.
 */
export class EndpointProtection {
  readonly #guard: EndpointGuard;
  readonly #store: GuardedStorage;
  readonly #key: string;
  readonly #serviceName: string;
  readonly #now: () => number;

  constructor(
    guard: EndpointGuard,
    store: GuardedStorage,
    key: string,
    serviceName: string,
    now: () => number,
  ) {
    this.#guard = guard;
    this.#store = store;
    this.#key = key;
    this.#serviceName = serviceName;
    this.#now = now;
  }

  /** No I/O, no allocation: whether this process holds token requests back now. */
  holding(): boolean {
    return this.#guard.hold(this.#now()) !== undefined;
  }

  /** No I/O: the error callers get now if this process holds token requests back, else `undefined`. */
  heldLocally(): AuthenticationException | undefined {
    const now = this.#now();
    const hold = this.#guard.hold(now);
    return hold === undefined ? undefined : heldError(this.#serviceName, hold, now);
  }

  /** Right before a token request: the held error, from this process's state or the fleet's, or `undefined`. */
  async admit(): Promise<AuthenticationException | undefined> {
    const local = this.heldLocally();
    if (local !== undefined) return local;
    const shared = await this.#store.readThrottle(this.#key);
    if (shared === undefined) return undefined;
    const now = this.#now();
    const hold = this.#guard.throttled(
      now + Math.min(shared.retryAfterMs, MAX_RETRY_AFTER_MS),
      shared.statusCode,
    );
    return heldError(this.#serviceName, hold, now);
  }

  succeeded(): void {
    this.#guard.succeeded();
  }

  /** Records a failed token request; a throttle is shared with the fleet. */
  async failed(error: unknown): Promise<void> {
    const now = this.#now();
    const hold = this.#guard.failed(error, now);
    if (hold.reason === 'throttled')
      await this.#store.writeThrottle(this.#key, {
        retryAfterMs: hold.until - now,
        statusCode: hold.statusCode,
      });
  }
}
