import { inspect } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AuthenticationException, TokenData } from '../../src/index';
import { scheduleOf } from '../../src/tokens/freshness';

const NOW = Date.parse('2026-03-01T12:00:00Z');

describe('TokenData', () => {
  it('has the documented defaults', () => {
    const token = new TokenData({ accessToken: 'test-token' });
    expect(token.tokenType).toBe('Bearer');
    expect(token.expiresAt).toBeUndefined();
    expect(token.refreshToken).toBeUndefined();
    expect(token.extra).toEqual({});
    expect(token.isExpired()).toBe(false);
    expect(token.authorizationHeader).toBe('Bearer test-token');
    expect(new TokenData({ accessToken: 'raw', tokenType: '' }).authorizationHeader).toBe('raw');
  });

  it('is immutable', () => {
    const token = new TokenData({ accessToken: 'a', extra: { x: 1 } });
    expect(() => {
      (token.extra as Record<string, unknown>).y = 2;
    }).toThrow(TypeError);
  });

  it('isExpired uses epoch time with a leeway', () => {
    const token = new TokenData({ accessToken: 'a', expiresAt: new Date(NOW + 20_000) });
    expect(token.isExpired(30_000, NOW)).toBe(true);
    expect(token.isExpired(10_000, NOW)).toBe(false);
    expect(token.isExpired(0, NOW + 20_000)).toBe(true);
    expect(
      new TokenData({ accessToken: 'a', expiresAt: new Date(NOW + 3600_000) }).isExpired(30_000, NOW),
    ).toBe(false);
  });

  it('refuses bad fields', () => {
    expect(() => new TokenData({ accessToken: '' })).toThrow(TypeError);
    expect(() => new TokenData({ accessToken: 'a\r\nb' })).toThrow(/control characters/);
    expect(() => new TokenData({ accessToken: 'a', tokenType: 'Bear er' })).toThrow(/tokenType/);
    expect(() => new TokenData({ accessToken: 'a', expiresAt: new Date('nope') })).toThrow(/expiresAt/);
  });

  it('never prints a secret, but serialises for storages', () => {
    const token = new TokenData({
      accessToken: 'access-SECRET',
      refreshToken: 'refresh-SECRET',
      expiresAt: new Date(NOW),
    });
    expect(inspect(token)).not.toMatch(/SECRET/);
    expect(String(token)).not.toMatch(/SECRET/);
    expect(`${token}`).not.toMatch(/SECRET/);
    const json = JSON.stringify(token);
    expect(json).toContain('access-SECRET');
    const back = TokenData.fromJSON(json);
    expect(back).toBeInstanceOf(TokenData);
    expect(back.toJSON()).toEqual(token.toJSON());
    expect(back.expiresAt?.getTime()).toBe(NOW);
    expect(() => TokenData.fromJSON('{"accessToken":"x"}')).toThrow(/v1/);
  });
});

