/** Exit codes of the `requestforge` command. */
export const EXIT = Object.freeze({
  /** Success. */
  ok: 0,
  /** The server answered with an HTTP error status (4xx, 5xx). */
  httpError: 1,
  /** Bad arguments, a bad or missing configuration, a secret reference that does not resolve. */
  usage: 2,
  /** No token could be obtained (the token endpoint refused, or answered something unusable). */
  auth: 3,
  /** The server could not be reached (refused, reset, DNS, TLS, timeout). */
  network: 4,
});

/** A mistake of the user's (arguments, configuration): exit code 2, one line, no stack. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  /** Point the user at `--help` (a mistake in the arguments, not in the configuration). */
  readonly showUsage: boolean;

  constructor(message: string, showUsage = false) {
    super(message);
    this.showUsage = showUsage;
  }
}
