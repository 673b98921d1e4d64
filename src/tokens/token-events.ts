import { describeError } from '../checks/describe-error';
import { AuthenticationException } from '../errors/authentication-exception';
import type { TokenRequestMessage } from '../observability/event-messages';
import { channels } from '../observability/events';
import { Runners } from '../observability/runners';
import type { TokenProvider } from './token-provider';

/** The grant a renewal asks for: the refresh token when there is one, else the provider's own grant. */
export function grantOf(provider: TokenProvider, refreshing: boolean): string {
  if (refreshing) return 'refresh_token';
  const grantType = (provider as { readonly grantType?: unknown }).grantType;
  return typeof grantType === 'string' && grantType !== '' ? grantType : 'custom';
}

/**
 * Runs one provider call between `requestforge:token:start` (published with `runStores`; the
 * call runs inside the runners subscribers hand to `message.wrap`, so the token endpoint's
 * requests run in their context) and `requestforge:token:end`. Without subscribers it is the
 * call itself: nothing is built.
 */
export function traceTokenRequest<T>(
  describe: () => Pick<TokenRequestMessage, 'serviceName' | 'reason' | 'grant'>,
  run: () => Promise<T>,
): Promise<T> {
  if (!channels.tokenStart.hasSubscribers && !channels.tokenEnd.hasSubscribers) return run();
  const runners = new Runners();
  return traced({ ...describe(), wrap: runners.wrap }, () => runners.run(run));
}

async function traced<T>(message: TokenRequestMessage, run: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    const result = await channels.tokenStart.runStores(message, run);
    message.outcome = 'success';
    return result;
  } catch (error) {
    message.outcome = 'failure';
    message.error = describeError(error);
    if (error instanceof AuthenticationException && error.error !== undefined) message.oauthError = error.error;
    throw error;
  } finally {
    message.durationMs = performance.now() - started;
    if (channels.tokenEnd.hasSubscribers) channels.tokenEnd.publish(message);
  }
}
