import type { AuthHook } from '../auth/auth-hook';
import type { HttpRequest } from '../http/request';
import type { CallMessage } from '../observability/event-messages';

/**
 * State of one client call, shared by its retries and handed to every hook.
 *
 * @example
 * ```ts
 * builder.withRequestHook((request, context) => {
 *   context.metadata.startedAt ??= Date.now();
 *   return request;
 * });
 * ```
 */
export class RequestContext {
  /** 0 for the first try, then 1, 2, … for request retries. */
  attempt = 0;
  /** The retry budget of the configured strategy. */
  readonly maxRetries: number;
  #metadata: Record<string, unknown> | undefined;
  /** The request as the caller made it (before hooks and credentials). */
  readonly request: HttpRequest;
  /** @internal how many times the request went on the wire (all hops, replays and retries) */
  sends = 0;
  /** @internal resolve at the headers and hand the body out as a stream */
  readonly stream: boolean;
  /** @internal the call's diagnostics message, while the call channels are observed */
  call: CallMessage | undefined = undefined;
  /** @internal `performance.now()` when the logging hook saw this attempt start; -1 before */
  attemptStartedAt = -1;
  /** @internal the client's auth hook: logs written before its credentials are added scrub them */
  readonly authHook: AuthHook | undefined;

  constructor(request: HttpRequest, maxRetries: number, stream = false, authHook?: AuthHook) {
    this.request = request;
    this.maxRetries = maxRetries;
    this.stream = stream;
    this.authHook = authHook;
  }

  /** Free-form data shared by the hooks of one call (correlation id, rate-limit info…). */
  get metadata(): Record<string, unknown> {
    // Made on first use: most calls have no hook that keeps anything.
    this.#metadata ??= {};
    return this.#metadata;
  }

  /** True from the first retry on. */
  get isRetry(): boolean {
    return this.attempt > 0;
  }

  /** A secret-free description, for logs and `JSON.stringify`. */
  toJSON(): Record<string, unknown> {
    return { attempt: this.attempt, maxRetries: this.maxRetries, isRetry: this.isRetry };
  }
}
