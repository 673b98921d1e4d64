import { TimeoutException } from '../errors/transport-errors';
import { HttpRequest } from '../http/request';

/**
 * The budget of one auth attempt: the time spent waiting for credentials (a token being
 * fetched, a renewal after a rejection) and the send that follows share the request's timeout,
 * so a slow token endpoint cannot hold a request past `timeoutMs`. An attempt whose credentials
 * are at hand (the hot path) never reads the clock.
 */
export class CredentialWait {
  readonly #timeoutMs: number;
  #waitedMs = 0;

  constructor(request: HttpRequest, defaultTimeoutMs: number) {
    this.#timeoutMs = request.timeoutMs ?? defaultTimeoutMs;
  }

  /**
   * Waits for `pending` within what is left of the budget. On time-out rejects with a
   * `TimeoutException` (context `reason: 'token_wait'`); the work itself goes on for other callers.
   */
  within<T>(pending: Promise<T>, request: HttpRequest): Promise<T> {
    const started = performance.now();
    const leftMs = this.#timeoutMs - this.#waitedMs;
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      const settle = (): boolean => {
        if (settled) return false;
        settled = true;
        clearTimeout(timer);
        this.#waitedMs += performance.now() - started;
        return true;
      };
      const timer = setTimeout(() => settle() && reject(this.#timedOut(request)), Math.max(0, leftMs));
      pending.then(
        (value) => settle() && resolve(value),
        (error: unknown) => settle() && reject(error),
      );
    });
  }

  /** `sent` with the time left for its send (the timeout minus the waits), or as is when nothing was waited for. */
  remainder(sent: HttpRequest): HttpRequest {
    if (this.#waitedMs === 0) return sent;
    const leftMs = Math.max(1, Math.floor(this.#timeoutMs - this.#waitedMs));
    return HttpRequest.trusted({ ...sent.fields(), timeoutMs: leftMs });
  }

  #timedOut(request: HttpRequest): TimeoutException {
    const url = request.redactor.url(request.url);
    return new TimeoutException(
      `${request.method} ${url} timed out after ${this.#timeoutMs} ms waiting for its token (credentials); ` +
        'the token request goes on for other callers',
      { context: { method: request.method, url, timeoutMs: this.#timeoutMs, reason: 'token_wait' } },
    );
  }
}
