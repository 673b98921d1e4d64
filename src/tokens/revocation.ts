// Revoking a manager's tokens when it closes (RFC 7009): the access token while it is still
// valid, then the refresh token. Only when the provider can revoke and the server has an endpoint.
import { AuthenticationException } from '../errors/authentication-exception';
import type { StorageLogger } from './guarded-storage';
import type { TokenData } from './token-data';
import type { TokenProvider } from './token-provider';

/** The marker a provider's error carries when there is nowhere to revoke (nothing to do, not a failure). */
export const NO_REVOCATION_ENDPOINT = 'no_revocation_endpoint';

/**
 * Revokes `token`'s access token (unless expired) and refresh token through `provider`. Both are
 * tried; the first failure is thrown afterwards. A provider without `revokeToken`, or a server
 * without a revocation endpoint, is a warning, not an error.
 */
export async function revokeTokens(
  provider: TokenProvider,
  token: TokenData,
  logger: StorageLogger,
  now: number,
): Promise<void> {
  const skip = (why: string): void => {
    logger.warn(`requestforge: the tokens of "${provider.serviceName}" were not revoked: ${why}`);
  };
  if (typeof provider.revokeToken !== 'function') return skip('its provider has no revokeToken()');
  const revocations: Array<[string, 'access_token' | 'refresh_token']> = [];
  if (!token.isExpired(0, now)) revocations.push([token.accessToken, 'access_token']);
  if (token.refreshToken) revocations.push([token.refreshToken, 'refresh_token']);
  let failure: unknown;
  for (const [value, hint] of revocations) {
    try {
      await provider.revokeToken(value, { hint });
    } catch (error) {
      if (error instanceof AuthenticationException && error.context.reason === NO_REVOCATION_ENDPOINT)
        return skip('the server has no revocation endpoint');
      failure ??= error;
    }
  }
  if (failure !== undefined) throw failure;
}
