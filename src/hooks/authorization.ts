import { hasForbiddenHeaderChars } from '../checks/syntax';
import { RequestBuildException } from '../errors/transport-errors';
import type { HttpRequest } from '../http/request';
import type { RequestHook } from './types';

/** Supplies the current token, or nothing to send the request without one. */
export type TokenSupplier = () => string | null | undefined | Promise<string | null | undefined>;

/**
 * A request hook that adds `Authorization: Bearer <token>` from your own function — for tokens
 * managed elsewhere. Only requests that may carry credentials (`request.credentialsAllowed`) get it.
 * Prefer `withTokenAuth` for tokens that expire: it also refreshes and replays after a 401.
 * @example
 * ```ts
 * builder.withRequestHook(new AuthorizationHook(() => vault.currentToken()));
 * ```
 */
export class AuthorizationHook implements RequestHook {
  readonly #supplier: TokenSupplier;

  constructor(supplier: TokenSupplier) {
    if (typeof supplier !== 'function')
      throw new TypeError('AuthorizationHook expects a function that returns a token');
    this.#supplier = supplier;
  }

  /** Adds `Authorization: Bearer <token>` to requests that may carry credentials. */
  async beforeRequest(request: HttpRequest): Promise<HttpRequest> {
    if (!request.credentialsAllowed) return request;
    const token = await this.#supplier();
    if (token === null || token === undefined || token === '') return request;
    if (typeof token !== 'string' || hasForbiddenHeaderChars(token)) {
      throw new RequestBuildException('AuthorizationHook: the token supplier returned an invalid token');
    }
    return request.withTrustedHeader('authorization', `Bearer ${token}`);
  }
}
