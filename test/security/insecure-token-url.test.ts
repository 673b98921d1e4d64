// Plain-http token endpoints: refused unless the host is this machine or the caller opts in.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ClientCredentialsTokenProvider,
  HttpClient,
  HttpClientConfigBuilder,
  PasswordGrantTokenProvider,
} from '../../src/index';
import { BodyTokenFetcher, HeaderTokenFetcher } from '../../src/pipeline/index';
import { startServer, TLS_FIXTURES } from '../support/loopback-server';

const SECRET = 'clear-text-Secret-44';

/** This machine's first address that is not loopback: a plain-http URL to it crosses a network. */
const external = Object.values(networkInterfaces())
  .flat()
  .find((address) => address && address.family === 'IPv4' && !address.internal)?.address;

/** A token endpoint on every interface, recording what reached it. */
let server: http.Server;
let port = 0;
const seen: string[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      seen.push(body);
      res.writeHead(200, { 'content-type': 'application/json', authorization: 'Bearer hdr-token' });
      res.end(JSON.stringify({ access_token: 'tok-1', expires_in: 60 }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '0.0.0.0', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

type Make = (url: URL, allow?: boolean) => { fetch(): Promise<unknown>; close(): Promise<void> };
const SENDERS: Array<[string, Make]> = [
  [
    'ClientCredentialsTokenProvider',
    (url, allow) => {
      const p = new ClientCredentialsTokenProvider({
        tokenUrl: url.href,
        clientId: 'id',
        clientSecret: SECRET,
        serviceName: 's',
        maxRetries: 0,
        ...(allow === undefined ? {} : { allowInsecureTokenUrl: allow }),
      });
      return { fetch: () => p.fetchToken(), close: () => p.close() };
    },
  ],
  [
    'PasswordGrantTokenProvider',
    (url, allow) => {
      const p = new PasswordGrantTokenProvider({
        tokenUrl: url.href,
        clientId: 'id',
        username: 'u',
        password: SECRET,
        serviceName: 's',
        maxRetries: 0,
        ...(allow === undefined ? {} : { allowInsecureTokenUrl: allow }),
      });
      return { fetch: () => p.fetchToken(), close: () => p.close() };
    },
  ],
  [
    'BodyTokenFetcher',
    (url, allow) => {
      const f = new BodyTokenFetcher({
        name: 'body',
        baseUrl: url.origin,
        endpoint: url.pathname,
        requestData: { client_secret: SECRET },
        maxRetries: 0,
        ...(allow === undefined ? {} : { allowInsecureTokenUrl: allow }),
      });
      return { fetch: () => f.fetch(), close: () => f.close() };
    },
  ],
  [
    'HeaderTokenFetcher',
    (url, allow) => {
      const f = new HeaderTokenFetcher({
        name: 'header',
        baseUrl: url.origin,
        endpoint: url.pathname,
        requestData: { password: SECRET },
        maxRetries: 0,
        ...(allow === undefined ? {} : { allowInsecureTokenUrl: allow }),
      });
      return { fetch: () => f.fetch(), close: () => f.close() };
    },
  ],
];

describe.each(SENDERS)('%s', (_name, make) => {
  it('refuses a plain-http endpoint on another host at construction, saying why', () => {
    for (const url of [
      'http://auth.example.com/token',
      'http://10.1.2.3:8080/token',
      'http://[fd00::1]/token',
    ]) {
      let error: unknown;
      try {
        make(new URL(url));
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(TypeError);
      expect((error as Error).message).toMatch(/plain http/);
      expect((error as Error).message).toMatch(/allowInsecureTokenUrl: true/);
      expect((error as Error).message).not.toContain(SECRET);
    }
  });

  it.skipIf(external === undefined)(
    'a non-loopback http endpoint is never contacted without the opt-in',
    async () => {
      const before = seen.length;
      expect(() => make(new URL(`http://${external}:${port}/token`))).toThrow(TypeError);
      expect(seen.length).toBe(before);
    },
  );

  it.skipIf(external === undefined)(
    'with allowInsecureTokenUrl: true it is used (and the secret crosses in clear)',
    async () => {
      const sender = make(new URL(`http://${external}:${port}/token`), true);
      await sender.fetch();
      expect(seen.at(-1)).toContain(SECRET.slice(0, 12));
      await sender.close();
    },
  );

  it.each(['http://127.0.0.1', 'http://127.8.9.10', 'http://localhost', 'http://[::1]'])(
    'loopback %s stays allowed over plain http',
    async (origin) => {
      const url = new URL(`${origin}:${port}/token`);
      const sender = make(url);
      if (origin !== 'http://127.8.9.10' && origin !== 'http://[::1]') await sender.fetch();
      await sender.close();
    },
  );

  it('refuses an allowInsecureTokenUrl that is not a boolean', () => {
    expect(() => make(new URL('https://auth.example.com/token'), 'yes' as never)).toThrow(
      /must be a boolean/,
    );
  });
});

it('https endpoints need no opt-in', async () => {
  const tls = await startServer(
    (_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ access_token: 'tls-token', expires_in: 60 }));
    },
    { tls: true },
  );
  const httpClient = new HttpClient(new HttpClientConfigBuilder().withTls({ ca: TLS_FIXTURES.ca }).build());
  const provider = new ClientCredentialsTokenProvider({
    tokenUrl: `${tls.url.replace('127.0.0.1', 'localhost')}/token`,
    clientId: 'id',
    clientSecret: SECRET,
    serviceName: 's',
    httpClient,
  });
  expect((await provider.fetchToken()).accessToken).toBe('tls-token');
  await httpClient.close();
  await tls.close();
});
