/**
 * Runs a piece of work inside something (an OpenTelemetry context made active, a logger's
 * correlation scope) and returns what the work returned.
 *
 * @example
 * ```ts
 * const inTrace: Runner = (run) => context.with(trace.setSpan(context.active(), span), run);
 * ```
 */
export type Runner = <T>(run: () => T) => T;

/**
 * A start message whose work subscribers may wrap (`message.wrap(runner)`); the runners are
 * applied in the order they were given, the first one outermost.
 */
export class WrappableEvent {
  #runners: Runner[] | undefined;

  /** Runs the work this message announces inside `runner` (callable while the message is published). */
  wrap(runner: Runner): void {
    if (typeof runner !== 'function') throw new TypeError('wrap: expected a function');
    this.#runners ??= [];
    this.#runners.push(runner);
  }

  /** Runs `work` inside every runner given so far. */
  protected runWrapped<T>(work: () => T): T {
    const runners = this.#runners;
    if (runners === undefined) return work();
    let next = work;
    for (let i = runners.length - 1; i >= 0; i--) {
      const runner = runners[i]!;
      const inner = next;
      next = () => runner(inner);
    }
    return next();
  }
}
