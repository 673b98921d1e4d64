import { optionKeys, readOptions } from '../checks/options';
import type { HttpRequest } from '../http/request';
import type { HttpResponse } from '../http/response';
import { type AuthRetryStrategy, NoAuthRetryStrategy } from '../retry/auth-retry-strategies';
import type { AuthHook } from './auth-hook';
import { combineSigners, type DpopRequestSigner } from './dpop-signer';
import { SENT_CREDENTIALS, sentCredentials } from './sent-credentials';

/** Options of {@link CompositeAuthHook}. */
export interface CompositeAuthOptions {
  /**
   * `first_match`: the first hook that accepts the request applies; `all`: every accepting hook
   * applies, in order.
   * @default 'first_match'
   */
  readonly strategy?: 'first_match' | 'all';
  /** What to do after an auth error. @default the first hook's strategy */
  readonly retryStrategy?: AuthRetryStrategy;
}

const KEYS = optionKeys<CompositeAuthOptions>()({ strategy: true, retryStrategy: true });

/**
 * Several auth hooks as one.
 * @example
 * ```ts
 * new CompositeAuthHook([new ApiKeyAuthHook(key), new TokenAuthHook(manager)], { strategy: 'all' });
 * ```
 */
export class CompositeAuthHook implements AuthHook {
  /** The combined hooks, in the order given. */
  readonly hooks: readonly AuthHook[];
  /** `first_match`: the first hook that applies adds its credentials; `all`: every hook that applies does. */
  readonly strategy: 'first_match' | 'all';
  readonly retryStrategy: AuthRetryStrategy;
  readonly headerNames: readonly string[];
  /** DPoP proofs for the sends of the hooks that have DPoP-bound tokens. */
  readonly dpop: DpopRequestSigner | undefined;

  constructor(hooks: readonly AuthHook[], given: CompositeAuthOptions = {}) {
    const options = readOptions(
      given,
      'CompositeAuthHook',
      new.target === CompositeAuthHook ? KEYS : undefined,
    );
    if (!Array.isArray(hooks) || hooks.length === 0)
      throw new TypeError('CompositeAuthHook needs at least one hook');
    const strategy = options.strategy ?? 'first_match';
    if (strategy !== 'first_match' && strategy !== 'all') {
      throw new TypeError(
        `CompositeAuthHook strategy must be 'first_match' or 'all', got ${String(strategy)}`,
      );
    }
    this.hooks = Object.freeze([...hooks]);
    this.strategy = strategy;
    this.retryStrategy = options.retryStrategy ?? hooks[0]?.retryStrategy ?? new NoAuthRetryStrategy();
    this.headerNames = Object.freeze([...new Set(hooks.flatMap((hook) => hook.headerNames ?? []))]);
    this.dpop = combineSigners(hooks);
  }

  /** @internal What every combined hook sends. */
  [SENT_CREDENTIALS](): ReadonlyArray<readonly [string, string]> {
    return this.hooks.flatMap((hook) => sentCredentials(hook));
  }

  shouldAuthenticate(request: HttpRequest): boolean {
    return this.hooks.some((hook) => hook.shouldAuthenticate(request));
  }

  async apply(request: HttpRequest): Promise<HttpRequest> {
    let current = request;
    for (const hook of this.hooks) {
      if (!hook.shouldAuthenticate(request)) continue;
      current = await hook.apply(current);
      if (this.strategy === 'first_match') break;
    }
    return current;
  }

  isAuthError(response: HttpResponse): boolean {
    return this.hooks.some((hook) => hook.isAuthError(response));
  }

  retain(): void {
    for (const hook of this.hooks) hook.retain?.();
  }

  async release(): Promise<void> {
    await Promise.all(this.hooks.map((hook) => hook.release?.()));
  }

  async refresh(rejected: HttpRequest): Promise<boolean> {
    let refreshed = false;
    for (const hook of this.hooks) {
      if (!hook.shouldAuthenticate(rejected)) continue;
      if (await hook.refresh(rejected)) refreshed = true;
      if (this.strategy === 'first_match') break;
    }
    return refreshed;
  }
}
