// Latency at concurrency 1, 50 and 500: p50, p99 and p99.9 of the floor and requestforge, each
// as a ratio to raw undici's `Pool.request` (what raw-undici code usually calls) in the same round.
import { drive } from './drive.mjs';
import { pairedRounds } from './paired.mjs';
import { percentile } from './stats.mjs';

export const LATENCY_REFERENCE = 'undici Pool.request';
const PER_WORKER = 40;
const ROWS = ['undici Agent.dispatch (floor)', 'requestforge bearer', 'requestforge managed token'];

/**
 * A full GC, then 50 ms for V8's background sweeping to finish: a major GC inside a measurement
 * would be its p99 whichever client caused it. (Latency only: CPU rows force no GC, whose
 * background work would be counted.)
 */
async function settledHeap() {
  if (globalThis.gc === undefined) return;
  globalThis.gc();
  await new Promise((resolve) => setTimeout(resolve, 50));
}

/** `instances`: the benchmark's clients by name (made once per run). */
export async function latencyScenario(instances, { rounds, requests, concurrencies = [1, 50, 500] }) {
  const result = [];
  for (const concurrency of concurrencies) {
    // At least 40 requests per worker: with fewer, a p99 at concurrency 500 is little more than
    // the first burst's queue and one GC pause, and its per-round ratio swings by 2×.
    const total = Math.max(requests, concurrency * PER_WORKER);
    const measure = async (name) => {
      await settledHeap();
      const latencies = new Float64Array(total);
      await drive(instances[name].request, total, concurrency, latencies);
      const sorted = latencies.sort();
      return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), p999: percentile(sorted, 99.9) };
    };
    const { medians, ratios } = await pairedRounds({
      rounds,
      rows: ROWS,
      counterpartOf: () => LATENCY_REFERENCE,
      measure,
    });
    result.push({
      concurrency,
      requests: total,
      rows: [LATENCY_REFERENCE, ...ROWS].map((name) => ({ name, ...medians[name], ratios: ratios[name] })),
    });
  }
  return { requests, rows: ROWS, reference: LATENCY_REFERENCE, byConcurrency: result };
}
