// Token identity: what tells two token sources apart, and the cache keys derived from it. Pure
// (providers are constructed, never called).
import { describe, expect, it } from 'vitest';
import {
  BodyTokenFetcher,
  ClientCredentialsTokenProvider,
  HeaderTokenFetcher,
  PasswordGrantTokenProvider,
  PipelineTokenProvider,
  TokenData,
  TokenFetchPipeline,
  TokenManager,
} from '../../src/index';
import { canonicalIdentity, identityKey, scopeSet } from '../../src/tokens/identity';

const base = {
  tokenUrl: 'https://auth.test/oauth/token',
  clientId: 'billing-client',
  clientSecret: 'secret-1',
  serviceName: 'billing',
};
const cc = (overrides: Partial<ConstructorParameters<typeof ClientCredentialsTokenProvider>[0]> = {}) =>
  new ClientCredentialsTokenProvider({ ...base, ...overrides });
const keyOf = (provider: ClientCredentialsTokenProvider) =>
  new TokenManager(provider, undefined, { logger: { warn: () => undefined } }).cacheKey;

describe('identity helpers', () => {
  it('canonical: sorted names, absent parts left out; scopes as a sorted set', () => {
    expect(canonicalIdentity({ b: '1', a: ['x'], c: undefined })).toBe('{"a":["x"],"b":"1"}');
    expect(scopeSet(' write  read read ')).toEqual(['read', 'write']);
    expect(scopeSet('  ')).toBeUndefined();
    expect(identityKey('auth_token:s', undefined)).toBe('auth_token:s');
    expect(identityKey('auth_token:s', 'x')).toMatch(/^auth_token:s:[0-9a-f]{16}$/);
  });
});

describe('OAuth provider identity and the manager cache key', () => {
  it('differs by everything that makes tokens different', () => {
    const keys = [
      cc(),
      cc({ scope: 'admin' }),
      cc({ clientId: 'other-client' }),
      cc({ tokenUrl: 'https://other-tenant.test/oauth/token' }),
      cc({ extraParams: { audience: 'https://api-a.test' } }),
      cc({ extraParams: { audience: 'https://api-b.test' } }),
      cc({ extraParams: { resource: 'https://api-a.test' } }),
      cc({ authMethod: 'header' }),
      cc({ grantType: 'urn:example:grant' }),
    ].map(keyOf);
    expect(new Set(keys).size).toBe(keys.length);
    for (const key of keys) expect(key).toMatch(/^auth_token:billing:[0-9a-f]{16}$/);
  });

  it('is the same for the same configuration: scope order, extra-parameter order, secret and timeouts do not matter', () => {
    const a = cc({ scope: 'read write', extraParams: { audience: 'x', resource: 'y' } });
    const b = cc({
      scope: ['write', 'read'],
      extraParams: { resource: 'y', audience: 'x' },
      clientSecret: 'rotated-secret',
      timeoutMs: 5_000,
      maxRetries: 0,
    });
    expect(a.identity).toBe(b.identity);
    expect(keyOf(a)).toBe(keyOf(b));
  });

  it('the password grant tells subjects apart by a hash, never the name or a secret in clear', () => {
    const user = (username: string, password = 'pw-secret-123') =>
      new PasswordGrantTokenProvider({ ...base, username, password });
    const alice = user('alice@example.com');
    expect(alice.identity).not.toBe(user('bob@example.com').identity);
    expect(alice.identity).toBe(user('alice@example.com', 'other-password').identity);
    for (const text of [alice.identity, keyOf(alice as never)]) {
      expect(text).not.toContain('alice');
      expect(text).not.toContain('pw-secret-123');
      expect(text).not.toContain('secret-1');
    }
    expect(alice.identity).not.toBe(cc().identity);
  });

  it('cacheKey shares on purpose; a custom provider without identity keeps auth_token:<serviceName>', () => {
    const quiet = { logger: { warn: () => undefined } };
    expect(new TokenManager(cc(), undefined, { ...quiet, cacheKey: 'auth_token:shared' }).cacheKey).toBe(
      'auth_token:shared',
    );
    const custom = {
      serviceName: 'billing',
      fetchToken: async () => new TokenData({ accessToken: 'x' }),
      refreshToken: async () => new TokenData({ accessToken: 'x' }),
    };
    expect(new TokenManager(custom).cacheKey).toBe('auth_token:billing');
    expect(new TokenManager({ ...custom, identity: 'tenant-a' }).cacheKey).toMatch(
      /^auth_token:billing:[0-9a-f]{16}$/,
    );
    expect(() => new TokenManager({ ...custom, identity: '' })).toThrow(/identity/);
    expect(() => new TokenManager(custom, undefined, { cacheKey: 'a\nb' })).toThrow(/cacheKey/);
    expect(() => new TokenManager(custom, undefined, { cacheKey: '' })).toThrow(/cacheKey/);
  });
});

