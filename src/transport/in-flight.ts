import type { Dispatcher } from 'undici';
import { HttpClientException } from '../errors/http-client-exception';

/** How long `close()` lets requests in flight finish before their connections are destroyed. */
export const CLOSE_GRACE_MS = 1_000;

/** The finest and the coarsest deadline sweep, in milliseconds. */
const SWEEP_MIN_MS = 10;
const SWEEP_MAX_MS = 1_000;

/**
 * How often deadlines are checked while a request with this timeout is in flight: a tenth of the
 * timeout, between 10 ms and 1 s. A request fails at most that long after its deadline.
 */
export function sweepIntervalMs(timeoutMs: number): number {
  return Math.min(SWEEP_MAX_MS, Math.max(SWEEP_MIN_MS, Math.ceil(timeoutMs / 10)));
}

/** An exchange in flight, as the deadline sweep sees it. */
export interface TimedExchange {
  /** `performance.now()` time by which it must be done; `Infinity` once nothing bounds it (a streamed body). */
  readonly deadline: number;
  /** Its place in the in-flight list while in flight, else -1 (kept by {@link InFlight} only). */
  inFlightSlot: number;
  /** Fails the exchange with its time-out (it then ends itself). */
  expire(): void;
}

/**
 * The exchanges a transport has in flight (a streamed response until its body stream closes),
 * so `close()` can wait for them, but only for a grace period; and their deadlines.
 *
 * No timer per request: one sweep per transport runs while anything is in flight and fails the
 * exchanges whose deadline passed: a silent server, a queued request, a body that trickles
 * (undici's own timers are off for them; only a streamed body keeps undici's idle timer).
 * When the last exchange ends the sweep stops holding the process open, and it stops for good at
 * its next tick if nothing started meanwhile, so no timer outlives the requests.
 */
export class InFlight {
  /**
   * An array with swap-removal, each exchange holding its index: a `Set` would give every
   * exchange an identity hash, which costs far more than the bookkeeping itself.
   */
  readonly #exchanges: TimedExchange[] = [];
  #sweep: NodeJS.Timeout | undefined;
  #sweepMs = Number.POSITIVE_INFINITY;
  #onIdle: (() => void) | undefined;
  #closing = false;

  /**
   * The client is being closed: whatever still ends an exchange from now on (the dispatcher's
   * destroy, a proxy tunnel it tears down) ends it because of the close.
   */
  get closing(): boolean {
    return this.#closing;
  }

  /** An exchange started; it fails at its deadline unless it ended before. */
  start(exchange: TimedExchange, timeoutMs: number): void {
    const exchanges = this.#exchanges;
    exchange.inFlightSlot = exchanges.length;
    exchanges.push(exchange);
    const every = sweepIntervalMs(timeoutMs);
    if (every < this.#sweepMs) this.#arm(every);
    else if (exchanges.length === 1) this.#sweep!.ref();
  }

  /** An exchange ended: at its error, its buffered response, or when its streamed body closed. */
  end(exchange: TimedExchange): void {
    const slot = exchange.inFlightSlot;
    if (slot < 0) return;
    exchange.inFlightSlot = -1;
    const exchanges = this.#exchanges;
    const last = exchanges.pop()!;
    if (last !== exchange) {
      exchanges[slot] = last;
      last.inFlightSlot = slot;
    }
    if (exchanges.length > 0) return;
    this.#sweep?.unref();
    this.#onIdle?.();
  }

  /** Resolves `true` once nothing is in flight, or `false` after `graceMs`. */
  drained(graceMs: number): Promise<boolean> {
    if (this.#exchanges.length === 0) return Promise.resolve(true);
    return new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => {
        this.#onIdle = undefined;
        resolve(false);
      }, graceMs);
      this.#onIdle = () => {
        clearTimeout(timer);
        this.#onIdle = undefined;
        resolve(true);
      };
    });
  }

  /** The close is past its grace period: exchanges that end from now on were ended by it. */
  markClosing(): void {
    this.#closing = true;
  }

  /** Stops the sweep (the transport closed). */
  stop(): void {
    clearInterval(this.#sweep);
    this.#sweep = undefined;
    this.#sweepMs = Number.POSITIVE_INFINITY;
  }

  #arm(every: number): void {
    clearInterval(this.#sweep);
    this.#sweepMs = every;
    this.#sweep = setInterval(() => this.#tick(), every);
  }

  #tick(): void {
    const exchanges = this.#exchanges;
    if (exchanges.length === 0) {
      this.stop();
      return;
    }
    const now = performance.now();
    // Backwards: an expired exchange ends itself, and the one moved into its slot was already seen.
    for (let i = exchanges.length - 1; i >= 0; i--) {
      const exchange = exchanges[i];
      if (exchange !== undefined && now >= exchange.deadline) exchange.expire();
    }
  }
}

/**
 * Closes a dispatcher promptly: waits up to `graceMs` for the exchanges in flight, then destroys
 * it, which also ends what is stuck (a CONNECT at a stalled proxy, a socket that never drains).
 * Never `close()` first: undici's `Agent.close()` forgets its pools, so a later `destroy()` could
 * no longer reach a connection that hangs. An idle pool loses nothing by being destroyed.
 */
export async function closePromptly(
  dispatcher: Dispatcher,
  inFlight: InFlight,
  graceMs: number,
): Promise<void> {
  await inFlight.drained(graceMs);
  inFlight.markClosing();
  await dispatcher.destroy(closedInFlight()).catch(() => undefined);
  inFlight.stop();
}

/**
 * The error of an exchange ended by `close()`: one per exchange, whatever the dispatcher gave
 * (an Agent passes on the reason it is destroyed with; a ProxyAgent ends its tunnels with
 * undici's own `UND_ERR_DESTROYED`).
 */
export function closedInFlight(): HttpClientException {
  return new HttpClientException(
    'The client was closed while this request was in flight',
    {},
    'ERR_CLIENT_CLOSED',
  );
}
