/**
 * The claims of a JWT, decoded and NOT verified: `undefined` for anything that is not three
 * dot-separated parts whose middle one (at most `maxPayloadChars` long) is a base64url JSON object.
 */
export function unverifiedClaims(
  token: string,
  maxPayloadChars: number,
): Record<string, unknown> | undefined {
  const parts = token.split('.');
  if (parts.length !== 3 || parts[1]!.length === 0 || parts[1]!.length > maxPayloadChars) return undefined;
  try {
    const payload = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as unknown;
    return payload !== null && typeof payload === 'object' ? (payload as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The `exp` claim (seconds since the epoch) of a JWT, read without verifying anything: used only
 * as a scheduling hint when a token response has no `expires_in`. `undefined` for non-JWTs.
 */
export function jwtExpiresAtMs(token: string): number | undefined {
  const exp = unverifiedClaims(token, 8192)?.exp;
  return typeof exp === 'number' && Number.isFinite(exp) && exp > 0 ? exp * 1000 : undefined;
}
