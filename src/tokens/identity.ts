// Token identity: what makes two token sources' tokens different, and the cache keys derived from
// it. Pure: hashing only.
import { createHash } from 'node:crypto';
import { hasControlChars } from '../checks/syntax';

/** What an identity is made of: named parts, each a string, a list of strings, or absent. */
export type IdentityParts = Readonly<Record<string, string | readonly string[] | undefined>>;

/** Hex SHA-256 of a UTF-8 string. */
export function sha256Hex(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

/**
 * A value that tells tokens apart but must not be readable (a subject, a user name, request
 * fields that may hold a password): its SHA-256, marked as such.
 * @example hashedPart('alice@example.com') // 'sha256:ff8d…'
 */
export function hashedPart(value: string): string {
  return `sha256:${sha256Hex(value)}`;
}

/**
 * A canonical identity string: the parts as JSON with sorted names, absent parts left out, so
 * the same configuration always gives the same string in every process.
 * @example canonicalIdentity({ tokenUrl: 'https://a/token', scope: ['b', 'a'] }) // '{"scope":["b","a"],"tokenUrl":"https://a/token"}'
 */
export function canonicalIdentity(parts: IdentityParts): string {
  const sorted: Record<string, string | readonly string[]> = {};
  for (const name of Object.keys(parts).sort()) {
    const value = parts[name];
    if (value !== undefined) sorted[name] = value;
  }
  return JSON.stringify(sorted);
}

/**
 * A scope in canonical form: split on spaces, deduplicated, sorted (RFC 6749 §3.3 scopes are an
 * unordered set, so `read write` and `write read` are the same token).
 */
export function scopeSet(scope: string | undefined): readonly string[] | undefined {
  if (scope === undefined) return undefined;
  const values = [...new Set(scope.split(' ').filter((s) => s !== ''))].sort();
  return values.length === 0 ? undefined : values;
}

/** Sorted `name=value` entries of a record (extra parameters), so their order does not matter. */
export function sortedEntries(record: Readonly<Record<string, string>>): readonly string[] {
  return Object.keys(record)
    .sort()
    .map((name) => `${name}=${record[name]}`);
}

/**
 * The storage key of a token: `<label>:<first 16 hex of sha256(identity)>`, or the label alone
 * when the source has no identity (a custom provider that does not declare one).
 * @example identityKey('auth_token:billing', identity) // 'auth_token:billing:3f9a0c1d2e4b5a69'
 */
export function identityKey(label: string, identity: string | undefined): string {
  return identity === undefined ? label : `${label}:${sha256Hex(identity).slice(0, 16)}`;
}

/** Checks a declared identity (a provider's or a fetcher's): a non-empty string, or nothing. */
export function checkIdentity(identity: unknown, where: string): string | undefined {
  if (identity === undefined) return undefined;
  if (typeof identity !== 'string' || identity === '')
    throw new TypeError(`${where}: identity must be a non-empty string when given`);
  return identity;
}

/** Checks a cache key given on purpose: a non-empty string without control characters. */
export function checkCacheKey(key: unknown, where: string): string {
  if (typeof key !== 'string' || key === '' || hasControlChars(key))
    throw new TypeError(`${where}: cacheKey must be a non-empty string without control characters`);
  return key;
}
