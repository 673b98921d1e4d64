// The whole-exchange deadline without a timer per request: undici's idle timers stop a silent
// server, and the transport's deadline sweep (a tenth of the timeout, 10 ms to 1 s) fails what they
// cannot see: a body that trickles, a request queued behind a busy connection.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  HttpClient,
  HttpClientConfigBuilder,
  RequestAbortedException,
  TimeoutException,
} from '../../src/index';
import { clientFor, within } from '../support/helpers';
import { type LoopbackServer, startServer } from '../support/loopback-server';

let server: LoopbackServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());

const timers = () => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;

describe('the deadline covers the whole exchange', () => {
  it('a body that trickles (never idle for the timeout) fails at the deadline plus the sweep', async () => {
    const sending: NodeJS.Timeout[] = [];
    server.handle((_req, res) => {
      res.writeHead(200, { 'content-length': '10000' });
      sending.push(setInterval(() => res.write('x'), 20));
    });
    const client = clientFor(server.url, (b) => b.withTimeout(300));
    const started = performance.now();
    const error = await within(
      5_000,
      client.get('/trickle').catch((e: unknown) => e),
    );
    const elapsed = performance.now() - started;
    for (const timer of sending) clearInterval(timer);
    expect(error).toBeInstanceOf(TimeoutException);
    expect((error as TimeoutException).context.timeoutMs).toBe(300);
    // 300 ms and a 30 ms sweep; the rest is room for a loaded machine (the body alone takes 200 s).
    expect(elapsed).toBeGreaterThanOrEqual(295);
    expect(elapsed).toBeLessThan(1_500);
    await client.close();
  });

  it('a request queued behind a busy connection fails at its own deadline', async () => {
    const pending: Array<() => void> = [];
    server.handle((_req, res) => {
      pending.push(() => res.end('late'));
    });
    const client = new HttpClient(
      new HttpClientConfigBuilder().withBaseUrl(server.url).withConnections(1).withTimeout(10_000).build(),
    );
    const blocking = client.get('/slow');
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = performance.now();
    const error = await within(
      5_000,
      client.get('/queued', { timeoutMs: 200 }).catch((e: unknown) => e),
    );
    const elapsed = performance.now() - started;
    expect(error).toBeInstanceOf(TimeoutException);
    expect(elapsed).toBeGreaterThanOrEqual(195);
    expect(elapsed).toBeLessThan(1_500);
    for (const answer of pending) answer();
    expect((await blocking).text).toBe('late');
    await client.close();
  });

  it('an abort is immediate, not at the next sweep', async () => {
    server.handle(() => {
      /* never answers */
    });
    const client = clientFor(server.url, (b) => b.withTimeout(30_000));
    const controller = new AbortController();
    const pending = client.get('/hang', { signal: controller.signal }).catch((e: unknown) => e);
    await new Promise((resolve) => setTimeout(resolve, 30));
    const started = performance.now();
    controller.abort();
    const error = await within(1_000, pending);
    expect(error).toBeInstanceOf(RequestAbortedException);
    // The sweep of a 30 s timeout runs once a second; an abort does not wait for it.
    expect(performance.now() - started).toBeLessThan(200);
    await client.close();
  });

  it('no timer is left once the requests are done, and none after close()', async () => {
    server.handle((_req, res) => res.end('ok'));
    const baseline = timers();
    const client = clientFor(server.url, (b) => b.withTimeout(100));
    await Promise.all(Array.from({ length: 20 }, () => client.get('/quick')));
    expect(timers()).toBeLessThanOrEqual(baseline);
    await client.get('/again');
    await client.close();
    expect(timers()).toBeLessThanOrEqual(baseline);
  });
});
