import { describe, expect, it } from 'vitest';
import { DEFAULTS, HttpClientConfig, HttpClientConfigBuilder } from '../../src/index';

const build = (configure: (b: HttpClientConfigBuilder) => HttpClientConfigBuilder) => () =>
  configure(new HttpClientConfigBuilder()).build();

describe('HttpClientConfigBuilder', () => {
  it('has the documented defaults', () => {
    const config = new HttpClientConfigBuilder().build();
    expect(config).toBeInstanceOf(HttpClientConfig);
    expect(config).toMatchObject({
      baseUrl: undefined,
      timeoutMs: 30_000,
      followRedirects: true,
      maxRedirects: 10,
      connections: 128,
      maxResponseBytes: 50 * 1024 * 1024,
      raiseForStatus: false,
      authHook: undefined,
      retryStrategy: undefined,
    });
    expect(DEFAULTS.timeoutMs).toBe(30_000);
  });

  it('returns a frozen config', () => {
    const config = new HttpClientConfigBuilder().withHeader('X-A', '1').build();
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.headers)).toBe(true);
    expect(() => {
      (config as { timeoutMs: number }).timeoutMs = 1;
    }).toThrow(TypeError);
  });

  it('merges headers case-insensitively, later wins', () => {
    const config = new HttpClientConfigBuilder()
      .withHeaders({ 'X-A': '1', Accept: 'a' })
      .withHeader('x-a', '2')
      .build();
    expect(config.headers).toEqual({ 'x-a': '2', accept: 'a' });
  });

  it('every with* returns the builder and builders are independent', () => {
    const a = new HttpClientConfigBuilder();
    expect(a.withTimeout(1000)).toBe(a);
    const b = new HttpClientConfigBuilder().withTimeout(2000);
    expect(a.build().timeoutMs).toBe(1000);
    expect(b.build().timeoutMs).toBe(2000);
  });

  it.each([
    ['withTimeout', build((b) => b.withTimeout(0)), RangeError],
    ['withTimeout', build((b) => b.withTimeout(Number.NaN)), RangeError],
    ['withTimeout', build((b) => b.withTimeout('5' as never)), RangeError],
    ['withBaseUrl', build((b) => b.withBaseUrl('not a url')), TypeError],
    ['withBaseUrl', build((b) => b.withBaseUrl('ftp://x.test')), TypeError],
    ['withConnections', build((b) => b.withConnections(0)), RangeError],
    ['withConnections', build((b) => b.withConnections(1.5)), RangeError],
    ['withMaxResponseBytes', build((b) => b.withMaxResponseBytes(-1)), RangeError],
    ['withRedirects', build((b) => b.withRedirects({ maxRedirects: -1 })), RangeError],
    ['withRedirects', build((b) => b.withRedirects({ follow: 'yes' as never })), TypeError],
    ['withVerifySsl', build((b) => b.withVerifySsl('no' as never)), TypeError],
    ['withProxy', build((b) => b.withProxy('socks5://x')), TypeError],
    ['withProxy', build((b) => b.withProxy('nope')), TypeError],
    ['withTrustedOrigins', build((b) => b.withTrustedOrigins(['nope'])), TypeError],
    ['withDispatcher', build((b) => b.withDispatcher({} as never)), TypeError],
    ['withHeaders', build((b) => b.withHeader('Bad Name', 'x')), TypeError],
    ['withHeaders', build((b) => b.withHeader('X-A', 5 as never)), TypeError],
    ['withApiKey', build((b) => b.withBaseUrl('https://h.test').withApiKey('')), TypeError],
    [
      'withApiKey',
      build((b) => b.withBaseUrl('https://h.test').withApiKey('k', { headerName: 'a b' })),
      TypeError,
    ],
    ['withBasicAuth', build((b) => b.withBaseUrl('https://h.test').withBasicAuth('a:b', 'c')), TypeError],
    ['withAuthHook', build((b) => b.withBaseUrl('https://h.test').withAuthHook({} as never)), TypeError],
  ])('%s: invalid values throw from build() naming the option', (option, run, type) => {
    expect(run).toThrow(type);
    expect(run).toThrow(new RegExp(option));
  });

  it('withTrustedOrigins keeps only the origin', () => {
    const config = new HttpClientConfigBuilder()
      .withBaseUrl('https://api.example.com/v1')
      .withTrustedOrigins(new Set(['https://files.example.com/some/path']))
      .build();
    expect(config.trustedOrigins).toEqual(['https://api.example.com', 'https://files.example.com']);
  });
});
