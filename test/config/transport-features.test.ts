import { describe, expect, it } from 'vitest';
import { DEFAULTS, HttpClientConfigBuilder } from '../../src/index';

const build = (configure: (b: HttpClientConfigBuilder) => HttpClientConfigBuilder) =>
  configure(new HttpClientConfigBuilder()).build();

describe('builder: transport features', () => {
  it('defaults: decompression on (ratio 1000), HTTP/1.1, no proxy from the environment', () => {
    const config = build((b) => b);
    expect(config).toMatchObject({ decompression: true, maxDecompressionRatio: 1000, http2: false });
    expect(config.proxyFromEnv).toBeUndefined();
    expect(DEFAULTS.maxDecompressionRatio).toBe(1000);
    expect(config.toJSON()).toMatchObject({ decompression: true, maxDecompressionRatio: 1000, http2: false });
  });

  it('withDecompression takes a boolean or options; withHttp2 a boolean', () => {
    expect(build((b) => b.withDecompression(false)).decompression).toBe(false);
    expect(build((b) => b.withDecompression(false).withDecompression()).decompression).toBe(true);
    expect(build((b) => b.withDecompression({ maxDecompressionRatio: 50 }))).toMatchObject({
      decompression: true,
      maxDecompressionRatio: 50,
    });
    expect(build((b) => b.withHttp2()).http2).toBe(true);
    expect(build((b) => b.withHttp2().withHttp2(false)).http2).toBe(false);
  });

  it('refuses bad values naming the option', () => {
    expect(() => build((b) => b.withDecompression('yes' as never))).toThrow(/withDecompression/);
    expect(() => build((b) => b.withDecompression({ maxDecompressionRatio: 0 }))).toThrow(RangeError);
    expect(() => build((b) => b.withDecompression({ maxDecompressionRatio: Number.NaN }))).toThrow(
      /maxDecompressionRatio/,
    );
    expect(() => b0().withDecompression({ maxRatio: 5 } as never)).toThrow(/unknown option "maxRatio"/);
    expect(() => build((b) => b.withHttp2('yes' as never))).toThrow(/withHttp2: expected a boolean/);
    expect(() => b0().withProxyFromEnv({ environment: {} } as never)).toThrow(/unknown option "environment"/);
    expect(() => build((b) => b.withProxyFromEnv({ env: null as never }))).toThrow(/env must be an object/);
    expect(() =>
      build((b) => b.withProxyFromEnv({ env: {} }).withDispatcher({ dispatch: () => true } as never)),
    ).toThrow(/withProxyFromEnv: not available with withDispatcher/);
  });

  it('reads the environment at build(), and not at all when withProxy is set', () => {
    const env: Record<string, string | undefined> = { HTTPS_PROXY: 'proxy.internal:3128' };
    const builder = new HttpClientConfigBuilder().withProxyFromEnv({ env });
    env.NO_PROXY = 'localhost';
    expect(builder.build().proxyFromEnv).toEqual({
      httpProxy: undefined,
      httpsProxy: 'http://proxy.internal:3128/',
      noProxy: 'localhost',
    });
    const broken = { HTTPS_PROXY: 'socks5://p:1' };
    expect(() => build((b) => b.withProxyFromEnv({ env: broken }))).toThrow(TypeError);
    expect(
      build((b) => b.withProxyFromEnv({ env: broken }).withProxy('http://p:1')).proxyFromEnv,
    ).toBeUndefined();
  });
});

function b0() {
  return new HttpClientConfigBuilder();
}
