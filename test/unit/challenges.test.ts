// WWW-Authenticate parsing (RFC 9110 §11.6.1) and the refresh decision (RFC 6750 §3.1): pure.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { refreshMayHelp } from '../../src/auth/challenges';
import { type Challenge, HttpHeaders, HttpRequest, HttpResponse, parseChallenges } from '../../src/index';

const plain = (challenges: Challenge[]) =>
  challenges.map((c) => ({ scheme: c.scheme, token68: c.token68, params: { ...c.params } }));

describe('parseChallenges', () => {
  it('reads the RFC 9110 example: two challenges, quoted strings with escapes and commas', () => {
    expect(
      plain(
        parseChallenges('Basic realm="simple", Newauth realm="apps", type=1, title="Login to \\"apps\\""'),
      ),
    ).toEqual([
      { scheme: 'Basic', token68: undefined, params: { realm: 'simple' } },
      {
        scheme: 'Newauth',
        token68: undefined,
        params: { realm: 'apps', type: '1', title: 'Login to "apps"' },
      },
    ]);
  });

  it('keeps commas and equals signs inside quoted strings, lower-cases parameter names, first one wins', () => {
    const [bearer] = parseChallenges(
      'Bearer realm="a, b=c", ERROR="insufficient_scope", scope="x y", error="invalid_token"',
    );
    expect(bearer!.params).toEqual({ realm: 'a, b=c', error: 'insufficient_scope', scope: 'x y' });
  });

  it('reads token68, bare schemes, BWS around "=", several header lines, and empty quoted values', () => {
    expect(
      plain(parseChallenges(['Negotiate abc/+=', 'Bearer', 'DPoP algs = "ES256 PS256", nonce=""'])),
    ).toEqual([
      { scheme: 'Negotiate', token68: 'abc/+=', params: {} },
      { scheme: 'Bearer', token68: undefined, params: {} },
      { scheme: 'DPoP', token68: undefined, params: { algs: 'ES256 PS256', nonce: '' } },
    ]);
    expect(parseChallenges('Basic realm=')[0]).toMatchObject({ scheme: 'Basic', token68: 'realm=' });
  });

  it('skips what it cannot read, one element at a time, without losing the rest', () => {
    expect(
      plain(parseChallenges('=oops, "quoted", Bearer error="invalid_token" junk, Basic realm="r"')),
    ).toEqual([
      { scheme: 'Bearer', token68: undefined, params: { error: 'invalid_token' } },
      { scheme: 'Basic', token68: undefined, params: { realm: 'r' } },
    ]);
    expect(parseChallenges('realm="orphan"')).toEqual([]);
    expect(parseChallenges('Bearer realm="unterminated, error=x')[0]!.params.realm).toBe(
      'unterminated, error=x',
    );
    expect(parseChallenges(undefined)).toEqual([]);
    expect(parseChallenges('  ,  , ')).toEqual([]);
  });

  it('is safe against prototype keys', () => {
    const [c] = parseChallenges('Bearer __proto__="x", constructor=y');
    expect(Object.getPrototypeOf(c!.params)).toBeNull();
    expect(Object.entries(c!.params)).toContainEqual(['__proto__', 'x']);
    expect(c!.params.constructor).toBe('y');
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  // Property: whatever challenges a server sends, in whatever legal spelling, we read them back.
  const tchar = fc.constantFrom(
    ..."!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ".split(''),
  );
  const token = fc.array(tchar, { minLength: 1, maxLength: 8 }).map((chars) => chars.join(''));
  const value = fc.string({ unit: fc.constantFrom(...' ,=;"\\abcXYZ019é\t'.split('')), maxLength: 12 });
  const t68 = fc
    .tuple(
      fc.array(fc.constantFrom(...'abcXYZ019-._~+/'.split('')), { minLength: 1, maxLength: 10 }),
      fc.nat(2),
    )
    .map(([chars, pad]) => chars.join('') + '='.repeat(pad));
  const params = fc.uniqueArray(fc.tuple(token, value), {
    selector: ([name]) => name.toLowerCase(),
    maxLength: 4,
  });
  const challenge = fc.oneof(
    fc.record({ scheme: token, params, token68: fc.constant(undefined) }),
    fc.record({ scheme: token, params: fc.constant([] as [string, string][]), token68: t68 }),
  );
  const space = fc.constantFrom('', ' ', '  ', '\t');
  const quote = (text: string) => `"${text.replace(/["\\]/g, (c) => `\\${c}`)}"`;

  it('round-trips any list of challenges in any legal spelling (property)', () => {
    fc.assert(
      fc.property(
        fc.array(challenge, { minLength: 1, maxLength: 4 }),
        space,
        fc.boolean(),
        (list, ows, lines) => {
          const spelled = list.map((c) => {
            if (c.token68 !== undefined) return `${c.scheme} ${c.token68}`;
            const args = c.params.map(([name, v]) => {
              const bare = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(v);
              return `${name}${ows}=${ows}${bare && v.length % 2 === 0 ? v : quote(v)}`;
            });
            return args.length === 0 ? c.scheme : `${c.scheme} ${args.join(`${ows},${ows}`)}`;
          });
          const parsed = parseChallenges(lines ? spelled : spelled.join(`${ows},${ows}`));
          expect(plain(parsed)).toEqual(
            list.map((c) => ({
              scheme: c.scheme,
              token68: c.token68,
              params: Object.fromEntries(c.params.map(([name, v]) => [name.toLowerCase(), v])),
            })),
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it('never throws and always returns well-formed challenges, on any input (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        for (const c of parseChallenges(text)) {
          expect(c.scheme).toMatch(/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/);
          expect(Object.isFrozen(c.params)).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('is linear: a hostile 200 kB header parses in well under a second', () => {
    const hostile = `Bearer ${'a="\\'.repeat(50_000)}, ${'x,'.repeat(25_000)}`;
    const started = performance.now();
    parseChallenges(hostile);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});

describe('refreshMayHelp (RFC 6750 §3.1)', () => {
  it.each([
    ['Bearer error="insufficient_scope", scope="admin"', false],
    ['DPoP error="insufficient_scope"', false],
    ['Bearer error="invalid_token", error_description="expired"', true],
    ['Bearer realm="api"', true],
    ['Basic realm="x"', true],
    ['Bearer error="insufficient_scope", Bearer error="invalid_token"', true],
    ['', true],
  ])('%s → %s', (header, expected) => {
    expect(refreshMayHelp(parseChallenges(header))).toBe(expected);
  });
});

describe('HttpResponse.challenges()', () => {
  it('parses every WWW-Authenticate line once, and is empty without one', () => {
    const request = new HttpRequest({ method: 'GET', url: 'https://api.test/x' });
    const response = new HttpResponse({
      statusCode: 401,
      headers: new HttpHeaders([
        'WWW-Authenticate',
        'Basic realm="a"',
        'www-authenticate',
        'Bearer error="invalid_token"',
      ]),
      elapsedMs: 1,
      url: request.url,
      request,
    });
    expect(response.challenges().map((c) => c.scheme)).toEqual(['Basic', 'Bearer']);
    expect(response.challenges()).toBe(response.challenges());
    expect(Object.isFrozen(response)).toBe(true);
    const none = new HttpResponse({
      statusCode: 200,
      headers: new HttpHeaders(),
      elapsedMs: 1,
      url: request.url,
      request,
    });
    expect(none.challenges()).toEqual([]);
  });
});
