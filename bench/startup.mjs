// Cold start to the first response (a fresh process each time) and the memory an idle client
// holds, each requestforge row paired with raw undici's `Pool`.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Pool } from 'undici';
import { HttpClient, HttpClientConfigBuilder } from '../dist/index.js';
import { managedTokenClient } from './clients.mjs';
import { pairedRounds } from './paired.mjs';

const run = promisify(execFile);
const child = fileURLToPath(new URL('./cold-start-child.mjs', import.meta.url));
const gc = globalThis.gc ?? (() => undefined);

export async function coldStartScenario(origin, { rounds }) {
  const measure = async (name) => {
    const { stdout } = await run(process.execPath, [
      child,
      name.startsWith('undici') ? 'undici' : 'rf',
      origin,
    ]);
    return { ms: Number(stdout.trim()) };
  };
  const { medians, ratios } = await pairedRounds({
    rounds,
    rows: ['requestforge'],
    counterpartOf: () => 'undici Pool.request',
    measure,
  });
  return {
    undiciMs: medians['undici Pool.request'].ms,
    requestforgeMs: medians.requestforge.ms,
    ratio: ratios.requestforge.ms,
  };
}

const headers = { authorization: 'Bearer idle' };
const KINDS = {
  'undici Pool': (origin) => {
    const pool = new Pool(origin, { connections: 50 });
    return {
      use: async () => (await pool.request({ path: '/items', method: 'GET', headers })).body.json(),
      close: () => pool.close(),
    };
  },
  'requestforge bearer': (origin) => {
    const client = new HttpClient(
      new HttpClientConfigBuilder().withBaseUrl(origin).withBearerToken('idle').withConnections(50).build(),
    );
    return { use: async () => (await client.get('/items')).json(), close: () => client.close() };
  },
  'requestforge managed token': (origin) => {
    const made = managedTokenClient(origin);
    return { use: () => made.request(), close: () => made.close() };
  },
};

const heap = () => {
  const { heapUsed, external } = process.memoryUsage();
  return heapUsed + external;
};

/** `count` clients of a kind, each used once and left idle (one keep-alive connection each). */
export async function idleMemoryScenario(origin, { rounds, count = 100 }) {
  const measure = async (kind) => {
    gc();
    gc();
    const before = heap();
    const made = Array.from({ length: count }, () => KINDS[kind](origin));
    await Promise.all(made.map((client) => client.use()));
    await new Promise((resolve) => setTimeout(resolve, 20));
    gc();
    gc();
    const bytes = (heap() - before) / count;
    await Promise.all(made.map((client) => client.close()));
    return { bytes };
  };
  const { medians, ratios } = await pairedRounds({
    rounds,
    rows: ['requestforge bearer', 'requestforge managed token'],
    counterpartOf: () => 'undici Pool',
    measure,
  });
  return {
    count,
    rows: Object.keys(KINDS).map((name) => ({
      name,
      bytes: medians[name].bytes,
      ratio: ratios[name]?.bytes,
    })),
  };
}
