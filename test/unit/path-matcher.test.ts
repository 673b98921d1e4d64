import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileGlob, globMatches } from '../../src/auth/glob';
import { PathMatcher } from '../../src/auth/path-matcher';
import { canonicalPath, routedPath } from '../../src/auth/path-normalization';

describe('glob matching (fnmatch-style, linear)', () => {
  const match = (pattern: string, text: string) => globMatches(compileGlob(pattern), text);

  it.each([
    ['/public/*', '/public/docs', true],
    ['/public/*', '/public/a/b', true],
    ['/public/*', '/public/', true],
    ['/public/*', '/public', false],
    ['/public/*', '/publicity', false],
    ['*/health', '/v1/health', true],
    ['*/health', '/health', true],
    ['*/health', '/healthz', false],
    ['/a?c', '/abc', true],
    ['/a?c', '/ac', false],
    ['/**', '/anything/at/all', true],
    ['*-*-*-*.json', 'a-b-c-d.json', true],
    ['*-*-*-*.json', 'a-b-c.json', false],
    ['/x/*/y/*', '/x/1/y/2', true],
    ['/x/*/y/*', '/x/1/z/2', false],
    ['/exact', '/exact', true],
    ['/exact', '/exact/', false],
    ['/a*a', '/a', false],
    ['/a*a', '/aa', true],
  ])('%s vs %s → %s', (pattern, text, expected) => {
    expect(match(pattern, text)).toBe(expected);
  });

  it('agrees with a reference regex for random patterns', () => {
    const chars = fc.constantFrom('a', 'b', '-', '/', '.');
    fc.assert(
      fc.property(
        fc
          .array(fc.oneof(chars, fc.constant('*'), fc.constant('?')), { maxLength: 8 })
          .map((p) => p.join('')),
        fc.array(chars, { maxLength: 12 }).map((t) => t.join('')),
        (pattern, text) => {
          const regex = new RegExp(
            `^${pattern
              .replace(/[.\-/]/g, '\\$&')
              .replace(/\*+/g, '.*')
              .replace(/\?/g, '.')}$`,
            's',
          );
          expect(match(pattern, text)).toBe(regex.test(text));
        },
      ),
      { numRuns: 5000 },
    );
  });

  it('a 10,000-character path against *-*-*-*.json takes milliseconds', () => {
    const glob = compileGlob('*-*-*-*.json');
    const hostile = `/${'-'.repeat(10_000)}`;
    const started = performance.now();
    for (let i = 0; i < 10; i++) expect(globMatches(glob, hostile)).toBe(false);
    expect(performance.now() - started).toBeLessThan(50);
  });
});

describe('path canonicalisation', () => {
  it('decodes unreserved escapes only, upper-cases the rest', () => {
    expect(canonicalPath('/h%65alth')).toBe('/health');
    expect(canonicalPath('/a%2fb%7E')).toBe('/a%2Fb~');
    expect(routedPath('/public%2Fx')).toBe('/public/x');
    expect(routedPath('/public//x')).toBe('/public/x');
    expect(routedPath('/a%5Cb')).toBe('/a/b');
  });
});

describe('PathMatcher', () => {
  const matcher = new PathMatcher({
    excludedPaths: ['/health', '/status'],
    excludedPathPatterns: ['/public/*', '*/metrics'],
  });

  it.each([
    ['/health', true],
    ['/h%65alth', true],
    ['/health/', false],
    ['/healthz', false],
    ['/public/docs', true],
    ['/public/a/b', true],
    ['/public%2Fx', true],
    ['/public//x', true],
    ['/PUBLIC/x', false],
    ['/admin', false],
    ['/v2/metrics', true],
    ['/publicity', false],
  ])('%s excluded: %s', (path, expected) => {
    expect(matcher.isExcluded(path)).toBe(expected);
  });

  it('caseInsensitivePaths folds case', () => {
    const folding = new PathMatcher({
      excludedPathPatterns: ['/public/*'],
      excludedPaths: ['/Health'],
      caseInsensitivePaths: true,
    });
    expect(folding.isExcluded('/PUBLIC/x')).toBe(true);
    expect(folding.isExcluded('/health')).toBe(true);
  });

  it('refuses misplaced globs and malformed entries at construction', () => {
    expect(() => new PathMatcher({ excludedPaths: ['/public/*'] })).toThrow(/excludedPathPatterns/);
    expect(() => new PathMatcher({ excludedPaths: ['health'] })).toThrow(/start with/);
    expect(() => new PathMatcher({ excludedPathPatterns: ['public/*'] })).toThrow(/start with/);
    expect(() => new PathMatcher({ excludedPaths: '/health' as never })).toThrow(/iterable/);
    expect(new PathMatcher({ excludedPaths: new Set(['/a']) }).isExcluded('/a')).toBe(true);
  });
});
