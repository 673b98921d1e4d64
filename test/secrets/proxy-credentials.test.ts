import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { HttpClient, HttpClientConfigBuilder } from '../../src/index';

const PASSWORD = 'hunter2-proxy-password';

describe('proxy credentials from the environment', () => {
  it('never print: config and client JSON, inspect and String', async () => {
    const config = new HttpClientConfigBuilder()
      .withProxyFromEnv({
        env: {
          HTTP_PROXY: `http://user:${PASSWORD}@plain-proxy.internal:3128`,
          HTTPS_PROXY: `http://user:${encodeURIComponent(`${PASSWORD}/x`)}@secure-proxy.internal:3128`,
          NO_PROXY: '.internal',
        },
      })
      .build();
    const client = new HttpClient(config);
    try {
      expect(config.toJSON().proxyFromEnv).toEqual({
        httpProxy: 'http://[REDACTED]@plain-proxy.internal:3128/',
        httpsProxy: 'http://[REDACTED]@secure-proxy.internal:3128/',
        noProxy: '.internal',
      });
      for (const text of [
        JSON.stringify(config),
        inspect(config, { depth: 10 }),
        String(config),
        JSON.stringify(client),
        inspect(client, { depth: 10 }),
      ]) {
        expect(text).not.toContain(PASSWORD);
        expect(text).not.toContain(encodeURIComponent(PASSWORD));
        expect(text).not.toContain(Buffer.from(`user:${PASSWORD}`).toString('base64'));
      }
    } finally {
      await client.close();
    }
  });

  it('a malformed proxy variable is refused without quoting it', () => {
    let message = '';
    try {
      new HttpClientConfigBuilder()
        .withProxyFromEnv({ env: { HTTPS_PROXY: `ftp://user:${PASSWORD}@p` } })
        .build();
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/withProxyFromEnv: HTTPS_PROXY/);
    expect(message).not.toContain(PASSWORD);
  });
});
