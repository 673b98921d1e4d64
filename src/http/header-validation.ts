import { ownRecord } from '../checks/options';
import { hasForbiddenHeaderChars, isToken } from '../checks/syntax';
import { RequestBuildException } from '../errors/transport-errors';

/**
 * Checks one header and returns its lower-cased name. The offending value is never echoed:
 * it may be a credential.
 */
export function checkHeader(name: string, value: unknown, source: string): string {
  if (!isToken(name)) {
    throw new RequestBuildException(`Invalid header name in ${source}`, { context: { source } });
  }
  if (typeof value !== 'string') {
    throw new RequestBuildException(`Header "${name}" in ${source} must be a string, got ${typeof value}`, {
      context: { source, header: name },
    });
  }
  if (hasForbiddenHeaderChars(value)) {
    throw new RequestBuildException(`Header "${name}" in ${source} contains CR, LF or NUL`, {
      context: { source, header: name },
    });
  }
  return name.toLowerCase();
}

/** Validates and lower-cases a header record (own entries, into a null-prototype record); `undefined` values are dropped. */
export function normalizeHeaders(
  headers: Readonly<Record<string, string | undefined>> | undefined,
  source: string,
): Record<string, string> {
  const out = ownRecord<string>();
  if (!headers) return out;
  for (const name of Object.keys(headers)) {
    const value = headers[name];
    if (value === undefined) continue;
    out[checkHeader(name, value, source)] = value;
  }
  return out;
}