describe('TokenData.fromResponse', () => {
  it('maps the standard fields, keeps unknown keys in extra, normalises bearer', () => {
    const token = TokenData.fromResponse(
      {
        access_token: 'a',
        token_type: 'bearer',
        expires_in: 3600,
        refresh_token: 'r',
        scope: 'read',
        id_token: 'x',
        custom: 1,
      },
      { now: NOW },
    );
    expect(token).toMatchObject({ accessToken: 'a', tokenType: 'Bearer', refreshToken: 'r', scope: 'read' });
    expect(token.expiresAt?.getTime()).toBe(NOW + 3600_000);
    expect(token.issuedAt.getTime()).toBe(NOW);
    expect(token.extra).toEqual({ id_token: 'x', custom: 1 });
  });

  it('accepts custom keys', () => {
    const token = TokenData.fromResponse(
      { token: 't', ttl: 7200, type: 'MAC' },
      { accessTokenKey: 'token', expiresInKey: 'ttl', tokenTypeKey: 'type', now: NOW },
    );
    expect(token.accessToken).toBe('t');
    expect(token.tokenType).toBe('MAC');
    expect(token.expiresAt?.getTime()).toBe(NOW + 7200_000);
  });

  it('accepts a numeric-string expires_in', () => {
    expect(
      TokenData.fromResponse({ access_token: 'a', expires_in: '60' }, { now: NOW }).expiresAt?.getTime(),
    ).toBe(NOW + 60_000);
  });

  it('uses the exp of a JWT when expires_in is missing', () => {
    const payload = Buffer.from(JSON.stringify({ exp: NOW / 1000 + 600 })).toString('base64url');
    const token = TokenData.fromResponse(
      { access_token: `eyJhbGciOiJub25lIn0.${payload}.sig` },
      { now: NOW },
    );
    expect(token.expiresAt?.getTime()).toBe(NOW + 600_000);
    expect(TokenData.fromResponse({ access_token: 'opaque' }, { now: NOW }).expiresAt).toBeUndefined();
  });

  it.each([
    [{ token_type: 'Bearer' }, /access_token/],
    [{ access_token: '' }, /access_token/],
    [{ access_token: '   ' }, /access_token/],
    [{ access_token: 42 }, /access_token/],
    [{ access_token: 'a\r\nX-Evil: 1' }, /control characters/],
    [{ access_token: 'a', expires_in: 'soon' }, /expires_in/],
    [{ access_token: 'a', expires_in: -5 }, /expires_in/],
    [{ access_token: 'a', expires_in: 0 }, /expires_in/],
    [{ access_token: 'a', expires_in: '1e9' }, /expires_in/],
    [{ access_token: 'a', token_type: 'Bear er' }, /token_type/],
    [{ access_token: 'a', refresh_token: 'r\n' }, /refresh_token/],
    [[], /not a JSON object/],
    [null, /not a JSON object/],
    ['<html>', /not a JSON object/],
  ])('refuses %j with an AuthenticationException', (body, message) => {
    const run = () => TokenData.fromResponse(body, { serviceName: 'svc' });
    expect(run).toThrow(AuthenticationException);
    expect(run).toThrow(message);
    try {
      run();
    } catch (error) {
      expect((error as AuthenticationException).serviceName).toBe('svc');
      expect((error as Error).message).not.toContain('X-Evil');
    }
  });

  it('for any JSON object: a TokenData or an AuthenticationException, nothing else', () => {
    fc.assert(
      fc.property(
        fc.dictionary(
          fc.constantFrom('access_token', 'expires_in', 'token_type', 'refresh_token', 'scope', 'x'),
          fc.oneof(fc.string(), fc.integer(), fc.double(), fc.boolean(), fc.constant(null)),
        ),
        (body) => {
          try {
            const token = TokenData.fromResponse(body, { now: NOW });
            expect(token.accessToken.length).toBeGreaterThan(0);
            if (token.expiresAt) expect(token.expiresAt.getTime()).toBeGreaterThan(NOW);
          } catch (error) {
            expect(error).toBeInstanceOf(AuthenticationException);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('freshness schedule', () => {
  const token = (lifetimeMs: number) =>
    new TokenData({ accessToken: 'a', issuedAt: new Date(NOW), expiresAt: new Date(NOW + lifetimeMs) });

  it('leeway is min(refreshLeewayMs, 10 % of the lifetime); refresh-ahead is the last min(5 min, 20 %)', () => {
    expect(scheduleOf(token(3600_000), { refreshLeewayMs: 30_000 })).toEqual({
      usableUntil: NOW + 3600_000 - 30_000,
      refreshFrom: NOW + 3600_000 - 300_000,
    });
    expect(scheduleOf(token(60_000), { refreshLeewayMs: 30_000 })).toEqual({
      usableUntil: NOW + 54_000,
      refreshFrom: NOW + 48_000,
    });
    expect(scheduleOf(token(3_000), { refreshLeewayMs: 30_000 })).toEqual({
      usableUntil: NOW + 2_700,
      refreshFrom: NOW + 2_400,
    });
  });

  it('a short-lived token is never "always expired", and the refresh window starts before the hard expiry', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10 * 24 * 3600_000 }),
        fc.integer({ min: 0, max: 600_000 }),
        (lifetime, leeway) => {
          const s = scheduleOf(token(lifetime), { refreshLeewayMs: leeway });
          expect(s.usableUntil).toBeGreaterThan(NOW);
          expect(s.usableUntil).toBeLessThanOrEqual(NOW + lifetime);
          expect(s.refreshFrom).toBeLessThanOrEqual(s.usableUntil);
        },
      ),
    );
  });

  it('a token without expiry is always usable and never renewed ahead', () => {
    const s = scheduleOf(new TokenData({ accessToken: 'a' }), { refreshLeewayMs: 30_000 });
    expect(s.usableUntil).toBe(Number.POSITIVE_INFINITY);
    expect(s.refreshFrom).toBe(Number.POSITIVE_INFINITY);
  });
});
