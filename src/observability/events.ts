import diagnosticsChannel from 'node:diagnostics_channel';

/**
 * Names of the `node:diagnostics_channel` channels requestforge publishes on. Every message is
 * secret-free; nothing is published (or even built) while a channel has no subscriber.
 *
 * @example
 * ```ts
 * import diagnosticsChannel from 'node:diagnostics_channel';
 * diagnosticsChannel.subscribe('requestforge:token:refresh', (message) => console.log(message));
 * ```
 */
export const CHANNELS = Object.freeze({
  /** One send of a request, before it goes on the wire ({@link SendStartMessage}). */
  requestStart: 'requestforge:request:start',
  /** One send's outcome ({@link SendEndMessage}). */
  requestEnd: 'requestforge:request:end',
  /** A request is about to be retried: method, URL, attempt, delay and reason. */
  requestRetry: 'requestforge:request:retry',
  /** A redirect is followed: from, to, status, and whether credentials go along. */
  requestRedirect: 'requestforge:request:redirect',
  /** A TokenManager obtained its first token. */
  tokenFetch: 'requestforge:token:fetch',
  /** A TokenManager replaced its token (expiry, rejection, forced or in the background). */
  tokenRefresh: 'requestforge:token:refresh',
  /** A token request of a TokenManager failed. */
  tokenError: 'requestforge:token:error',
  /** A TokenManager forgot its token (rejected by the API, or invalidated). */
  tokenInvalidate: 'requestforge:token:invalidate',
  /** A logical request starts ({@link CallMessage}); published with `runStores`. */
  callStart: 'requestforge:call:start',
  /** A logical request ended ({@link CallMessage}, completed). */
  callEnd: 'requestforge:call:end',
  /** A TokenManager's provider call starts ({@link TokenRequestMessage}); published with `runStores`. */
  tokenStart: 'requestforge:token:start',
  /** A TokenManager's provider call ended ({@link TokenRequestMessage}, completed). */
  tokenEnd: 'requestforge:token:end',
  /** A request was served a token from memory ({@link TokenCacheHitMessage}). */
  tokenCacheHit: 'requestforge:token:cache-hit',
  /** A request is replayed after an auth error ({@link AuthReplayMessage}). */
  authReplay: 'requestforge:auth:replay',
  /** A circuit breaker changed state ({@link CircuitStateMessage}). */
  circuitState: 'requestforge:circuit:state',
} as const);

export const channels = {
  requestStart: diagnosticsChannel.channel(CHANNELS.requestStart),
  requestEnd: diagnosticsChannel.channel(CHANNELS.requestEnd),
  requestRetry: diagnosticsChannel.channel(CHANNELS.requestRetry),
  requestRedirect: diagnosticsChannel.channel(CHANNELS.requestRedirect),
  tokenFetch: diagnosticsChannel.channel(CHANNELS.tokenFetch),
  tokenRefresh: diagnosticsChannel.channel(CHANNELS.tokenRefresh),
  tokenError: diagnosticsChannel.channel(CHANNELS.tokenError),
  tokenInvalidate: diagnosticsChannel.channel(CHANNELS.tokenInvalidate),
  callStart: diagnosticsChannel.channel(CHANNELS.callStart),
  callEnd: diagnosticsChannel.channel(CHANNELS.callEnd),
  tokenStart: diagnosticsChannel.channel(CHANNELS.tokenStart),
  tokenEnd: diagnosticsChannel.channel(CHANNELS.tokenEnd),
  tokenCacheHit: diagnosticsChannel.channel(CHANNELS.tokenCacheHit),
  authReplay: diagnosticsChannel.channel(CHANNELS.authReplay),
  circuitState: diagnosticsChannel.channel(CHANNELS.circuitState),
};

/** Publishes a message built only when someone listens. */
export function publish(channel: diagnosticsChannel.Channel, build: () => object): void {
  if (channel.hasSubscribers) channel.publish(build());
}
