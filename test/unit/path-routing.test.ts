import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PathMatcher } from '../../src/auth/path-matcher';
import { canonicalPath, routedPath } from '../../src/auth/path-normalization';
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
