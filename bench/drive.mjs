// Driving clients: `concurrency` workers sharing `total` requests; CPU and wall time of a run.

/** Runs `request()` `total` times over `concurrency` workers; fills `latencies` (ms) when given. */
export async function drive(request, total, concurrency, latencies) {
  let next = 0;
  const worker = async () => {
    while (next < total) {
      const index = next++;
      const started = performance.now();
      await request();
      if (latencies) latencies[index] = performance.now() - started;
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, total) }, worker));
}

/**
 * Runs `work()`; resolves its wall time and the process's CPU time, in ms. No GC is forced
 * before it: a forced full GC leaves sweeping on V8's helper threads and a shrunken young
 * generation behind, and that work lands in the next measurement as a fixed cost of its own
 * (~20 µs per request over 4,000 requests, most for the clients that allocate most). Each
 * measurement pays for the garbage it makes, as a service would.
 */
export async function timed(work) {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await work();
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { wallMs, cpuMs: (cpu.user + cpu.system) / 1000 };
}
