import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RequestBuildException } from '../../src/errors/index';
import { buildRequestUrl, parseBaseUrl, pathForMatching, serializeParams } from '../../src/http/url';

const base = parseBaseUrl('https://api.example.com/v1');
const root = parseBaseUrl('https://api.example.com');

describe('parseBaseUrl', () => {
  it('keeps the path prefix without a trailing slash', () => {
    expect(parseBaseUrl('https://h.test/v1/')).toEqual({
      origin: 'https://h.test',
      prefix: 'https://h.test/v1',
      pathPrefix: '/v1',
    });
  });

  it.each([
    ['ftp://h.test', /only http and https/],
    ['/relative', /not an absolute URL/],
    ['https://user:pw@h.test', /credentials in the URL/],
    ['https://h.test/?a=1', /query or fragment/],
    ['', /non-empty/],
  ])('refuses %s with a message naming withBaseUrl', (input, message) => {
    expect(() => parseBaseUrl(input)).toThrow(TypeError);
    expect(() => parseBaseUrl(input)).toThrow(message);
    expect(() => parseBaseUrl(input)).toThrow(/withBaseUrl/);
  });
});

describe('buildRequestUrl', () => {
  it('joins base and path as strings, keeping the base path', () => {
    expect(buildRequestUrl(base, '/users').href).toBe('https://api.example.com/v1/users');
    expect(buildRequestUrl(base, 'users').href).toBe('https://api.example.com/v1/users');
    expect(buildRequestUrl(base, '').href).toBe('https://api.example.com/v1');
    expect(buildRequestUrl(base, '?q=1').href).toBe('https://api.example.com/v1?q=1');
  });

  it('appends params to an existing query and drops the fragment', () => {
    const url = buildRequestUrl(base, '/users?sort=name#top', {
      page: 2,
      tag: ['a b', 'c'],
      skip: undefined,
    });
    expect(url.href).toBe('https://api.example.com/v1/users?sort=name&page=2&tag=a%20b&tag=c');
    expect(url.path).toBe('/v1/users?sort=name&page=2&tag=a%20b&tag=c');
  });

  it('resolves dot segments that stay under the base path', () => {
    expect(buildRequestUrl(base, '/public/../admin').pathname).toBe('/v1/admin');
    expect(buildRequestUrl(base, '/a/./b').pathname).toBe('/v1/a/b');
  });

  it.each([
    ['//evil.com/x', 'authority'],
    ['\\\\evil.com\\x', 'authority'],
    ['/\\evil.com', 'authority'],
    ['https:evil.com', 'scheme'],
    ['javascript:alert(1)', 'scheme'],
    ['/users\r\nHost: evil', 'control-characters'],
    ['/a\u0000b', 'control-characters'],
    ['/a\tb', 'control-characters'],
    ['/../admin', 'dot-segments'],
    ['/%2e%2e/admin', 'dot-segments'],
    ['/x/../../admin', 'dot-segments'],
    ['https://user:pw@api.example.com/x', 'userinfo'],
  ])('refuses %j (%s)', (input, reason) => {
    try {
      buildRequestUrl(base, input);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(RequestBuildException);
      expect((error as RequestBuildException).context.reason).toBe(reason);
      expect((error as Error).message).not.toContain('evil');
    }
  });

  it('accepts absolute http(s) URLs to other origins (credentials are decided later)', () => {
    const url = buildRequestUrl(base, 'HTTPS://Other.example.com:443/x?y=1');
    expect(url.origin).toBe('https://other.example.com');
    expect(url.path).toBe('/x?y=1');
  });

  it('needs a base URL for relative paths', () => {
    expect(() => buildRequestUrl(undefined, '/x')).toThrow(/needs withBaseUrl/);
  });

  it('clamps dot segments at the root of a root base (they cannot leave the origin)', () => {
    expect(buildRequestUrl(root, '/../admin').pathname).toBe('/admin');
  });

  it('matches paths relative to the base path', () => {
    expect(pathForMatching(buildRequestUrl(base, '/health?x=1'), base)).toBe('/health');
    expect(pathForMatching(buildRequestUrl(base, ''), base)).toBe('/');
    expect(pathForMatching(buildRequestUrl(root, '/v1/health'), root)).toBe('/v1/health');
    expect(pathForMatching(buildRequestUrl(base, 'https://api.example.com/other'), base)).toBe('/other');
  });

  it('serialises params like a query string', () => {
    expect(serializeParams({ a: 1, b: true, c: null, d: ['x', 'y'], e: 'ä&=' })).toBe(
      'a=1&b=true&d=x&d=y&e=%C3%A4%26%3D',
    );
    expect(serializeParams(new URLSearchParams({ q: 'a b' }))).toBe('q=a+b');
  });
});

describe('property: the origin on the wire is the base origin', () => {
  const bases = ['https://api.example.com', 'https://api.example.com/v1', 'http://127.0.0.1:8080/a/b'].map(
    parseBaseUrl,
  );
  const pathChars = fc.constantFrom(
    ..."abcXYZ019-._~/\\?#@:%2eE5cC;=&+$!*'()[] \t\r\n\u0000".split(''),
    '%2e',
    '%2f',
    '%5c',
    '..',
    '//',
    'https:',
    'http://evil.com',
    '@evil.com',
  );
  const paths = fc.array(pathChars, { maxLength: 24 }).map((parts) => parts.join(''));

  it('for any accepted path, origin and base path are preserved', () => {
    fc.assert(
      fc.property(fc.constantFrom(...bases), paths, (b, path) => {
        let url: ReturnType<typeof buildRequestUrl>;
        try {
          url = buildRequestUrl(b, path);
        } catch (error) {
          expect(error).toBeInstanceOf(RequestBuildException);
          return;
        }
        const isAbsolute = /^https?:\/\//i.test(path);
        if (!isAbsolute) {
          expect(url.origin).toBe(b.origin);
          expect(new URL(url.href).origin).toBe(b.origin);
          expect(
            url.pathname === b.pathPrefix ||
              url.pathname.startsWith(`${b.pathPrefix}/`) ||
              b.pathPrefix === '',
          ).toBe(true);
        }
        // What goes on the wire parses back to the same URL.
        expect(new URL(url.origin + url.path).href).toBe(url.href);
        // No control characters ever reach the request line.
        // biome-ignore lint/suspicious/noControlCharactersInRegex: asserting their absence
        expect(/[\u0000-\u001f\u007f ]/.test(url.path)).toBe(false);
      }),
      { numRuns: 3000 },
    );
  });
});
