import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PathMatcher } from '../../src/auth/path-matcher';
import { canonicalPath, routedPath, routedVariants } from '../../src/auth/path-normalization';
import { RequestBuildException } from '../../src/errors/index';
import { buildRequestUrl, parseBaseUrl, pathForMatching } from '../../src/http/url';

// What a decoding proxy (nginx, Envoy with path normalisation) routes: one decoding layer of the
// separators and dots, slashes merged, dot segments resolved.

const route = (path: string) => routedPath(canonicalPath(path));

describe('routedPath', () => {
  it.each([
    ['/users/..%2Fpublic%2Fx', '/public/x'],
    ['/users/..%2fpublic%2fx', '/public/x'],
    ['/users/%2E%2E%2Fpublic', '/public'],
    ['/users/%2e%2e%2fpublic', '/public'],
    ['/users/..%5Cpublic', '/public'],
    ['/users/.%2E%2Fpublic', '/public'],
    ['/users/%2E.%5Cpublic', '/public'],
    ['/users/..\\public', '/public'],
    ['/a/b/..%2F..%2F..%2F..%2Fc', '/c'],
    ['/a/./b/.%2F', '/a/b/'],
    ['/a//b///c', '/a/b/c'],
    ['/a/b/..', '/a/'],
    ['/a/%252F..', '/a/%252F..'],
    ['/plain/path', '/plain/path'],
    ['/', '/'],
  ])('%s routes as %s', (input, expected) => {
    expect(route(input)).toBe(expected);
  });

  const segment = fc.constantFrom('a', 'b', 'c1', '.', '..', '', '%2E', '%2e%2E', '.%2e', 'x%20y', '~');
  const separator = fc.constantFrom('/', '%2F', '%2f', '%5C', '\\', '//');
  const paths = fc
    .array(fc.tuple(separator, segment), { minLength: 1, maxLength: 10 })
    .map((parts) => `/${parts.map(([sep, seg]) => sep + seg).join('')}`);

  it('property: idempotent, and leaves no dot segment, empty segment or separator escape', () => {
    fc.assert(
      fc.property(paths, (path) => {
        const routed = route(path);
        expect(route(routed)).toBe(routed);
        expect(routed.startsWith('/')).toBe(true);
        expect(routed).not.toMatch(/%2F|%5C|\\|\/\/|\/\.\.?(\/|$)/i);
      }),
      { numRuns: 1500 },
    );
  });

  it('property: agrees with a reference (decode, merge slashes, then the WHATWG resolver)', () => {
    fc.assert(
      fc.property(paths, (path) => {
        const decoded = canonicalPath(path)
          .replace(/%2F|%5C/gi, '/')
          .replaceAll('\\', '/')
          .replace(/\/+/g, '/');
        const reference = new URL(`http://h${decoded}`).pathname;
        expect(route(path)).toBe(reference);
      }),
      { numRuns: 1500 },
    );
  });

  it('property: a path without escapes, back slashes, dots or empty segments is routed as is', () => {
    const plain = fc
      .array(fc.stringMatching(/^[a-zA-Z0-9_~-]{1,6}$/), { minLength: 1, maxLength: 6 })
      .map((parts) => `/${parts.join('/')}`);
    fc.assert(
      fc.property(plain, (path) => {
        expect(route(path)).toBe(path);
      }),
    );
  });
});

// A servlet container (Tomcat, Jetty) drops each segment's `;parameters` before it resolves dot
// segments; a chain of proxies may decode more than once. Both are variants a request may route as.
describe('routedVariants', () => {
  const variants = (path: string) => routedVariants(canonicalPath(path));

  it.each([
    ['/users/..;/admin', '/admin'],
    ['/users/..;jsessionid=1/admin', '/admin'],
    ['/users/.;x/..;y/..;/admin', '/admin'],
    ['/public;v=2/x', '/public/x'],
    ['/users/%252e%252e%252fadmin', '/admin'],
    ['/users/%252E%252E%255Cadmin', '/admin'],
    ['/users/..%252Fadmin', '/admin'],
    ['/users/%25252e%25252e%25252fadmin', '/admin'],
    ['/users/%252e%252e;x%252fadmin', '/admin'],
    ['/users/..%2Fadmin', '/admin'],
  ])('%s may route as %s', (path, routed) => {
    expect(variants(path)).toContain(routed);
  });

  it.each(['/plain/path', '/a%20b/c', '/'])('%s has no other route', (path) => {
    expect(variants(path)).toEqual([]);
  });

  it('property: contains what a double-decoding servlet container routes (reference model)', () => {
    const segment = fc.constantFrom(
      'a',
      'admin',
      '..',
      '.',
      '..;x',
      '.;',
      '%252e%252e',
      '%252E',
      'b;p=1',
      '%2E%2E',
    );
    const separator = fc.constantFrom('/', '%2F', '%252F', '%5C', '%255c');
    const paths = fc
      .array(fc.tuple(separator, segment), { minLength: 1, maxLength: 8 })
      .map((parts) => `/${parts.map(([sep, seg]) => sep + seg).join('')}`);
    const decodeAll = (path: string) => {
      let out = path;
      for (let i = 0; i < 4 && /%[0-9a-f]{2}/i.test(out); i++) out = decodeURIComponent(out);
      return out;
    };
    fc.assert(
      fc.property(paths, (path) => {
        // Every escape decoded, then each segment's parameters dropped, then dot segments resolved.
        const decoded = decodeAll(path)
          .replaceAll('\\', '/')
          .replace(/;[^/]*/g, '');
        const reference = new URL(`http://h${decoded.replace(/\/+/g, '/')}`).pathname;
        const all = [canonicalPath(path), ...variants(path)];
        expect(all).toContain(reference);
      }),
      { numRuns: 1500 },
    );
  });
});

