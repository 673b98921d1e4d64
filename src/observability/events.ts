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
  requestStart: 'requestforge:request:start',
  requestEnd: 'requestforge:request:end',
  requestRetry: 'requestforge:request:retry',
  requestRedirect: 'requestforge:request:redirect',
  tokenFetch: 'requestforge:token:fetch',
  tokenRefresh: 'requestforge:token:refresh',
  tokenError: 'requestforge:token:error',
  tokenInvalidate: 'requestforge:token:invalidate',
  authReplay: 'requestforge:auth:replay',
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
  authReplay: diagnosticsChannel.channel(CHANNELS.authReplay),
};

/** Publishes a message built only when someone listens. */
export function publish(channel: diagnosticsChannel.Channel, build: () => object): void {
  if (channel.hasSubscribers) channel.publish(build());
}
