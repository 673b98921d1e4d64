import type { HttpRequest } from '../http/request';
import type { HttpResponse } from '../http/response';
import type { AuthRetryStrategy } from '../retry/auth-retry-strategies';
import type { DpopRequestSigner } from './dpop-signer';

/**
 * Custom authentication: decides which requests carry credentials, adds them, and reacts
 * when they are rejected. The client only calls it for requests to trusted origins.
 *
 * @example
 * ```ts
 * const hook: AuthHook = {
 *   retryStrategy: new NoAuthRetryStrategy(),
 *   headerNames: ['x-signature'],
 *   shouldAuthenticate: () => true,
 *   apply: (request) => request.withHeaders({ 'X-Signature': sign(request) }),
 *   isAuthError: (response) => response.statusCode === 401,
 *   refresh: async () => false,
 * };
 * ```
 */
export interface AuthHook {
  /** Whether this request should carry credentials (path exclusions live here). */
  shouldAuthenticate(request: HttpRequest): boolean;
  /** The request with credentials added. May resolve asynchronously (e.g. to fetch a token). */
  apply(request: HttpRequest): HttpRequest | Promise<HttpRequest>;
  /** Whether a response means the credentials were rejected. */
  isAuthError(response: HttpResponse): boolean;
  /**
   * Called after an auth error with the request that was rejected (as sent), before the
   * strategy's delay. Resolves `true` when a replay may succeed: the replay then goes out with
   * whatever `apply` gives (new credentials, or the same ones); `false` returns the auth error.
   * Waiting here counts against the request's timeout.
   */
  refresh(rejected: HttpRequest): Promise<boolean>;
  /** How often, and when, a rejected request is replayed. */
  readonly retryStrategy: AuthRetryStrategy;
  /** Names of the headers this hook sets: redacted in logs and never forwarded to other origins. */
  readonly headerNames?: readonly string[];
  /**
   * DPoP proofs for the sends that carry this hook's DPoP-bound tokens (`TokenAuthHook` of a
   * provider with the `dpop` option): the client then adds a proof per send.
   */
  readonly dpop?: DpopRequestSigner;
  /** Told when a request carrying these credentials got an answer that is not an auth error. */
  onAccepted?(sent: HttpRequest): void;
  /** Called when a client starts using this hook (its constructor). */
  retain?(): void;
  /**
   * Called when a client using this hook closes; releases shared resources (a token manager's
   * provider) once no client uses them any more.
   */
  release?(): Promise<void>;
}
