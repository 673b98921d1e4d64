// Authorization server metadata, the pure parts: where it is published (RFC 8414 §3.1 path
// insertion, OIDC Discovery), how long it is kept (Cache-Control), what is taken from it and the
// exact issuer match. And how long a storage keeps a token that holds a refresh token.
import { describe, expect, it } from 'vitest';
import { TokenData } from '../../src/index';
import {
  checkIssuer,
  DEFAULT_METADATA_TTL_MS,
  MetadataProblem,
  metadataLifetimeMs,
  metadataUrls,
  readMetadata,
} from '../../src/tokens/discovery/metadata';
import { REFRESH_TOKEN_RETENTION_MS, storedUntil } from '../../src/tokens/storage/retention';

describe('metadata locations', () => {
  it('RFC 8414 inserts the well-known path before the issuer path; OIDC appends it', () => {
    expect(metadataUrls('https://as.example')).toEqual([
      'https://as.example/.well-known/oauth-authorization-server',
      'https://as.example/.well-known/openid-configuration',
    ]);
    expect(metadataUrls('https://as.example/tenant/a/')).toEqual([
      'https://as.example/.well-known/oauth-authorization-server/tenant/a',
      'https://as.example/tenant/a/.well-known/openid-configuration',
    ]);
  });

  it('an issuer is an https URL without query, fragment or credentials; plain http only to loopback', () => {
    expect(checkIssuer('https://as.example/t', undefined)).toBe('https://as.example/t');
    expect(checkIssuer('http://127.0.0.1:8080', undefined)).toBe('http://127.0.0.1:8080');
    expect(() => checkIssuer('https://as.example/?tenant=a', undefined)).toThrow(
      /must not have a query or fragment/,
    );
    expect(() => checkIssuer('https://as.example/#x', undefined)).toThrow(
      /must not have a query or fragment/,
    );
    expect(() => checkIssuer('https://u:p@as.example', undefined)).toThrow(/credentials/);
    expect(() => checkIssuer('http://as.example', undefined)).toThrow(/issuer uses plain http to as.example/);
    expect(checkIssuer('http://as.example', true)).toBe('http://as.example');
    expect(() => checkIssuer('as.example', undefined)).toThrow('issuer must be an absolute https URL');
  });
});

describe('metadata lifetime (Cache-Control)', () => {
  it('max-age, capped at a day; no-store / no-cache → 0; nothing → 1 h', () => {
    expect(metadataLifetimeMs(undefined)).toBe(DEFAULT_METADATA_TTL_MS);
    expect(metadataLifetimeMs('public, max-age=600')).toBe(600_000);
    expect(metadataLifetimeMs('max-age=99999999')).toBe(24 * 3600 * 1000);
    expect(metadataLifetimeMs('no-cache')).toBe(0);
    expect(metadataLifetimeMs('max-age=60, no-store')).toBe(0);
    expect(metadataLifetimeMs('private')).toBe(DEFAULT_METADATA_TTL_MS);
  });
});

describe('reading metadata', () => {
  const issuer = 'https://as.example';
  const document = {
    issuer,
    token_endpoint: 'https://as.example/token',
    revocation_endpoint: 'https://as.example/revoke',
    token_endpoint_auth_methods_supported: ['private_key_jwt', 'tls_client_auth'],
    mtls_endpoint_aliases: { token_endpoint: 'https://mtls.as.example/token' },
  };

  it('takes the endpoints, the mTLS aliases and the supported methods', () => {
    expect(readMetadata(document, issuer, undefined)).toEqual({
      issuer,
      tokenEndpoint: 'https://as.example/token',
      revocationEndpoint: 'https://as.example/revoke',
      mtlsTokenEndpoint: 'https://mtls.as.example/token',
      mtlsRevocationEndpoint: undefined,
      authMethods: ['private_key_jwt', 'tls_client_auth'],
    });
  });

  it('the issuer must be identical (mix-up defence): a trailing slash is another issuer', () => {
    expect(() => readMetadata({ ...document, issuer: 'https://as.example/' }, issuer, undefined)).toThrow(
      'its issuer "https://as.example/" is not the configured issuer "https://as.example" (they must be identical: RFC 8414 §3.3)',
    );
    expect(() => readMetadata({ ...document, issuer: undefined }, issuer, undefined)).toThrow(
      /its issuer none/,
    );
    expect(() => readMetadata([], issuer, undefined)).toThrow(MetadataProblem);
  });

  it('endpoints must be absolute https URLs (plain http only to loopback) without credentials', () => {
    expect(() => readMetadata({ ...document, token_endpoint: undefined }, issuer, undefined)).toThrow(
      'its token_endpoint is missing',
    );
    expect(() => readMetadata({ ...document, token_endpoint: '/token' }, issuer, undefined)).toThrow(
      'its token_endpoint is not an absolute URL',
    );
    expect(() =>
      readMetadata({ ...document, revocation_endpoint: 'http://as.example/r' }, issuer, undefined),
    ).toThrow(/revocation_endpoint uses plain http/);
    expect(() =>
      readMetadata({ ...document, token_endpoint: 'https://u:p@as.example/t' }, issuer, undefined),
    ).toThrow(/contains credentials/);
  });

  it('reads own fields only: a polluted prototype adds no endpoint', () => {
    const polluted = Object.create({ revocation_endpoint: 'https://evil.example/r' }) as Record<
      string,
      unknown
    >;
    Object.assign(polluted, { issuer, token_endpoint: 'https://as.example/token' });
    expect(readMetadata(polluted, issuer, undefined).revocationEndpoint).toBeUndefined();
  });
});

describe('how long a storage keeps a token', () => {
  const issuedAt = new Date(1_700_000_000_000);
  const expiresAt = new Date(issuedAt.getTime() + 60_000);

  it('without a refresh token: until the access token expires; without expiry: forever', () => {
    expect(storedUntil(new TokenData({ accessToken: 'a', issuedAt, expiresAt }))).toBe(expiresAt.getTime());
    expect(storedUntil(new TokenData({ accessToken: 'a', issuedAt }))).toBeUndefined();
  });

  it('with a refresh token: its refresh_expires_in, else 30 days past the access token', () => {
    const token = new TokenData({ accessToken: 'a', issuedAt, expiresAt, refreshToken: 'r' });
    expect(storedUntil(token)).toBe(expiresAt.getTime() + REFRESH_TOKEN_RETENTION_MS);
    expect(storedUntil(token.with({ extra: { refresh_expires_in: 1800 } }))).toBe(
      issuedAt.getTime() + 1_800_000,
    );
    expect(storedUntil(token.with({ extra: { refresh_expires_in: '10' } }))).toBe(expiresAt.getTime());
    expect(storedUntil(token.with({ extra: { refresh_expires_in: 0 } }))).toBe(
      expiresAt.getTime() + REFRESH_TOKEN_RETENTION_MS,
    );
  });
});
