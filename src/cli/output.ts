import type { HttpResponse, TokenData } from 'requestforge';
import { defaultRedactor } from '../observability/redact';
import { REDACTED } from '../observability/redact-constants';

/** `[REDACTED]` for credential headers (`authorization`, cookies, API keys…), the value otherwise. */
export function headerValue(name: string, value: string): string {
  return defaultRedactor.isSensitive(name) ? REDACTED : value;
}

/** The claims of a JWT access token, decoded and NOT verified; `undefined` for other tokens. */
export function jwtClaims(token: string): Record<string, unknown> | undefined {
  const parts = token.split('.');
  if (parts.length !== 3 || parts[1]!.length === 0 || parts[1]!.length > 16_384) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as unknown;
    return claims !== null && typeof claims === 'object' && !Array.isArray(claims)
      ? (claims as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function duration(ms: number): string {
  const seconds = Math.round(Math.abs(ms) / 1000);
  const parts = [
    [Math.floor(seconds / 3600), 'h'],
    [Math.floor((seconds % 3600) / 60), 'm'],
    [seconds % 60, 's'],
  ] as const;
  const text = parts
    .filter(([value], index) => value > 0 || index === 2)
    .map(([value, unit]) => `${value}${unit}`)
    .join(' ');
  return ms >= 0 ? `in ${text}` : `${text} ago`;
}

/** What `requestforge token` prints: type, expiry, scope, where it came from, and a JWT's claims. */
export function describeToken(
  token: TokenData,
  source: string,
  showToken: boolean,
  now = Date.now(),
): string {
  const expiresAt = token.expiresAt;
  const lines = [
    `token type: ${token.tokenType || '(none: the bare token is sent)'}`,
    `expires:    ${expiresAt ? `${expiresAt.toISOString()} (${duration(expiresAt.getTime() - now)})` : 'not stated'}`,
    `scope:      ${token.scope ?? 'not stated'}`,
    `refresh:    ${token.refreshToken ? 'a refresh token is held' : 'no refresh token'}`,
    `source:     ${source}`,
  ];
  const claims = jwtClaims(token.accessToken);
  if (claims)
    lines.push(
      'claims (decoded, UNVERIFIED: the signature was not checked):',
      JSON.stringify(claims, null, 2),
    );
  else lines.push('format:     opaque (not a JWT)');
  if (showToken) lines.push(`access token: ${token.accessToken}`);
  return `${lines.join('\n')}\n`;
}

/** The status line and headers of a response (credential headers redacted). */
export function describeHead(response: HttpResponse): string {
  const lines = [`HTTP ${response.statusCode} (${Math.round(response.elapsedMs)} ms)`];
  for (const [name, value] of response.headers) lines.push(`${name}: ${headerValue(name, value)}`);
  return `${lines.join('\n')}\n`;
}

/** The body as printed: pretty JSON on a terminal, the bytes as they came otherwise. */
export function describeBody(response: HttpResponse, pretty: boolean): string | Uint8Array {
  const type = response.headers.get('content-type') ?? '';
  if (pretty && type.includes('json')) {
    const value = response.jsonOrNull<unknown>();
    if (value !== null) return `${JSON.stringify(value, null, 2)}\n`;
  }
  return response.body;
}

/** The request as sent, credentials redacted, for `--verbose`. */
export function describeRequest(request: HttpResponse['request']): string {
  const json = request.toJSON() as { url: string; headers: Record<string, string> };
  const lines = [`> ${request.method} ${json.url}`];
  for (const [name, value] of Object.entries(json.headers)) lines.push(`> ${name}: ${value}`);
  return `${lines.join('\n')}\n`;
}
