// Where a token request may go: https, or plain http to this machine only, unless the caller opts in.

/** True for a host that never leaves this machine: `localhost`, 127.0.0.0/8, `[::1]`. */
function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127(?:\.\d{1,3}){3}$/.test(hostname);
}

/**
 * Refuses a plain-http token endpoint on another host: the client secret, passwords and the
 * tokens themselves would cross the network unencrypted. Loopback stays allowed (local stand-ins,
 * sidecars); `allowInsecureTokenUrl: true` allows the rest (e.g. a mesh that encrypts for you).
 * @throws {TypeError} naming `option` and saying why
 */
export function checkTokenUrlSecurity(url: URL, allowInsecure: unknown, option: string): void {
  if (allowInsecure !== undefined && typeof allowInsecure !== 'boolean')
    throw new TypeError('allowInsecureTokenUrl must be a boolean');
  if (url.protocol !== 'http:' || allowInsecure === true || isLoopback(url.hostname)) return;
  throw new TypeError(
    `${option} uses plain http to ${url.host}: token requests carry the client secret, passwords and tokens, which anyone on the network path could read or change. Use https, or set allowInsecureTokenUrl: true if the network encrypts for you (loopback http is always allowed)`,
  );
}
