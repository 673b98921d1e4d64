import type { TokenProvider } from './token-provider';

/**
 * How many open managers use each provider: a provider shared by several managers is closed
 * only by the last of them. Counts, not references, so a forgotten manager is never kept alive.
 */
const openManagers = new WeakMap<TokenProvider, number>();

export function openProviderUse(provider: TokenProvider): void {
  openManagers.set(provider, (openManagers.get(provider) ?? 0) + 1);
}

export function closeProviderUse(provider: TokenProvider): void {
  openManagers.set(provider, Math.max(0, (openManagers.get(provider) ?? 0) - 1));
}

/** True when no open manager uses the provider any more. */
export function providerUnused(provider: TokenProvider): boolean {
  return (openManagers.get(provider) ?? 0) === 0;
}