describe('encoded dot segments in request URLs', () => {
  const base = parseBaseUrl('https://api.example.com/tenant-a');
  const root = parseBaseUrl('https://api.example.com');

  it.each([
    '/users/..%2F..%2Ftenant-b%2Fsecrets',
    '/users/%2E%2E%2F%2E%2E%2Ftenant-b',
    '/users/..%5C..%5Ctenant-b',
    '/users/.%2e%2F..%2Ftenant-b',
    '/..%2Ftenant-b',
    '/x/..%2F%2E%2E%2f..%5Ctenant-b',
    '/users/..;/..;/tenant-b/secrets',
    '/..;jsessionid=1/tenant-b',
    '/users/%252e%252e%252f%252e%252e%252ftenant-b',
    '/users/..%252F..%252Ftenant-b',
  ])('%s is refused under a base path (RequestBuildException)', (path) => {
    try {
      buildRequestUrl(base, path);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(RequestBuildException);
      expect((error as RequestBuildException).context.reason).toBe('encoded-dot-segments');
    }
  });

  it('keeps what the caller encoded on the wire when it stays under the base path', () => {
    const url = buildRequestUrl(base, '/users/..%2Fpublic%2Fx');
    expect(url.path).toBe('/tenant-a/users/..%2Fpublic%2Fx');
    expect(pathForMatching(url, base)).toBe('/users/..%2Fpublic%2Fx');
    expect(buildRequestUrl(base, '/projects/group%2Fproject/issues').path).toBe(
      '/tenant-a/projects/group%2Fproject/issues',
    );
    // Path parameters and escaped escapes that stay under the base path go out as written.
    expect(buildRequestUrl(base, '/cars;color=red/items').path).toBe('/tenant-a/cars;color=red/items');
    expect(buildRequestUrl(base, '/files/100%2525').path).toBe('/tenant-a/files/100%2525');
    // Under a root base there is nothing above to reach: the proxy clamps at the root.
    expect(buildRequestUrl(root, '/..%2Fadmin').path).toBe('/..%2Fadmin');
  });

  it('property: an accepted relative path routes under the base path, and goes out as written', () => {
    const segment = fc.constantFrom('a', 'b', '..', '.', '%2E%2E', '.%2e', 'x%20y', 'tenant-a');
    const separator = fc.constantFrom('/', '%2F', '%2f', '%5C');
    const paths = fc
      .array(fc.tuple(separator, segment), { minLength: 1, maxLength: 8 })
      .map((parts) => `/${parts.map(([sep, seg]) => sep + seg).join('')}`);
    fc.assert(
      fc.property(paths, (path) => {
        let url: ReturnType<typeof buildRequestUrl>;
        try {
          url = buildRequestUrl(base, path);
        } catch (error) {
          expect(error).toBeInstanceOf(RequestBuildException);
          return;
        }
        const routed = route(url.pathname);
        expect(routed === '/tenant-a' || routed.startsWith('/tenant-a/')).toBe(true);
        // Without literal dot segments, WHATWG leaves the path as written: the wire keeps the escapes.
        if (!/(^|\/)(\.|\.\.|%2e%2e|\.%2e|%2e\.|%2e)(\/|$)/i.test(path))
          expect(url.path).toBe(`/tenant-a${path}`);
      }),
      { numRuns: 1500 },
    );
  });
});

describe('exclusion decides on the routed path', () => {
  const matcher = new PathMatcher({ excludedPaths: ['/health'], excludedPathPatterns: ['/public/*'] });

  it.each([
    ['/users/..%2Fpublic%2Fx', true],
    ['/users/%2e%2e%2fpublic%2fx', true],
    ['/users/..%5Cpublic%5Cx', true],
    ['/a/b/..%2F..%2Fhealth', true],
    ['/public%2F..%2Fadmin', false],
    ['/public/..%2Fadmin', true], // as written it is under /public/: a non-decoding server routes it there
    ['/users/x', false],
    ['/users/..;/public/x', true],
    ['/users/..;jsessionid=9/health', true],
    ['/public;v=2/x', true],
    ['/users/%252e%252e%252fpublic%252fx', true],
    ['/users/..%252F..%252Fhealth', true],
    ['/public;v=2%2F..%2Fadmin', false],
  ])('%s excluded: %s', (path, excluded) => {
    expect(matcher.isExcluded(path)).toBe(excluded);
  });

  it('property: a path is excluded whenever its routed form is', () => {
    const segment = fc.constantFrom('public', 'x', 'users', '..', '.', '%2E%2E', 'health');
    const separator = fc.constantFrom('/', '%2F', '%5C', '//');
    const paths = fc
      .array(fc.tuple(separator, segment), { minLength: 1, maxLength: 6 })
      .map((parts) => `/${parts.map(([sep, seg]) => sep + seg).join('')}`);
    fc.assert(
      fc.property(paths, (path) => {
        if (matcher.isExcluded(route(path))) expect(matcher.isExcluded(path)).toBe(true);
      }),
      { numRuns: 1500 },
    );
  });
});
