// The command line's pure parts: argument parsing, JSON error positions, token description.
import { describe, expect, it } from 'vitest';
import { parseCommand } from '../../src/cli/args';
import { parseJson } from '../../src/cli/json-position';
import { describeToken, headerValue, jwtClaims } from '../../src/cli/output';
import { UsageError } from '../../src/cli/usage-error';
import { TokenData } from '../../src/index';

describe('parseJson', () => {
  it.each([
    ['{\n  "a": 1,\n  "b": }', 3, 8, 'expected a value'],
    ['{"a": 1', 1, 8, 'unexpected end of file'],
    ['{"a" 1}', 1, 6, "expected ':'"],
    ['{"a": "x",}', 1, 11, 'trailing comma before }'],
    ['[1,2,]', 1, 6, 'trailing comma before ]'],
    ['', 1, 1, 'a value is missing'],
    ['{"a": tru}', 1, 7, 'expected a value'],
    ['{"a":1} x', 1, 9, 'unexpected text after the end'],
    ["{'a': 1}", 1, 2, 'double-quoted property name'],
    ["['a']", 1, 2, 'strings must use double quotes'],
    ['{"a": "x\ny"}', 1, 9, 'line break inside a string'],
    ['{"a": "\\q"}', 1, 8, 'invalid escape'],
    ['{"a": "\\u12"}', 1, 8, 'invalid \\u escape'],
    ['"open', 1, 1, 'unterminated string'],
    ['[1 2]', 1, 4, "expected ',' or ']'"],
    ['{"a":1 "b":2}', 1, 8, "expected ',' or '}'"],
    ['{"a": {"b": [1, {"c": }]}}', 1, 23, 'expected a value'],
  ])('%j → line %i, column %i: %s', (text, line, column, reason) => {
    const result = parseJson(text);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error).toMatchObject({ line, column });
      expect(result.error.reason).toContain(reason);
    }
  });

  it('never quotes the text', () => {
    const result = parseJson('{"clientSecret": "s3cr3t-value" oops}');
    expect(JSON.stringify(result)).not.toContain('s3cr3t');
  });

  it('parses valid JSON, escapes and nesting included', () => {
    expect(parseJson('{"a": [1, -2.5e3, true, false, null, "x\\u0041\\n"], "b": {}}')).toEqual({
      ok: true,
      value: { a: [1, -2500, true, false, null, 'xA\n'], b: {} },
    });
    expect(parseJson('[]')).toEqual({ ok: true, value: [] });
  });
});

describe('parseCommand', () => {
  it('reads the commands and their options', () => {
    expect(parseCommand(['token'])).toEqual({
      kind: 'token',
      profile: 'default',
      config: undefined,
      showToken: false,
      verbose: false,
    });
    expect(
      parseCommand([
        'post',
        '/x',
        '--json',
        '{"a":1}',
        '-H',
        'X-A: 1',
        '-H',
        'X-B:2',
        '--profile',
        'p',
        '--curl',
      ]),
    ).toEqual({
      kind: 'request',
      method: 'POST',
      url: '/x',
      profile: 'p',
      config: undefined,
      json: { a: 1 },
      headers: { 'X-A': '1', 'X-B': '2' },
      curl: true,
      verbose: false,
    });
    expect(parseCommand(['logout', '--config', 'c.json'])).toEqual({
      kind: 'logout',
      profile: undefined,
      config: 'c.json',
    });
    expect(parseCommand(['--help'])).toEqual({ kind: 'help' });
    expect(parseCommand(['--version'])).toEqual({ kind: 'version' });
  });

  it.each([
    [[], /a command is missing/],
    [['fetch', '/x'], /unknown command "fetch"/],
    [['get'], /"get" takes one URL/],
    [['get', '/a', '/b'], /"get" takes one URL/],
    [['token', 'extra'], /"token" takes no arguments/],
    [['logout', 'x'], /"logout" takes no arguments/],
    [['token', '--json', '{}'], /--json does not apply to "token"/],
    [['get', '/x', '--show-token'], /--show-token does not apply to "get"/],
    [['post', '/x', '--json', '{"a":'], /--json is not valid JSON \(column 6: unexpected end of file/],
    [['get', '/x', '-H', 'novalue'], /-H expects 'Name: value'/],
    [['get', '/x', '--nope'], /Unknown option '--nope'/],
  ])('%j is a usage error', (argv, message) => {
    expect(() => parseCommand(argv)).toThrow(UsageError);
    expect(() => parseCommand(argv)).toThrow(message);
  });
});

describe('token output', () => {
  const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

  it('describes a token without printing it, unless asked', () => {
    const token = new TokenData({
      accessToken: 'opaque-Token-1',
      expiresAt: new Date(10_000_000 + 3_725_000),
      scope: 'a b',
      refreshToken: 'r',
    });
    const text = describeToken(token, 'cache', false, 10_000_000);
    expect(text).toContain('expires:    1970-01-01T03:48:45.000Z (in 1h 2m 5s)');
    expect(text).toContain('scope:      a b');
    expect(text).toContain('refresh:    a refresh token is held');
    expect(text).toContain('format:     opaque (not a JWT)');
    expect(text).not.toContain('opaque-Token-1');
    expect(describeToken(token, 'cache', true, 10_000_000)).toContain('access token: opaque-Token-1');
    const expired = describeToken(
      new TokenData({ accessToken: 'x', expiresAt: new Date(1000), tokenType: '' }),
      's',
      false,
      61_000,
    );
    expect(expired).toContain('(1m 0s ago)');
    expect(expired).toContain('token type: (none');
    expect(describeToken(new TokenData({ accessToken: 'x' }), 's', false)).toContain(
      'expires:    not stated',
    );
  });

  it('decodes JWT claims and refuses what is not one', () => {
    expect(jwtClaims(`${b64({ alg: 'none' })}.${b64({ sub: 'a' })}.sig`)).toEqual({ sub: 'a' });
    expect(jwtClaims('a.b')).toBeUndefined();
    expect(jwtClaims(`x.${b64([1])}.y`)).toBeUndefined();
    expect(jwtClaims('x.%%%.y')).toBeUndefined();
  });

  it('redacts credential headers', () => {
    expect(headerValue('Set-Cookie', 'a=b')).toBe('[REDACTED]');
    expect(headerValue('content-type', 'text/plain')).toBe('text/plain');
  });
});
