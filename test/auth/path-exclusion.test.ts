import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  HttpClient,
  HttpClientConfigBuilder,
  RequestBuildException,
  TokenData,
  TokenManager,
  type TokenProvider,
} from '../../src/index';
import { echo, type LoopbackServer, startServer } from '../support/loopback-server';

let server: LoopbackServer;
const provider: TokenProvider = {
  serviceName: 'paths',
  fetchToken: async () =>
    new TokenData({ accessToken: 'path-token', expiresAt: new Date(Date.now() + 3600_000) }),
  refreshToken: async () =>
    new TokenData({ accessToken: 'path-token', expiresAt: new Date(Date.now() + 3600_000) }),
};

beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());
afterEach(() => {
  server.handle(echo);
  server.requests.length = 0;
});

function client(base: string, options: Parameters<HttpClientConfigBuilder['withTokenAuth']>[1]) {
  return new HttpClient(
    new HttpClientConfigBuilder()
      .withBaseUrl(base)
      .withTokenAuth(new TokenManager(provider), options)
      .build(),
  );
}

describe('path exclusion on the wire', () => {
  const rules = { excludedPaths: ['/health'], excludedPathPatterns: ['/public/*', '*/metrics'] };

  it.each([
    ['/public/../admin', '/admin', true],
    ['/admin/../public/x', '/public/x', false],
    ['/users/../public/x', '/public/x', false],
    ['/public/%2e%2e/admin', '/admin', true],
    ['/public%2Fx', '/public%2Fx', false],
    ['/public//x', '/public//x', false],
    ['/PUBLIC/x', '/PUBLIC/x', true],
    ['/public/x?token=1', '/public/x?token=1', false],
    ['/health?verbose=1', '/health?verbose=1', false],
    ['/h%65alth', '/h%65alth', false],
    ['/admin?next=/public/x', '/admin?next=/public/x', true],
    ['/admin#/public/x', '/admin', true],
    ['/public\\x', '/public/x', false],
    ['/v2/metrics', '/v2/metrics', false],
    ['/publicity', '/publicity', true],
  ])('%s is sent as %s, with credentials: %s', async (input, wire, withCredentials) => {
    const c = client(server.url, rules);
    await c.get(input);
    const seen = server.requests[0]!;
    expect(seen.url).toBe(wire);
    expect(seen.headers.authorization === 'Bearer path-token').toBe(withCredentials);
    if (!withCredentials) expect(seen.headers.authorization).toBeUndefined();
    await c.close();
  });

  it('caseInsensitivePaths: /PUBLIC/x goes without credentials', async () => {
    const c = client(server.url, { ...rules, caseInsensitivePaths: true });
    await c.get('/PUBLIC/x');
    expect(server.requests[0]!.headers.authorization).toBeUndefined();
    await c.close();
  });

  it('paths are matched relative to the base path', async () => {
    const c = client(`${server.url}/v1`, { excludedPaths: ['/health'] });
    await c.get('/health');
    await c.get('/users');
    expect(server.requests.map((r) => [r.url, r.headers.authorization])).toEqual([
      ['/v1/health', undefined],
      ['/v1/users', 'Bearer path-token'],
    ]);
    await c.close();
  });

  it('property: credentials reach the server only for paths no rule excludes (wire path, both variants)', async () => {
    const c = client(server.url, rules);
    const segment = fc.constantFrom(
      'public',
      'PUBLIC',
      'admin',
      'health',
      'metrics',
      'x',
      '..',
      '.',
      '%2e%2e',
      '%2F',
      '',
      'a%2Fb',
      'h%65alth',
    );
    const paths = fc.array(segment, { minLength: 1, maxLength: 5 }).map((parts) => `/${parts.join('/')}`);
    const excluded = (wirePath: string) => {
      const path = wirePath.split('?')[0]!;
      const variants = [path, path.replace(/%2F/gi, '/').replace(/\/{2,}/g, '/')].map((p) =>
        p.replace(/%65/g, 'e'),
      );
      return variants.some((p) => p === '/health' || /^\/public\/.*/s.test(p) || /^.*\/metrics$/s.test(p));
    };
    await fc.assert(
      fc.asyncProperty(paths, async (path) => {
        server.requests.length = 0;
        try {
          await c.get(path);
        } catch (error) {
          expect(error).toBeInstanceOf(RequestBuildException);
          return;
        }
        const seen = server.requests[0]!;
        expect(seen.headers.authorization !== undefined).toBe(!excluded(seen.url));
      }),
      { numRuns: 300 },
    );
    await c.close();
  });
});
