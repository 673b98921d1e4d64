const REMEMBERED_REJECTIONS = 16;

/**
 * What the server said about our tokens: which were rejected (never adopted again, from memory
 * or storage), which was accepted, and whether the last one came from a forced renewal. From
 * that it decides when another renewal would only hammer the token endpoint.
 */
export class RejectionGuard {
  readonly #rejected: string[] = [];
  readonly #minForcedIntervalMs: number;
  #accepted: string | undefined;
  #forcedToken: string | undefined;
  #forcedAt = Number.NEGATIVE_INFINITY;

  constructor(minForcedIntervalMs: number) {
    this.#minForcedIntervalMs = minForcedIntervalMs;
  }

  /** Remembers that the server rejected this access token. */
  noteRejected(accessToken: string): void {
    if (this.#rejected.includes(accessToken)) return;
    this.#rejected.push(accessToken);
    if (this.#rejected.length > REMEMBERED_REJECTIONS) this.#rejected.shift();
  }

  isRejected(accessToken: string): boolean {
    return this.#rejected.includes(accessToken);
  }

  /** Remembers that the server accepted this access token (a later rejection is a real revocation). */
  noteAccepted(accessToken: string): void {
    this.#accepted = accessToken;
  }

  isAccepted(accessToken: string): boolean {
    return this.#accepted === accessToken;
  }

  /** Remembers that this access token was obtained because the previous one was rejected or forced out. */
  noteForced(accessToken: string, now: number): void {
    this.#forcedToken = accessToken;
    this.#forcedAt = now;
  }

  /**
   * False when `accessToken` came from a forced renewal moments ago and was never accepted: the
   * API rejects what the endpoint mints, and renewing again would only hammer the endpoint.
   */
  mayRenew(accessToken: string, now: number): boolean {
    return !(
      this.#forcedToken === accessToken &&
      this.#accepted !== accessToken &&
      now - this.#forcedAt < this.#minForcedIntervalMs
    );
  }
}
