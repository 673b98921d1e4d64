import net from 'node:net';
import { HttpClient, HttpClientConfigBuilder } from '../../src/index';

/** A port nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A client for one base URL with optional builder tweaks. */
export function clientFor(
  baseUrl: string,
  configure: (b: HttpClientConfigBuilder) => HttpClientConfigBuilder = (b) => b,
) {
  return new HttpClient(configure(new HttpClientConfigBuilder().withBaseUrl(baseUrl)).build());
}

/** Rejects if `promise` does not settle within `ms` (guards tests against hangs). */
export async function within<T>(ms: number, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`did not settle within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Captures everything a test writes through a console-like logger. */
export function captureLogger() {
  const lines: string[] = [];
  const write = (message: string) => {
    lines.push(String(message));
  };
  return {
    lines,
    logger: { debug: write, info: write, warn: write, error: write },
    text: () => lines.join('\n'),
  };
}

/**
 * Lets real I/O progress (under fake timers) until `condition` holds. Polls with setImmediate,
 * which fake timers leave alone; gives up after `realMs` of real time.
 */
export async function until(condition: () => boolean, realMs = 5000): Promise<void> {
  const started = performance.now();
  while (!condition()) {
    if (performance.now() - started > realMs) throw new Error('condition not reached in time');
    await new Promise((resolve) => setImmediate(resolve));
  }
}
