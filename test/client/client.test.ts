import { Readable } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  HttpClient,
  HttpClientConfigBuilder,
  HttpClientException,
  HttpResponse,
  NotFoundException,
  RequestAbortedException,
  RequestBuildException,
  ServerErrorException,
} from '../../src/index';
import { clientFor, within } from '../support/helpers';
import { echo, type LoopbackServer, startServer } from '../support/loopback-server';

let server: LoopbackServer;
let client: HttpClient;

beforeAll(async () => {
  server = await startServer();
  client = clientFor(`${server.url}/api`);
});
afterAll(async () => {
  await client.close();
  await server.close();
});
afterEach(() => {
  server.handle(echo);
  server.requests.length = 0;
});

describe('verbs and bodies', () => {
  it.each(['get', 'head', 'options', 'delete', 'post', 'put', 'patch'] as const)(
    '%s sends its method under the base path',
    async (verb) => {
      const response = await client[verb]('/things');
      expect(response.statusCode).toBe(200);
      expect(server.requests.at(-1)).toMatchObject({ method: verb.toUpperCase(), url: '/api/things' });
    },
  );

  it('request() takes any method token', async () => {
    await client.request({ method: 'report', url: '/x' });
    expect(server.requests.at(-1)?.method).toBe('REPORT');
  });

  it('sends params, headers and a JSON body', async () => {
    const response = await client.post('/users', {
      params: { notify: true, tag: ['a', 'b'] },
      headers: { 'X-Custom': 'value' },
      json: { name: 'Ada' },
    });
    const seen = response.json<{ url: string; headers: Record<string, string>; body: string }>();
    expect(seen.url).toBe('/api/users?notify=true&tag=a&tag=b');
    expect(seen.headers['x-custom']).toBe('value');
    expect(seen.headers['content-type']).toBe('application/json');
    expect(JSON.parse(seen.body)).toEqual({ name: 'Ada' });
  });

  it('sends form data url-encoded', async () => {
    await client.post('/login', { data: { user: 'a b', pass: 'x&y=z', list: [1, 2] } });
    const seen = server.requests.at(-1)!;
    expect(seen.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(Object.fromEntries(new URLSearchParams(seen.body))).toMatchObject({ user: 'a b', pass: 'x&y=z' });
    expect(new URLSearchParams(seen.body).getAll('list')).toEqual(['1', '2']);
  });

  it('sends raw string, byte and stream bodies', async () => {
    await client.put('/raw', { body: 'plain text', headers: { 'content-type': 'text/plain' } });
    expect(server.requests.at(-1)?.body).toBe('plain text');
    await client.put('/bytes', { body: new TextEncoder().encode('bytes!') });
    expect(server.requests.at(-1)?.body).toBe('bytes!');
    await client.put('/stream', { body: Readable.from([Buffer.from('chunk1-'), Buffer.from('chunk2')]) });
    expect(server.requests.at(-1)?.body).toBe('chunk1-chunk2');
  });

  it('refuses two body options at once', async () => {
    await expect(client.post('/x', { json: {}, data: {} })).rejects.toThrow(RequestBuildException);
    expect(server.requests).toHaveLength(0);
  });

  it('lets a caller header override a default and undefined remove it', async () => {
    const custom = clientFor(server.url, (b) => b.withHeaders({ 'X-Team': 'a', Accept: 'text/plain' }));
    await custom.get('/', { headers: { 'x-team': 'b', accept: undefined } });
    expect(server.requests.at(-1)?.headers['x-team']).toBe('b');
    expect(server.requests.at(-1)?.headers.accept).toBeUndefined();
    await custom.close();
  });

  it('sends a User-Agent naming the library', async () => {
    await client.get('/');
    expect(server.requests.at(-1)?.headers['user-agent']).toMatch(/^requestforge\//);
  });
});

describe('responses', () => {
  it('reads headers case-insensitively and exposes the status predicates', async () => {
    server.handle((_req, res) => {
      res.writeHead(404, { 'X-Thing': 'one', 'Set-Cookie': ['a=1', 'b=2'] });
      res.end('missing');
    });
    const response = await client.get('/nope');
    expect(response.headers.get('x-THING')).toBe('one');
    expect(response.headers.getAll('set-cookie')).toEqual(['a=1', 'b=2']);
    expect([...response.headers].some(([name]) => name === 'x-thing')).toBe(true);
    expect(response.isClientError).toBe(true);
    expect(response.isSuccess).toBe(false);
    expect(response.isServerError).toBe(false);
    expect(response.text).toBe('missing');
    expect(response.url).toBe(`${server.url}/api/nope`);
    expect(response.elapsedMs).toBeGreaterThan(0);
    expect(() => response.raiseForStatus()).toThrow(NotFoundException);
  });

  it('json() fails with ResponseParseException and a short preview; jsonOrNull() returns null', async () => {
    server.handle((_req, res) => res.end('not json at all'));
    const response = await client.get('/');
    expect(() => response.json()).toThrow(/not valid JSON/);
    try {
      response.json();
    } catch (error) {
      expect((error as HttpClientException).code).toBe('ERR_RESPONSE_PARSE');
      expect((error as HttpClientException).context.preview).toBe('not json at all');
    }
    expect(response.jsonOrNull()).toBeNull();
  });

  it('decodes text with the charset of content-type', async () => {
    server.handle((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain; charset=iso-8859-1' });
      res.end(Buffer.from([0x63, 0x61, 0x66, 0xe9]));
    });
    expect((await client.get('/')).text).toBe('café');
  });

  it('withRaiseForStatus throws the specific status exception with attempts', async () => {
    const strict = clientFor(server.url, (b) => b.withRaiseForStatus());
    server.handle((_req, res) => {
      res.writeHead(503);
      res.end();
    });
    const error = await strict.get('/').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServerErrorException);
    expect((error as ServerErrorException).statusCode).toBe(503);
    expect((error as ServerErrorException).attempts).toBe(1);
    expect((error as ServerErrorException).response).toBeInstanceOf(HttpResponse);
    await strict.close();
  });

  it('HEAD and 204 have empty bodies', async () => {
    server.handle((_req, res) => {
      res.writeHead(204);
      res.end();
    });
    const response = await client.delete('/x');
    expect(response.statusCode).toBe(204);
    expect(response.text).toBe('');
    expect(response.body.byteLength).toBe(0);
  });
});

describe('lifecycle', () => {
  it('close() makes later calls reject with "Client is closed"', async () => {
    const temporary = clientFor(server.url);
    await temporary.get('/');
    await temporary.close();
    await temporary.close();
    expect(temporary.closed).toBe(true);
    await expect(temporary.get('/')).rejects.toThrow('Client is closed');
    await expect(temporary.get('/')).rejects.toBeInstanceOf(HttpClientException);
  });

  it('supports await using (Symbol.asyncDispose)', async () => {
    let outside: HttpClient;
    {
      await using scoped = clientFor(server.url);
      outside = scoped;
      await scoped.get('/');
    }
    expect(outside.closed).toBe(true);
  });

  it('HttpClient() with no config works for absolute URLs', async () => {
    const bare = new HttpClient();
    expect((await bare.get(`${server.url}/abs`)).statusCode).toBe(200);
    await expect(bare.get('/relative')).rejects.toThrow(/needs withBaseUrl/);
    await bare.close();
  });

  it('refuses a config that is not from the builder', () => {
    expect(() => new HttpClient({} as never)).toThrow(TypeError);
  });
});

describe('cancellation and per-request timeouts', () => {
  it('an already aborted signal sends nothing', async () => {
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    await expect(client.get('/', { signal: controller.signal })).rejects.toBeInstanceOf(
      RequestAbortedException,
    );
    expect(server.requests).toHaveLength(0);
  });

  it('aborting mid-flight rejects at once', async () => {
    server.handle(() => {
      /* never answers */
    });
    const controller = new AbortController();
    const pending = client.get('/', { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    const error = await within(
      2000,
      pending.catch((e: unknown) => e),
    );
    expect(error).toBeInstanceOf(RequestAbortedException);
    expect((error as RequestAbortedException).code).toBe('ERR_ABORTED');
  });

  it('timeoutMs per request overrides the client default', async () => {
    server.handle(() => {
      /* never answers */
    });
    const started = Date.now();
    const error = await client.get('/', { timeoutMs: 150 }).catch((e: unknown) => e);
    expect((error as HttpClientException).code).toBe('ERR_TIMEOUT');
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('refuses a bad timeoutMs or signal', async () => {
    await expect(client.get('/', { timeoutMs: -1 })).rejects.toThrow(/timeoutMs/);
    await expect(client.get('/', { signal: {} as AbortSignal })).rejects.toThrow(/signal/);
  });
});

describe('stream()', () => {
  it('hands out the body as a Readable, not limited by maxResponseBytes', async () => {
    const big = 'x'.repeat(64 * 1024);
    server.handle((_req, res) => res.end(big));
    const small = clientFor(server.url, (b) => b.withMaxResponseBytes(1024));
    const response = await small.stream({ method: 'GET', url: '/download' });
    expect(response.statusCode).toBe(200);
    let received = '';
    for await (const chunk of response.body) received += chunk;
    expect(received).toBe(big);
    await small.close();
  });
});

describe('requestMany', () => {
  it('returns results in input order, errors in place', async () => {
    server.handle(async (req, res) => {
      const delay = Number(new URL(req.url, 'http://x').searchParams.get('d'));
      await new Promise((resolve) => setTimeout(resolve, delay));
      res.end(req.url);
    });
    const inits = [30, 5, 20, 0].map((d) => ({ method: 'GET', url: `/item?d=${d}` }));
    const results = await client.requestMany([...inits, { method: 'GET', url: '//evil' }], {
      concurrency: 3,
    });
    expect(results.slice(0, 4).map((r) => (r as HttpResponse).text)).toEqual(
      inits.map((i) => `/api${i.url}`),
    );
    expect(results[4]).toBeInstanceOf(RequestBuildException);
  });

  it('failFast rejects with the first error and never sends the rest', async () => {
    server.handle((req, res) => {
      if (req.url.endsWith('/bad')) res.socket?.destroy();
      else setTimeout(() => res.end('ok'), 5);
    });
    const inits = ['/a', '/bad', '/c', '/d', '/e', '/f'].map((url) => ({ method: 'GET', url }));
    await expect(client.requestMany(inits, { concurrency: 1, failFast: true })).rejects.toBeInstanceOf(
      HttpClientException,
    );
    expect(server.requests.map((r) => r.url)).toEqual(['/api/a', '/api/bad']);
  });

  it('validates concurrency', async () => {
    await expect(client.requestMany([], { concurrency: 0 })).rejects.toThrow(RangeError);
    expect(await client.requestMany([])).toEqual([]);
  });
});

describe('load', () => {
  it('500 parallel gets on one client all succeed', async () => {
    const results = await Promise.all(Array.from({ length: 500 }, (_, i) => client.get(`/n/${i}`)));
    expect(results.every((r) => r.statusCode === 200)).toBe(true);
    expect(new Set(results.map((r) => r.json<{ url: string }>().url)).size).toBe(500);
  });

  it('withConnections bounds the sockets per origin', async () => {
    const sockets = new Set<unknown>();
    server.handle((_req, res, raw) => {
      sockets.add(raw.socket);
      setTimeout(() => res.end('ok'), 10);
    });
    const limited = new HttpClient(
      new HttpClientConfigBuilder().withBaseUrl(server.url).withConnections(2).build(),
    );
    await Promise.all(Array.from({ length: 20 }, () => limited.get('/')));
    expect(sockets.size).toBeLessThanOrEqual(2);
    await limited.close();
  });
});
