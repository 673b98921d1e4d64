// Authorization server metadata (RFC 8414, OpenID Connect Discovery 1.0): where to find it, how
// long to keep it, and what we take from it. Pure: no I/O.
import { ownRecord } from '../../checks/options';
import { checkTokenUrlSecurity } from '../exchange/token-url';

/** What a provider uses from an authorization server's metadata. */
export interface AuthorizationServerMetadata {
  /** The issuer, equal to the configured one. */
  readonly issuer: string;
  readonly tokenEndpoint: string;
  /** `mtls_endpoint_aliases.token_endpoint` (RFC 8705 §5), for clients that present a certificate. */
  readonly mtlsTokenEndpoint: string | undefined;
  readonly revocationEndpoint: string | undefined;
  /** `mtls_endpoint_aliases.revocation_endpoint`. */
  readonly mtlsRevocationEndpoint: string | undefined;
  /** `token_endpoint_auth_methods_supported`, when the server lists them. */
  readonly authMethods: readonly string[] | undefined;
}

/** How long metadata is kept when the answer says nothing (`Cache-Control`). */
export const DEFAULT_METADATA_TTL_MS = 60 * 60 * 1000;
/** The longest a metadata document is kept, whatever it says. */
const MAX_METADATA_TTL_MS = 24 * 60 * 60 * 1000;

/**
 * Checks a configured issuer: an absolute https URL (plain http only to loopback or with
 * `allowInsecureTokenUrl`) without query, fragment or credentials (RFC 8414 §2). Returned as
 * given: it is compared with the metadata's `issuer` exactly.
 * @throws {TypeError} naming `issuer`
 */
export function checkIssuer(value: unknown, allowInsecure: unknown): string {
  let url: URL;
  try {
    if (typeof value !== 'string' || value === '') throw new TypeError();
    url = new URL(value);
  } catch {
    throw new TypeError('issuer must be an absolute https URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new TypeError('issuer must be an absolute https URL');
  if (url.search || url.hash || value.includes('?') || value.includes('#'))
    throw new TypeError('issuer must not have a query or fragment (RFC 8414 §2)');
  if (url.username || url.password) throw new TypeError('issuer must not contain credentials');
  checkTokenUrlSecurity(url, allowInsecure, 'issuer');
  return value;
}

/**
 * Where the metadata of `issuer` is published, in the order tried: RFC 8414 §3.1
 * (`/.well-known/oauth-authorization-server` inserted before the issuer's path), then OpenID
 * Connect Discovery §4 (`/.well-known/openid-configuration` appended to it).
 * @example metadataUrls('https://as.example/tenant') // ['https://as.example/.well-known/oauth-authorization-server/tenant', 'https://as.example/tenant/.well-known/openid-configuration']
 */
export function metadataUrls(issuer: string): readonly [string, string] {
  const url = new URL(issuer);
  const path = url.pathname.replace(/\/+$/, '');
  return [
    `${url.origin}/.well-known/oauth-authorization-server${path}`,
    `${url.origin}${path}/.well-known/openid-configuration`,
  ];
}

/**
 * How long a metadata answer may be reused, from its `Cache-Control`: `max-age` (capped at a
 * day), 0 for `no-store` / `no-cache`, else the default (1 h).
 */
export function metadataLifetimeMs(
  cacheControl: string | undefined,
  defaultMs = DEFAULT_METADATA_TTL_MS,
): number {
  if (!cacheControl) return defaultMs;
  const directives = cacheControl
    .toLowerCase()
    .split(',')
    .map((part) => part.trim());
  if (directives.some((d) => d === 'no-store' || d === 'no-cache')) return 0;
  for (const directive of directives) {
    const match = /^max-age\s*=\s*"?(\d+)"?$/.exec(directive);
    if (match) return Math.min(Number(match[1]) * 1000, MAX_METADATA_TTL_MS);
  }
  return defaultMs;
}

/** Why a metadata document cannot be used (the message names the issuer; no server text quoted). */
export class MetadataProblem extends Error {}

function endpoint(
  fields: Record<string, unknown>,
  name: string,
  allowInsecure: unknown,
  required: boolean,
): string | undefined {
  const value = fields[name];
  if (value === undefined && !required) return undefined;
  let url: URL;
  try {
    if (typeof value !== 'string') throw new TypeError();
    url = new URL(value);
  } catch {
    throw new MetadataProblem(`its ${name} is ${value === undefined ? 'missing' : 'not an absolute URL'}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new MetadataProblem(`its ${name} is not an http(s) URL`);
  if (url.username || url.password) throw new MetadataProblem(`its ${name} contains credentials`);
  try {
    checkTokenUrlSecurity(url, allowInsecure, name);
  } catch {
    throw new MetadataProblem(`its ${name} uses plain http to ${url.host} (allowInsecureTokenUrl is off)`);
  }
  return url.href;
}

/**
 * Reads the parts of a metadata document a provider uses. Its `issuer` must equal the
 * configured one exactly (RFC 8414 §3.3, OIDC Discovery §4.3: the mix-up defence).
 * @throws {MetadataProblem} saying what is wrong
 */
export function readMetadata(
  body: unknown,
  issuer: string,
  allowInsecure: unknown,
): AuthorizationServerMetadata {
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw new MetadataProblem('the answer is not a JSON object');
  const fields = ownRecord(body as Record<string, unknown>);
  if (fields.issuer !== issuer) {
    const named = typeof fields.issuer === 'string' ? JSON.stringify(fields.issuer.slice(0, 200)) : 'none';
    throw new MetadataProblem(
      `its issuer ${named} is not the configured issuer ${JSON.stringify(issuer)} (they must be identical: RFC 8414 §3.3)`,
    );
  }
  const aliasesValue = fields.mtls_endpoint_aliases;
  const aliases =
    aliasesValue !== null && typeof aliasesValue === 'object' && !Array.isArray(aliasesValue)
      ? ownRecord(aliasesValue as Record<string, unknown>)
      : ownRecord<unknown>();
  const methods = fields.token_endpoint_auth_methods_supported;
  return {
    issuer,
    tokenEndpoint: endpoint(fields, 'token_endpoint', allowInsecure, true)!,
    revocationEndpoint: endpoint(fields, 'revocation_endpoint', allowInsecure, false),
    mtlsTokenEndpoint: endpoint(aliases, 'token_endpoint', allowInsecure, false),
    mtlsRevocationEndpoint: endpoint(aliases, 'revocation_endpoint', allowInsecure, false),
    authMethods:
      Array.isArray(methods) && methods.every((m) => typeof m === 'string')
        ? [...(methods as string[])]
        : undefined,
  };
}
