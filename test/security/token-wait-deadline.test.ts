// A request's deadline covers its wait for a token: a slow or hung token endpoint never holds a
// request past its timeoutMs (per request or client); the token fetch goes on for other callers.
// Real sockets: a loopback token endpoint that stalls, a loopback API.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  ClientCredentialsTokenProvider,
  HttpClient,
  HttpClientConfigBuilder,
  TimeoutException,
  TokenManager,
} from '../../src/index';
import { type LoopbackServer, startServer } from '../support/loopback-server';

let auth: LoopbackServer;
let api: LoopbackServer;
let tokenDelayMs = 0;
let hang = false;
let rejectFirst = false;
const quiet = { logger: { warn: () => undefined } };
const open: Array<{ close(): Promise<void> }> = [];

beforeAll(async () => {
  auth = await startServer((_req, res) => {
    if (hang) return; // never answers
    setTimeout(() => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ access_token: `tok-${auth.requests.length}`, expires_in: 3600 }));
    }, tokenDelayMs);
  });
  api = await startServer((_req, res) => {
    if (rejectFirst) {
      rejectFirst = false;
      res.writeHead(401).end();
      return;
    }
    res.end('ok');
  });
});
afterAll(() => Promise.all([auth.close(), api.close()]));
afterEach(async () => {
  await Promise.all(open.splice(0).map((o) => o.close()));
  auth.requests.length = 0;
  api.requests.length = 0;
  tokenDelayMs = 0;
  hang = false;
  rejectFirst = false;
});

function setup(clientTimeoutMs = 30_000) {
  const provider = new ClientCredentialsTokenProvider({
    tokenUrl: `${auth.url}/token`,
    clientId: 'svc',
    clientSecret: 'svc-secret-777',
    serviceName: 'deadline',
    maxRetries: 0,
    timeoutMs: 1_500, // the token request's own timeout: longer than the requests' deadlines below
  });
  const manager = new TokenManager(provider, undefined, quiet);
  const client = new HttpClient(
    new HttpClientConfigBuilder()
      .withBaseUrl(api.url)
      .withTimeout(clientTimeoutMs)
      .withTokenAuth(manager)
      .build(),
  );
  open.push(client, provider);
  return { client, manager };
}

async function timed<T>(work: Promise<T>): Promise<{ value: T | unknown; ms: number }> {
  const started = performance.now();
  const value = await work.catch((e: unknown) => e);
  return { value, ms: performance.now() - started };
}

describe('the token wait is bounded by the request timeout', () => {
  it('client timeout: a TimeoutException naming the token wait, in time; the fetch goes on for the others', async () => {
    tokenDelayMs = 1_200;
    const { client, manager } = setup(300);
    const patient = client.get('/patient', { timeoutMs: 5_000 });
    const { value: error, ms } = await timed(client.get('/impatient'));
    expect(error).toBeInstanceOf(TimeoutException);
    expect((error as TimeoutException).context).toMatchObject({ reason: 'token_wait', timeoutMs: 300 });
    expect((error as Error).message).toMatch(/waiting for its token/);
    expect(JSON.stringify(error)).not.toContain('svc-secret-777');
    expect(ms).toBeGreaterThanOrEqual(290);
    expect(ms).toBeLessThan(1_000);
    expect((await patient).statusCode).toBe(200);
    expect(auth.requests).toHaveLength(1);
    expect(api.requests.map((r) => r.url)).toEqual(['/patient']);
    expect(manager.stats.fetches).toBe(1);
  });

  it('per-request timeoutMs over a long client default, against a token endpoint that never answers', async () => {
    hang = true;
    const { client } = setup(30_000);
    const { value: error, ms } = await timed(client.get('/x', { timeoutMs: 250 }));
    expect(error).toBeInstanceOf(TimeoutException);
    expect((error as TimeoutException).context).toMatchObject({ reason: 'token_wait', timeoutMs: 250 });
    expect(ms).toBeLessThan(1_000);
    expect(api.requests).toHaveLength(0);
  });

  it('the renewal after a 401 is bounded too', async () => {
    const { client } = setup(30_000);
    expect((await client.get('/warm')).statusCode).toBe(200);
    rejectFirst = true;
    hang = true;
    const { value: error, ms } = await timed(client.get('/rejected', { timeoutMs: 300 }));
    expect(error).toBeInstanceOf(TimeoutException);
    expect((error as TimeoutException).context).toMatchObject({ reason: 'token_wait' });
    expect(ms).toBeLessThan(1_200);
  });

  it('the send after a slow token gets only what is left of the timeout', async () => {
    tokenDelayMs = 500;
    const stalled = await startServer(() => undefined); // accepts, never answers
    open.push(stalled);
    const provider = new ClientCredentialsTokenProvider({
      tokenUrl: `${auth.url}/token`,
      clientId: 'svc',
      clientSecret: 'svc-secret-777',
      serviceName: 'deadline',
      maxRetries: 0,
    });
    const client = new HttpClient(
      new HttpClientConfigBuilder()
        .withBaseUrl(stalled.url)
        .withTokenAuth(new TokenManager(provider, undefined, quiet))
        .build(),
    );
    open.push(client, provider);
    const { value: error, ms } = await timed(client.get('/slow', { timeoutMs: 1_000 }));
    expect(error).toBeInstanceOf(TimeoutException);
    expect(ms).toBeLessThan(1_350); // 500 ms token wait + the 500 ms left, not 500 + 1,000
    expect(ms).toBeGreaterThanOrEqual(950);
  });
});
