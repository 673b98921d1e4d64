import type { TokenProvider } from './token-provider';
import type { TokenStorage } from './token-storage';

/** Refuses a provider or storage a `TokenManager` could not use, naming what is missing. */
export function checkManagerParts(provider: TokenProvider, storage: TokenStorage): void {
  if (!provider || typeof provider.fetchToken !== 'function' || typeof provider.refreshToken !== 'function') {
    throw new TypeError('TokenManager: provider must implement fetchToken() and refreshToken()');
  }
  if (typeof provider.serviceName !== 'string' || provider.serviceName === '') {
    throw new TypeError('TokenManager: provider.serviceName must be a non-empty string');
  }
  const methods = storage as unknown as Record<string, unknown> | null;
  if (!methods || ['get', 'set', 'delete', 'exists'].some((m) => typeof methods[m] !== 'function')) {
    throw new TypeError('TokenManager: storage must implement get, set, delete and exists');
  }
}
