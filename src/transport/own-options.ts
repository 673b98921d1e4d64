// Connection options undici reads through the prototype chain of the option objects it builds
// for its pools, so a polluted Object.prototype could supply them: each is given explicitly.

/**
 * Agent options undici copies into its pools as own properties: `tls` (undici's older name for
 * the TLS options, which could turn certificate checks off), `socketPath` (which could send every
 * request, credentials included, to a local socket) and `localAddress`. `null` survives undici's
 * JSON copy of the options, where `undefined` would not.
 */
export const UNINHERITED_AGENT_OPTIONS = Object.freeze({
  tls: undefined,
  socketPath: null,
  localAddress: null,
});
