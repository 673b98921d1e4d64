import { describeError } from '../checks/describe-error';
import { AuthenticationException } from '../errors/authentication-exception';
import type { TokenRequestMessage } from '../observability/event-messages';
import { channels } from '../observability/events';
import { WrappableEvent } from '../observability/runners';
import type { TokenProvider } from './token-provider';

/** The grant a renewal asks for: the refresh token when there is one, else the provider's own grant. */
export function grantOf(provider: TokenProvider, refreshing: boolean): string {
  if (refreshing) return 'refresh_token';
  const grantType = (provider as { readonly grantType?: unknown }).grantType;
  return typeof grantType === 'string' && grantType !== '' ? grantType : 'custom';
}

/** The message of one observed provider call (a class: no closure per call). */
class TokenEvent extends WrappableEvent implements TokenRequestMessage {
  readonly serviceName: string;
  readonly reason: string;
  readonly grant: string;
  outcome?: 'success' | 'failure';
  error?: string;
  oauthError?: string;
  durationMs?: number;

  constructor(described: Pick<TokenRequestMessage, 'serviceName' | 'reason' | 'grant'>) {
    super();
    this.serviceName = described.serviceName;
    this.reason = described.reason;
    this.grant = described.grant;
  }

  run<T>(work: () => Promise<T>): Promise<T> {
    return this.runWrapped(work);
  }
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
  return traced(new TokenEvent(describe()), run);
}

async function traced<T>(event: TokenEvent, run: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    const result = await channels.tokenStart.runStores(event, () => event.run(run));
    event.outcome = 'success';
    return result;
  } catch (error) {
    event.outcome = 'failure';
    event.error = describeError(error);
    if (error instanceof AuthenticationException && error.error !== undefined) event.oauthError = error.error;
    throw error;
  } finally {
    event.durationMs = performance.now() - started;
    if (channels.tokenEnd.hasSubscribers) channels.tokenEnd.publish(event);
  }
}
