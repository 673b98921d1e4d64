// Token scenarios: 1,000 concurrent requests on a cold cache, and short-lived tokens from a slow
// token endpoint under load (the refresh-ahead window must open early enough for the endpoint).
import { Pool } from 'undici';
import { CONNECTIONS, managedTokenClient } from './clients.mjs';
import { percentile } from './stats.mjs';

/** The benchmark server's token-call counter (`reset` sets it to 0). */
export function tokenCounter(origin) {
  return async (reset = false) => {
    const response = await fetch(`${origin}/stats`, { method: reset ? 'POST' : 'GET' });
    return (await response.json()).tokenCalls;
  };
}

export async function coldCacheScenario(origin) {
  const tokenCalls = tokenCounter(origin);
  await tokenCalls(true);
  const { client, close } = managedTokenClient(origin, { query: '?delay=50' });
  const started = performance.now();
  const responses = await Promise.all(Array.from({ length: 1000 }, () => client.get('/items')));
  const ms = performance.now() - started;
  const ok = responses.filter((r) => r.statusCode === 200).length;
  await close();
  return { requests: 1000, ok, tokenCalls: await tokenCalls(), msToAll200: ms };
}

/** `workers` loops, each sending requests back to back for `ms`; the latencies, sorted. */
async function load(request, workers, ms) {
  const latencies = [];
  const started = performance.now();
  const worker = async () => {
    while (performance.now() - started < ms) {
      const t = performance.now();
      await request();
      latencies.push(performance.now() - t);
    }
  };
  await Promise.all(Array.from({ length: workers }, worker));
  return latencies.sort((a, b) => a - b);
}

/**
 * 2-second tokens from a token endpoint that takes `endpointMs`, `workers` concurrent callers for
 * `seconds`: how many requests waited for a token (`stats.waits`, the cold start excluded), how
 * many token requests each renewal took, and p99 next to raw undici with a static token.
 */
export async function tokenRefreshScenario(origin, { seconds, workers = 500, endpointMs = 300 }) {
  const tokenCalls = tokenCounter(origin);
  await tokenCalls(true);
  const made = managedTokenClient(origin, { query: `?expires_in=2&delay=${endpointMs}` });
  await made.request(); // the cold start: the only wait
  const before = made.manager.stats;
  const callsBefore = await tokenCalls();
  const latencies = await load(made.request, workers, seconds * 1000);
  const after = made.manager.stats;
  const calls = (await tokenCalls()) - callsBefore;
  await made.close();

  const pool = new Pool(origin, { connections: CONNECTIONS });
  const raw = await load(
    async () => {
      const { body } = await pool.request({
        path: '/items',
        method: 'GET',
        headers: { authorization: 'Bearer static' },
      });
      await body.json();
    },
    workers,
    Math.min(seconds, 3) * 1000,
  );
  await pool.close();
  const renewals = after.refreshes - before.refreshes;
  return {
    seconds,
    workers,
    endpointMs,
    requests: latencies.length,
    waits: after.waits - before.waits,
    renewals,
    backgroundRenewals: after.backgroundRefreshes - before.backgroundRefreshes,
    tokenCalls: calls,
    tokenCallsPerRenewal: renewals === 0 ? Number.NaN : calls / renewals,
    p99Ms: percentile(latencies, 99),
    maxMs: latencies.at(-1),
    rawUndiciP99Ms: percentile(raw, 99),
  };
}
