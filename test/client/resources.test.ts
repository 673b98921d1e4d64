import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenData, TokenManager } from '../../src/index';
import { clientFor, until } from '../support/helpers';
import { type LoopbackServer, startServer } from '../support/loopback-server';

let server: LoopbackServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());

const sockets = () => process.getActiveResourcesInfo().filter((kind) => kind === 'TCPSocketWrap').length;
const timers = () => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;

describe('nothing is left open', () => {
  it('close() releases every socket; no timer outlives a request', async () => {
    const baselineSockets = sockets();
    const baselineTimers = timers();
    const manager = new TokenManager({
      serviceName: 'leak-check',
      fetchToken: async () => new TokenData({ accessToken: 't', expiresAt: new Date(Date.now() + 60_000) }),
      refreshToken: async () => new TokenData({ accessToken: 't', expiresAt: new Date(Date.now() + 60_000) }),
    });
    const client = clientFor(server.url, (b) =>
      b.withTokenAuth(manager).withRetry({ maxRetries: 1 }).withConnections(8),
    );
    await Promise.all(Array.from({ length: 200 }, (_, i) => client.get(`/n/${i}`)));
    expect(sockets()).toBeGreaterThan(baselineSockets);
    expect(timers()).toBeLessThanOrEqual(baselineTimers);
    await client.close();
    await until(() => sockets() === baselineSockets, 3000);
    expect(sockets()).toBe(baselineSockets);
  });
});
