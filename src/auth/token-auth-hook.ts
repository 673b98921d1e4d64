import { optionKeys, readOptions } from '../checks/options';
import { isToken, isTokenOrEmpty } from '../checks/syntax';
import { AuthenticationException } from '../errors/authentication-exception';
import type { HttpRequest } from '../http/request';
import type { HttpResponse } from '../http/response';
import { type AuthRetryStrategy, SimpleAuthRetryStrategy } from '../retry/auth-retry-strategies';
import { dpopHandleOf, isDpopType } from '../tokens/dpop/dpop-handle';
import type { TokenData } from '../tokens/token-data';
import type { TokenManager } from '../tokens/token-manager';
import type { AuthHook } from './auth-hook';
import { refreshMayHelp } from './challenges';
import { CredentialHeader } from './credential-header';
import { type DpopRequestSigner, dpopSigner } from './dpop-signer';
import { type PathExclusionOptions, PathMatcher } from './path-matcher';
import { SENT_CREDENTIALS } from './sent-credentials';

/** Options of `withTokenAuth` and {@link TokenAuthHook}. */
export interface TokenAuthOptions extends PathExclusionOptions {
  /**
   * What happens after a 401: renew the token (unless renewals are refused) and replay, up to
   * `maxRetries` times with its delays, with whatever token the manager then holds.
   * @default new SimpleAuthRetryStrategy({ maxRetries: 1 })
   * @example new ExponentialAuthRetryStrategy({ maxRetries: 3, baseDelayMs: 200 })
   */
  readonly authRetryStrategy?: AuthRetryStrategy;
  /**
   * The header that carries the token.
   * @default 'Authorization'
   */
  readonly headerName?: string;
  /**
   * The scheme before the token; `''` sends the bare token.
   * @default the token's `tokenType` (usually `Bearer`)
   */
  readonly headerPrefix?: string;
}

const RECENT_TOKENS = 8;
const KEYS = optionKeys<TokenAuthOptions>()({
  excludedPaths: true,
  excludedPathPatterns: true,
  caseInsensitivePaths: true,
  authRetryStrategy: true,
  headerName: true,
  headerPrefix: true,
});

/**
 * Managed tokens for requests: gets the token from a {@link TokenManager} (from memory on the
 * hot path), leaves excluded paths alone, and after a 401 invalidates the rejected token — only
 * if it is still the current one — and replays with whatever token the manager then holds (a
 * new one, or the same one when the manager refuses to renew again so soon), as the retry
 * strategy says. A challenge with `error="insufficient_scope"` is not an auth error: a new token
 * would not have more scope, so the response comes back as is.
 *
 * @example
 * ```ts
 * builder.withAuthHook(new TokenAuthHook(manager, { excludedPaths: ['/health'], excludedPathPatterns: ['/public/*'] }));
 * ```
 */
export class TokenAuthHook implements AuthHook {
  /** The manager whose tokens this hook attaches. */
  readonly tokenManager: TokenManager;
  readonly retryStrategy: AuthRetryStrategy;
  readonly headerNames: readonly string[];
  /** Proofs for sends that carry a DPoP-bound token (when the manager's provider uses DPoP). */
  readonly dpop: DpopRequestSigner | undefined;
  readonly #header: string;
  readonly #prefix: string | undefined;
  readonly #paths: PathMatcher;
  /** Header values of recent tokens, to tell which token a rejected request carried. */
  readonly #recent = new Map<string, TokenData>();
  /** The request headers with the current token's value, made once per token. */
  readonly #credential: CredentialHeader;
  #lastToken: TokenData | undefined;
  #lastValue = '';

