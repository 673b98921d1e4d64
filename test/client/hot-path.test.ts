// The success path end to end: what it shares between requests, and that its shortcuts keep
// every failure a rejection (never a synchronous throw) with the attempts it took.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AuthHook,
  HttpClientException,
  NoAuthRetryStrategy,
  SimpleAuthRetryStrategy,
  TokenData,
  TokenManager,
} from '../../src/index';
import { clientFor } from '../support/helpers';
import { type LoopbackServer, startServer } from '../support/loopback-server';

let server: LoopbackServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());

describe('credential headers are built once per token', () => {
  it('static credentials: requests without headers of their own share one frozen headers object', async () => {
    server.handle((_req, res) => res.end('ok'));
    const client = clientFor(server.url, (b) => b.withBearerToken('static-secret'));
    const [a, b] = await Promise.all([client.get('/a'), client.get('/b')]);
    expect(a.request.headers).toBe(b.request.headers);
    expect(a.request.headers.authorization).toBe('Bearer static-secret');
    const own = await client.get('/c', { headers: { 'x-trace': '1' } });
    expect(own.request.headers).not.toBe(a.request.headers);
    expect(own.request.headers.authorization).toBe('Bearer static-secret');
    expect(server.requests.at(-1)!.headers['x-trace']).toBe('1');
    await client.close();
  });

  it('managed tokens: one headers object per token, a new one after a renewal', async () => {
    server.handle((_req, res) => res.end('ok'));
    let n = 0;
    const manager = new TokenManager({
      serviceName: 'once-per-token',
      fetchToken: async () => new TokenData({ accessToken: `token-${++n}` }),
      refreshToken: async () => new TokenData({ accessToken: `token-${++n}` }),
    });
    const client = clientFor(server.url, (b) => b.withTokenAuth(manager));
    const first = await client.get('/1');
    const second = await client.get('/2');
    expect(second.request.headers).toBe(first.request.headers);
    await manager.forceRefresh();
    const third = await client.get('/3');
    expect(third.request.headers).not.toBe(first.request.headers);
    expect(server.requests.slice(-3).map((r) => r.headers.authorization)).toEqual([
      'Bearer token-1',
      'Bearer token-1',
      'Bearer token-2',
    ]);
    await client.close();
  });
});

describe('failures stay rejections', () => {
  const throwing = (where: 'apply' | 'shouldAuthenticate' | 'isAuthError'): AuthHook => ({
    retryStrategy: where === 'isAuthError' ? new SimpleAuthRetryStrategy() : new NoAuthRetryStrategy(),
    shouldAuthenticate: () => {
      if (where === 'shouldAuthenticate')
        throw new HttpClientException('thrown by the hook', {}, 'ERR_AUTHENTICATION');
      return true;
    },
    apply: (request) => {
      if (where === 'apply') throw new HttpClientException('thrown by the hook', {}, 'ERR_AUTHENTICATION');
      return request;
    },
    isAuthError: () => {
      throw new HttpClientException('thrown by the hook', {}, 'ERR_AUTHENTICATION');
    },
    refresh: async () => false,
  });

  it.each(['apply', 'shouldAuthenticate', 'isAuthError'] as const)(
    'an auth hook whose %s throws rejects the call (attempts as sent)',
    async (where) => {
      server.handle((_req, res) => res.end('ok'));
      const client = clientFor(server.url, (b) => b.withAuthHook(throwing(where)));
      let pending: Promise<unknown> | undefined;
      expect(() => {
        pending = client.get('/x');
      }).not.toThrow();
      const error = (await pending!.catch((e: unknown) => e)) as HttpClientException;
      expect(error.message).toBe('thrown by the hook');
      expect(error.attempts).toBe(where === 'isAuthError' ? 1 : 0);
      await client.close();
    },
  );

  it('bad request options and a closed client reject, they do not throw', async () => {
    const client = clientFor(server.url);
    await expect(client.get('/x', { unknown: 1 } as never)).rejects.toThrow(/unknown/);
    await client.close();
    await expect(client.get('/x')).rejects.toMatchObject({ code: 'ERR_CLIENT_CLOSED' });
  });

  it('raiseForStatus throws the status exception with its attempts, after redirects', async () => {
    server.handle((req, res) => {
      if (req.url === '/api/moved') {
        res.writeHead(302, { location: '/api/missing' });
        res.end();
      } else {
        res.writeHead(404);
        res.end('nope');
      }
    });
    const client = clientFor(`${server.url}/api`, (b) => b.withRaiseForStatus());
    const error = (await client.get('/moved').catch((e: unknown) => e)) as HttpClientException;
    expect(error.code).toBe('ERR_HTTP_STATUS');
    expect(error.attempts).toBe(2);
    await client.close();
  });
});
