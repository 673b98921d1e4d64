import { describe, expect, it } from 'vitest';
import {
  bypassesProxy,
  parseNoProxy,
  proxyFor,
  readProxyEnvironment,
} from '../../src/transport/proxy-from-env';

const target = (url: string) => new URL(url);
const bypass = (noProxy: string, url: string) => bypassesProxy(target(url), parseNoProxy(noProxy));

describe('readProxyEnvironment', () => {
  it('reads each scheme from its own variable, lower case first', () => {
    expect(
      readProxyEnvironment({
        HTTP_PROXY: 'http://upper:1',
        http_proxy: 'http://lower:2',
        HTTPS_PROXY: 'http://secure:3',
        NO_PROXY: 'a.example',
      }),
    ).toEqual({ httpProxy: 'http://lower:2/', httpsProxy: 'http://secure:3/', noProxy: 'a.example' });
    expect(readProxyEnvironment({ no_proxy: 'x', NO_PROXY: 'y' }).noProxy).toBe('x');
  });

  it('does not fall back from HTTPS_PROXY to HTTP_PROXY, and ignores blank values', () => {
    expect(readProxyEnvironment({ HTTP_PROXY: 'http://p:1', HTTPS_PROXY: '  ' })).toEqual({
      httpProxy: 'http://p:1/',
      httpsProxy: undefined,
      noProxy: '',
    });
  });

  it('takes a proxy without a scheme as http, and https proxies', () => {
    expect(readProxyEnvironment({ HTTPS_PROXY: 'proxy.corp:3128' }).httpsProxy).toBe(
      'http://proxy.corp:3128/',
    );
    expect(readProxyEnvironment({ HTTPS_PROXY: 'https://proxy.corp' }).httpsProxy).toBe(
      'https://proxy.corp/',
    );
  });

  it('refuses unusable proxy URLs naming the variable, never its value', () => {
    const secret = 'socks5://user:hunter2@proxy:1080';
    expect(() => readProxyEnvironment({ HTTPS_PROXY: secret })).toThrow(
      /HTTPS_PROXY must be an http:\/\/ or https:\/\/ proxy URL/,
    );
    for (const bad of ['http://u:hunter2@[nope', 'http://u:hunter2@proxy:1/path']) {
      let message = '';
      try {
        readProxyEnvironment({ http_proxy: bad });
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).toMatch(/HTTP_PROXY/);
      expect(message).not.toContain('hunter2');
    }
  });
});

describe('NO_PROXY matching', () => {
  it('is empty when unset: everything goes through the proxy', () => {
    expect(bypass('', 'https://api.example.com')).toBe(false);
  });

  it('* exempts everything', () => {
    expect(bypass('*', 'https://api.example.com')).toBe(true);
    expect(bypass('a.b, *', 'http://10.0.0.1:8080')).toBe(true);
  });

  it('a domain matches itself and its subdomains, with or without a leading dot or *.', () => {
    for (const entry of ['example.com', '.example.com', '*.example.com', 'EXAMPLE.com.']) {
      expect(bypass(entry, 'https://example.com')).toBe(true);
      expect(bypass(entry, 'https://api.example.com')).toBe(true);
      expect(bypass(entry, 'https://a.b.example.com:8443')).toBe(true);
      expect(bypass(entry, 'https://notexample.com')).toBe(false);
      expect(bypass(entry, 'https://example.com.evil.net')).toBe(false);
    }
  });

  it('a trailing dot in the URL host does not escape a rule', () => {
    expect(bypass('internal.corp', 'https://api.internal.corp./x')).toBe(true);
  });

  it('a port restricts the entry to that port (default ports count)', () => {
    expect(bypass('example.com:8080', 'http://example.com:8080')).toBe(true);
    expect(bypass('example.com:8080', 'http://example.com:9090')).toBe(false);
    expect(bypass('example.com:443', 'https://example.com')).toBe(true);
    expect(bypass('example.com:80', 'https://example.com')).toBe(false);
  });

  it('IP addresses and CIDR ranges match addresses written in the URL', () => {
    expect(bypass('10.1.2.3', 'http://10.1.2.3:8080')).toBe(true);
    expect(bypass('10.1.2.3', 'http://10.1.2.4')).toBe(false);
    expect(bypass('10.1.2.3:8080', 'http://10.1.2.3:9090')).toBe(false);
    expect(bypass('10.0.0.0/8', 'http://10.200.0.1')).toBe(true);
    expect(bypass('10.0.0.0/8', 'http://11.0.0.1')).toBe(false);
    expect(bypass('::1', 'http://[::1]:3000')).toBe(true);
    expect(bypass('[0:0::1]:3000', 'http://[::1]:3000')).toBe(true);
    expect(bypass('[::1]:3000', 'http://[::1]:3001')).toBe(false);
    expect(bypass('fd00::/8', 'http://[fd12::5]')).toBe(true);
    // Host names are never resolved: an IP rule does not match a name.
    expect(bypass('127.0.0.1', 'http://localhost')).toBe(false);
  });

  it('splits on commas and spaces, ignores case and entries it cannot read', () => {
    expect(bypass(' Foo.Internal ,bar.internal  baz.internal', 'https://x.baz.internal')).toBe(true);
    expect(bypass('host:notaport, 10.0.0.0/99, [::1, ,', 'https://host')).toBe(false);
    expect(parseNoProxy('host:notaport, 10.0.0.0/99, [::1, 1.2.3.4/x')).toEqual([]);
  });
});

describe('proxyFor', () => {
  const environment = readProxyEnvironment({
    HTTP_PROXY: 'http://plain-proxy:3128',
    HTTPS_PROXY: 'http://user:pass@secure-proxy:3128',
    NO_PROXY: '.internal',
  });
  const rules = parseNoProxy(environment.noProxy);

  it('picks the proxy of the scheme, or none for exempt hosts', () => {
    expect(proxyFor(target('http://api.example.com'), environment, rules)).toBe('http://plain-proxy:3128/');
    expect(proxyFor(target('https://api.example.com'), environment, rules)).toBe(
      'http://user:pass@secure-proxy:3128/',
    );
    expect(proxyFor(target('https://svc.internal'), environment, rules)).toBeUndefined();
  });

  it('connects directly when the scheme has no proxy', () => {
    const onlyHttps = readProxyEnvironment({ HTTPS_PROXY: 'http://p:1' });
    expect(proxyFor(target('http://api.example.com'), onlyHttps, [])).toBeUndefined();
  });
});
