/** The origins that may receive credentials: the base URL's and `withTrustedOrigins`. */
export class OriginTrust {
  readonly #origins: ReadonlySet<string>;

  constructor(origins: Iterable<string>) {
    this.#origins = new Set(origins);
  }

  isTrusted(origin: string): boolean {
    return this.#origins.has(origin);
  }

  toJSON(): string[] {
    return [...this.#origins];
  }
}
