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
 * The runners subscribers hand to a start message (`message.wrap(runner)`), applied around the
 * work in the order they were given (the first one outermost).
 */
export class Runners {
  #runners: Runner[] | undefined;

  /** Bound, so it can be handed out as a message's `wrap`. */
  readonly wrap = (runner: Runner): void => {
    if (typeof runner !== 'function') throw new TypeError('wrap: expected a function');
    (this.#runners ??= []).push(runner);
  };

  /** Runs `work` inside every runner given so far. */
  run<T>(work: () => T): T {
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
