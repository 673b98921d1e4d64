// The whole-exchange deadline without a timer per request: the transport's deadline sweep (a tenth
// of the timeout, 10 ms to 1 s) fails a silent server, a body that trickles, a request queued
// behind a busy connection; only a streamed body (no deadline) keeps undici's idle timer.
import { Agent, type Dispatcher } from 'undici';
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

  it('a server that never answers fails at the deadline plus the sweep, with no undici timer', async () => {
    server.handle(() => undefined);
    const seen: Array<{ headersTimeout?: number | null; bodyTimeout?: number | null }> = [];
    const agent = new Agent();
    const spy = Object.assign(Object.create(agent) as Dispatcher, {
      dispatch: (options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler) => {
        seen.push({ headersTimeout: options.headersTimeout, bodyTimeout: options.bodyTimeout });
        return agent.dispatch(options, handler);
      },
    });
    const client = clientFor(server.url, (b) => b.withTimeout(300).withDispatcher(spy));
    const started = performance.now();
    const error = await within(
      5_000,
      client.get('/silent').catch((e: unknown) => e),
    );
    const elapsed = performance.now() - started;
    expect(error).toBeInstanceOf(TimeoutException);
    expect(elapsed).toBeGreaterThanOrEqual(295);
    expect(elapsed).toBeLessThan(1_500);
    // The sweep holds a buffered exchange's deadline: undici makes no timer of its own for it.
    expect(seen).toEqual([{ headersTimeout: 0, bodyTimeout: 0 }]);
    await client.close();
    await agent.close();
  });

  it('a streamed body that stalls fails after the timeout of silence (undici idle timer)', async () => {
    server.handle((_req, res) => {
      res.writeHead(200, { 'content-length': '10000' });
      res.write('first');
    });
    const client = clientFor(server.url, (b) => b.withTimeout(300));
    const response = await client.stream({ method: 'GET', url: '/stalls' });
    const started = performance.now();
    const error = await within(
      5_000,
      (async () => {
        for await (const _chunk of response.body) {
          // the first chunk, then silence
        }
      })().catch((e: unknown) => e),
    );
    const elapsed = performance.now() - started;
    expect(error).toBeInstanceOf(TimeoutException);
    // undici's idle timers tick every 500 ms: 300 ms of silence is noticed within about 1 s.
    expect(elapsed).toBeLessThan(3_000);
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