describe('pipeline step identity and keys', () => {
  const app = (clientSecret: string) =>
    new BodyTokenFetcher({
      name: 'app_token',
      baseUrl: 'https://auth.test',
      endpoint: '/v1/app/token',
      requestData: { client_id: 'app', client_secret: clientSecret },
    });
  const user = (username: string) =>
    new BodyTokenFetcher({
      name: 'user_token',
      baseUrl: 'https://auth.test',
      endpoint: '/v1/user/token',
      dependsOn: ['app_token'],
      requestData: { username, password: 'user-password-456' },
      requestHeaders: (context) => ({ 'X-App-Token': context.getTokenValue('app_token')! }),
    });

  it('keys each step by its own identity and its dependencies', () => {
    const one = new TokenFetchPipeline({ steps: [app('s1'), user('alice')], cacheKeyPrefix: 'myapp' });
    const otherUser = new TokenFetchPipeline({ steps: [app('s1'), user('bob')], cacheKeyPrefix: 'myapp' });
    const otherApp = new TokenFetchPipeline({ steps: [app('s2'), user('alice')], cacheKeyPrefix: 'myapp' });
    const same = new TokenFetchPipeline({ steps: [user('alice'), app('s1')], cacheKeyPrefix: 'myapp' });
    expect(one.cacheKey('app_token')).toMatch(/^myapp:app_token:[0-9a-f]{16}$/);
    expect(one.cacheKey('user_token')).not.toBe(otherUser.cacheKey('user_token'));
    expect(one.cacheKey('app_token')).toBe(otherUser.cacheKey('app_token'));
    // Another app token makes the user token that depends on it another token too.
    expect(one.cacheKey('user_token')).not.toBe(otherApp.cacheKey('user_token'));
    expect(one.cacheKey('user_token')).toBe(same.cacheKey('user_token'));
    expect(one.identity).toBe(same.identity);
    expect(new PipelineTokenProvider(one, { serviceName: 'myapp' }).identity).toBe(one.identity);
    for (const text of [one.identity!, app('s1').identity, user('alice').identity]) {
      expect(text).not.toMatch(/alice|user-password-456|"s1"/);
    }
  });

  it('header fetchers, and custom steps without identity keep <prefix>:<name>', () => {
    const header = (tokenHeader: string) =>
      new HeaderTokenFetcher({
        name: 'session',
        baseUrl: 'https://auth.test',
        endpoint: '/login',
        tokenHeader,
      });
    expect(header('X-Auth-Token').identity).not.toBe(header('Authorization').identity);
    const custom = { name: 'signed', dependsOn: [], fetch: async () => new TokenData({ accessToken: 'x' }) };
    const pipeline = new TokenFetchPipeline({ steps: [custom], cacheKeyPrefix: 'p' });
    expect(pipeline.cacheKey('signed')).toBe('p:signed');
    expect(pipeline.identity).toBeUndefined();
    expect(new PipelineTokenProvider(pipeline, { serviceName: 'p' }).identity).toBeUndefined();
    expect(() => new TokenFetchPipeline({ steps: [{ ...custom, identity: 7 as never }] })).toThrow(
      /identity/,
    );
  });
});
