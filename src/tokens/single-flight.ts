/**
 * One piece of work per key at a time: callers that arrive while it runs join it. Used for the
 * manager's token (one key) and for each step of a pipeline (the step name).
 */
export class SingleFlight<K, V> {
  readonly #flights = new Map<K, Promise<V>>();

  /** The running flight for `key`, if any. */
  running(key: K): Promise<V> | undefined {
    return this.#flights.get(key);
  }

  /** Joins the flight for `key`, or starts `work` as the new one. */
  run(key: K, work: () => Promise<V>): Promise<V> {
    const running = this.#flights.get(key);
    if (running) return running;
    const flight = work();
    this.#flights.set(key, flight);
    const clear = () => {
      if (this.#flights.get(key) === flight) this.#flights.delete(key);
    };
    // Also marks the flight as handled: a failure nobody awaits any more is no unhandled rejection.
    flight.then(clear, clear);
    return flight;
  }
}

/**
 * Waits for a shared flight, but lets this caller's `signal` end its own wait (rejecting with
 * `aborted(signal)`) without cancelling the flight for the others.
 */
export function waitAbortable<T>(
  flight: Promise<T>,
  signal: AbortSignal | undefined,
  aborted: (signal: AbortSignal) => Error,
): Promise<T> {
  if (!signal) return flight;
  if (signal.aborted) return Promise.reject(aborted(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(aborted(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    flight.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
