/** The origins that may receive credentials: the base URL's and `withTrustedOrigins`. */
export class OriginTrust {
  readonly #origins: ReadonlySet<string>;
  /** The last origin asked about and its answer: a service calls few origins, most often one. */
  #lastOrigin: string | undefined = undefined;
  #lastTrusted = false;

  constructor(origins: Iterable<string>) {
    this.#origins = new Set(origins);
  }

  isTrusted(origin: string): boolean {
    if (origin !== this.#lastOrigin) {
      this.#lastTrusted = this.#origins.has(origin);
      this.#lastOrigin = origin;
    }
    return this.#lastTrusted;
  }

  toJSON(): string[] {
    return [...this.#origins];
  }
}
