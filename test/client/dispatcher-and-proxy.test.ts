import http from 'node:http';
import net from 'node:net';
import { MockAgent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient, HttpClientConfigBuilder } from '../../src/index';
import { type LoopbackServer, startServer } from '../support/loopback-server';

describe('withDispatcher', () => {
  it('works with undici MockAgent and never closes a caller-owned dispatcher', async () => {
    const agent = new MockAgent();
    agent.disableNetConnect();
    agent
      .get('https://api.example.com')
      .intercept({ path: '/v1/users?page=2', method: 'GET', headers: { authorization: 'Bearer mock-token' } })
      .reply(200, { users: ['ada'] }, { headers: { 'content-type': 'application/json' } });
    const client = new HttpClient(
      new HttpClientConfigBuilder()
        .withBaseUrl('https://api.example.com/v1')
        .withBearerToken('mock-token')
        .withDispatcher(agent)
        .build(),
    );
    const response = await client.get('/users', { params: { page: 2 } });
    expect(response.json()).toEqual({ users: ['ada'] });
    expect(response.headers.get('Content-Type')).toBe('application/json');
    await client.close();
    agent.assertNoPendingInterceptors();
    await agent.close();
  });
});

describe('withProxy', () => {
  let target: LoopbackServer;
  let proxy: http.Server;
  let proxyUrl: string;
  const tunnels: string[] = [];

  beforeAll(async () => {
    target = await startServer();
    proxy = http.createServer((_req, res) => res.writeHead(405).end());
    proxy.on('connect', (req, clientSocket: net.Socket, head) => {
      tunnels.push(`${req.url} ${req.headers['proxy-authorization'] ?? ''}`);
      const [host, port] = (req.url ?? '').split(':');
      const upstream = net.connect(Number(port), host, () => {
        clientSocket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.write(head);
        upstream.pipe(clientSocket);
        clientSocket.pipe(upstream);
      });
      upstream.on('error', () => clientSocket.destroy());
      clientSocket.on('error', () => upstream.destroy());
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    proxyUrl = `http://proxy-user:proxy-pass@127.0.0.1:${(proxy.address() as net.AddressInfo).port}`;
  });
  afterAll(async () => {
    await target.close();
    proxy.closeAllConnections();
    await new Promise((resolve) => proxy.close(resolve));
  });

  it('tunnels every request through the proxy, with proxy credentials for the proxy only', async () => {
    const client = new HttpClient(
      new HttpClientConfigBuilder().withBaseUrl(target.url).withProxy(proxyUrl).build(),
    );
    const response = await client.get('/through-proxy');
    expect(response.statusCode).toBe(200);
    expect(tunnels).toEqual([
      `127.0.0.1:${target.port} Basic ${Buffer.from('proxy-user:proxy-pass').toString('base64')}`,
    ]);
    expect(target.requests[0]!.headers['proxy-authorization']).toBeUndefined();
    await client.close();
  });
});