  constructor(tokenManager: TokenManager, given: TokenAuthOptions = {}) {
    const options = readOptions(given, 'TokenAuthHook', new.target === TokenAuthHook ? KEYS : undefined);
    if (
      !tokenManager ||
      typeof tokenManager.getToken !== 'function' ||
      typeof tokenManager.invalidateIfCurrent !== 'function'
    ) {
      throw new TypeError('TokenAuthHook: expected a TokenManager');
    }
    const header = options.headerName ?? 'Authorization';
    if (!isToken(header)) throw new TypeError('TokenAuthHook: headerName must be a valid header name');
    if (options.headerPrefix !== undefined && !isTokenOrEmpty(options.headerPrefix)) {
      throw new TypeError('TokenAuthHook: headerPrefix must be a token (e.g. "Bearer") or empty');
    }
    this.tokenManager = tokenManager;
    this.retryStrategy = options.authRetryStrategy ?? new SimpleAuthRetryStrategy({ maxRetries: 1 });
    this.#header = header.toLowerCase();
    this.#credential = new CredentialHeader(this.#header);
    this.#prefix = options.headerPrefix;
    this.#paths = new PathMatcher(options);
    this.headerNames = Object.freeze([this.#header]);
    const dpop = tokenManager.provider ? dpopHandleOf(tokenManager.provider) : undefined;
    if (dpop && (this.#header !== 'authorization' || this.#prefix !== undefined))
      throw new TypeError(
        'TokenAuthHook: DPoP tokens are sent as "Authorization: DPoP <token>" (no headerName or headerPrefix)',
      );
    this.dpop = dpop && dpopSigner(dpop, (sent) => this.#tokenOf(sent));
  }

  shouldAuthenticate(request: HttpRequest): boolean {
    return this.#paths.isEmpty || !this.#paths.isExcluded(request.relativePath);
  }

  /** @internal The header values of the current and recent tokens. */
  [SENT_CREDENTIALS](): ReadonlyArray<readonly [string, string]> {
    return [...this.#recent.keys()].map((value) => [this.#header, value] as const);
  }

  /** The header value for a token, computed once per token (the hot path sends the same one). */
  #value(token: TokenData): string {
    if (token === this.#lastToken) return this.#lastValue;
    if (this.dpop === undefined && this.#prefix === undefined && isDpopType(token.tokenType)) {
      // "DPoP <token>" without a proof is only ever refused (and replayed, and refused again).
      const serviceName = this.tokenManager.serviceName;
      throw new AuthenticationException(
        `The token of ${serviceName} is DPoP-bound (token_type DPoP), but its provider has no dpop option to prove possession of the key`,
        { serviceName },
      );
    }
    const value =
      this.#prefix === undefined
        ? token.authorizationHeader
        : this.#prefix === ''
          ? token.accessToken
          : `${this.#prefix} ${token.accessToken}`;
    this.#lastToken = token;
    this.#lastValue = value;
    this.#recent.set(value, token);
    if (this.#recent.size > RECENT_TOKENS) this.#recent.delete(this.#recent.keys().next().value!);
    return value;
  }

  #attach(request: HttpRequest, token: TokenData): HttpRequest {
    return this.#credential.attach(request, this.#value(token));
  }

  /** The token a request carried, if it was one of ours. */
  #tokenOf(sent: HttpRequest): TokenData | undefined {
    const value = sent.headers[this.#header];
    return value === undefined ? undefined : this.#recent.get(value);
  }

  apply(request: HttpRequest): HttpRequest | Promise<HttpRequest> {
    const token = this.tokenManager.peek();
    if (token) return this.#attach(request, token);
    return this.tokenManager
      .getToken({ signal: request.signal })
      .then((fresh) => this.#attach(request, fresh));
  }

  /** An auth error of the strategy, unless its challenge says the token lacks scope (RFC 6750 §3.1). */
  isAuthError(response: HttpResponse): boolean {
    return (
      this.retryStrategy.isAuthError(response) &&
      (!response.headers.has('www-authenticate') || refreshMayHelp(response.challenges()))
    );
  }

  /**
   * Invalidates the rejected token if it is still current (the manager may refuse a renewal so
   * soon after a forced one: the token then stays) and waits for the token the replay will carry.
   * Always true: the replay goes out, with a new token or the same one.
   */
  async refresh(rejected: HttpRequest): Promise<boolean> {
    const token = this.#tokenOf(rejected);
    if (token) await this.tokenManager.invalidateIfCurrent(token);
    await this.tokenManager.getToken({ signal: rejected.signal });
    return true;
  }

  onAccepted(sent: HttpRequest): void {
    const token = this.#tokenOf(sent);
    if (token) this.tokenManager.markAccepted(token);
  }

  /** A client uses the manager through this hook (see `TokenManager.retain`). */
  retain(): void {
    this.tokenManager.retain?.();
  }

  /** A client that used the manager through this hook closed (see `TokenManager.release`). */
  async release(): Promise<void> {
    await this.tokenManager.release?.();
  }
}
