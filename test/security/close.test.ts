// close() always completes promptly, and closing the last client that uses a token manager leaves
// no socket open on the token server.
import http from 'node:http';
import net from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  ClientCredentialsTokenProvider,
  CompositeAuthHook,
  HttpClient,
  HttpClientConfigBuilder,
  HttpClientException,
  TokenAuthHook,
  TokenManager,
} from '../../src/index';
import { BodyTokenFetcher, PipelineTokenProvider, TokenFetchPipeline } from '../../src/pipeline/index';
import { until, within } from '../support/helpers';
import { type LoopbackServer, startServer } from '../support/loopback-server';

/** close() lets requests in flight finish for 1 s, then destroys: this is "promptly", with room for a loaded machine. */
const PROMPT_MS = 4_000;

let tokens: LoopbackServer;
let api: LoopbackServer;
let stallTokens = false;

beforeAll(async () => {
  tokens = await startServer((_request, response) => {
    if (stallTokens) return; // never answers
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(
      JSON.stringify({ access_token: `tok-${Math.random().toString(36).slice(2)}`, expires_in: 3600 }),
    );
  });
  api = await startServer();
});
afterAll(() => Promise.all([tokens.close(), api.close()]));
afterEach(() => {
  stallTokens = false;
  tokens.requests.length = 0;
  api.requests.length = 0;
});

const provider = () =>
  new ClientCredentialsTokenProvider({
    tokenUrl: `${tokens.url}/token`,
    clientId: 'id',
    clientSecret: 'close-secret',
    serviceName: 'close',
    timeoutMs: 60_000,
    maxRetries: 0,
  });
const managed = (manager: TokenManager) =>
  new HttpClient(
    new HttpClientConfigBuilder().withBaseUrl(api.url).withTokenAuth(manager).withTimeout(60_000).build(),
  );

async function timed(run: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await within(PROMPT_MS + 2_000, run());
  return performance.now() - started;
}

describe('close() completes promptly', () => {
  it('with a CONNECT pending at a stalled proxy', async () => {
    const proxySockets = new Set<net.Socket>();
    let ended = 0;
    const proxy = http.createServer();
    proxy.on('connect', (_req, socket: net.Socket) => {
      proxySockets.add(socket);
      socket.on('end', () => {
        ended++;
        socket.destroy();
      });
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const client = new HttpClient(
      new HttpClientConfigBuilder()
        .withBaseUrl(api.url)
        .withProxy(`http://127.0.0.1:${(proxy.address() as net.AddressInfo).port}`)
        .withTimeout(60_000)
        .build(),
    );
    const pending = client.get('/through-a-stalled-proxy').catch((e: unknown) => e);
    await until(() => proxySockets.size === 1);
    expect(await timed(() => client.close())).toBeLessThan(PROMPT_MS);
    // The tunnel is torn down by the close: the caller sees why, not undici's UND_ERR_DESTROYED.
    const error = await within(PROMPT_MS, pending);
    expect(error).toBeInstanceOf(HttpClientException);
    expect(error).toMatchObject({ code: 'ERR_CLIENT_CLOSED' });
    await until(() => ended === 1);
    proxy.closeAllConnections();
    await new Promise((resolve) => proxy.close(resolve));
  });

  it('with a request body the server never reads (a socket that never drains)', async () => {
    const sockets = new Set<net.Socket>();
    const sink = net.createServer((socket) => {
      sockets.add(socket);
      socket.pause(); // never reads: the client's writes back up
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
    const client = new HttpClient(
      new HttpClientConfigBuilder()
        .withBaseUrl(`http://127.0.0.1:${(sink.address() as net.AddressInfo).port}`)
        .withTimeout(60_000)
        .build(),
    );
    const pending = client
      .post('/upload', { body: new Uint8Array(64 * 1024 * 1024) })
      .catch((e: unknown) => e);
    await until(() => sockets.size === 1);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await timed(() => client.close())).toBeLessThan(PROMPT_MS);
    expect(await within(PROMPT_MS, pending)).toMatchObject({ code: 'ERR_CLIENT_CLOSED' });
    for (const socket of sockets) socket.resume();
    await until(() => sockets.size === 0);
    await new Promise((resolve) => sink.close(resolve));
  });

  it('with a token request in flight at a token endpoint that never answers', async () => {
    stallTokens = true;
    const client = managed(new TokenManager(provider(), undefined, { fetchTimeoutMs: 60_000 }));
    const pending = client.get('/needs-a-token').catch((e: unknown) => e);
    await until(() => tokens.requests.length === 1);
    expect(await timed(() => client.close())).toBeLessThan(PROMPT_MS);
    expect(await within(PROMPT_MS, pending)).toBeInstanceOf(HttpClientException);
    await until(() => tokens.openSockets === 0);
    expect(api.requests).toEqual([]);
  });
});

describe('closing the last client releases the token manager and its provider', () => {
  it('no socket stays open on the token server after the last client closes', async () => {
    const manager = new TokenManager(provider());
    const first = managed(manager);
    const second = managed(manager);
    await first.get('/a');
    await second.get('/b');
    expect(tokens.openSockets).toBe(1);
    await first.close();
    // Still used by the second client: the provider keeps its connection.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(tokens.openSockets).toBe(1);
    await second.close();
    await until(() => tokens.openSockets === 0);
    await until(() => api.openSockets === 0);
  });

  it('a released manager is usable again: a new client opens new connections', async () => {
    const manager = new TokenManager(provider());
    const first = managed(manager);
    await first.get('/a');
    await first.close();
    await until(() => tokens.openSockets === 0);
    await manager.forceRefresh();
    const second = managed(manager);
    expect((await second.get('/b')).statusCode).toBe(200);
    expect(tokens.requests).toHaveLength(2);
    await second.close();
    await until(() => tokens.openSockets === 0);
  });

  it('a provider shared by two managers is closed with the last of them', async () => {
    const shared = provider();
    const one = new TokenManager(shared);
    const other = new TokenManager(shared);
    const client = managed(one);
    await client.get('/a');
    await other.getToken();
    await client.close();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(tokens.openSockets).toBe(1);
    await other.close();
    await until(() => tokens.openSockets === 0);
  });

  it('through a CompositeAuthHook and a pipeline provider too', async () => {
    const pipeline = new TokenFetchPipeline({
      steps: [new BodyTokenFetcher({ name: 'p', baseUrl: tokens.url, endpoint: '/t', maxRetries: 0 })],
    });
    const manager = new TokenManager(new PipelineTokenProvider(pipeline, { serviceName: 'pipe' }));
    const client = new HttpClient(
      new HttpClientConfigBuilder()
        .withBaseUrl(api.url)
        .withAuthHook(new CompositeAuthHook([new TokenAuthHook(manager)]))
        .build(),
    );
    await client.get('/a');
    expect(tokens.openSockets).toBe(1);
    await client.close();
    await until(() => tokens.openSockets === 0);
  });

  it("a caller's httpClient given to a provider is never closed", async () => {
    const own = new HttpClient(new HttpClientConfigBuilder().build());
    const client = managed(
      new TokenManager(
        new ClientCredentialsTokenProvider({
          tokenUrl: `${tokens.url}/token`,
          clientId: 'id',
          clientSecret: 's3cret',
          serviceName: 'own',
          httpClient: own,
        }),
      ),
    );
    await client.get('/a');
    await client.close();
    expect(own.closed).toBe(false);
    expect((await own.get(`${api.url}/still-open`)).statusCode).toBe(200);
    await own.close();
  });

  it('1,000 managed-token clients created, used once and closed: no socket left open on either server', async () => {
    for (let batch = 0; batch < 20; batch++) {
      await Promise.all(
        Array.from({ length: 50 }, async (_, i) => {
          const client = managed(new TokenManager(provider()));
          expect((await client.get(`/n/${batch}/${i}`)).statusCode).toBe(200);
          await client.close();
        }),
      );
    }
    expect(tokens.requests).toHaveLength(1000);
    expect(api.requests).toHaveLength(1000);
    await until(() => tokens.openSockets === 0 && api.openSockets === 0);
  }, 60_000);
});
