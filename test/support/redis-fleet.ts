// The test side of a fleet on a real Redis topology: worker processes (redis-fleet-worker.ts)
// driven over IPC, and the token endpoint and API they call, both in the test process so every
// token request is counted with its time.
import { type ChildProcess, fork } from 'node:child_process';
import { resolve } from 'node:path';
import { type LoopbackServer, startServer } from './loopback-server';
import type { LoadResult, RaceResult, SetupMessage, WorkerMessage } from './redis-fleet-worker';

export interface FleetWorker {
  send(message: WorkerMessage): Promise<unknown>;
}

export interface Fleet {
  readonly workers: readonly FleetWorker[];
  /** Sets up one member with the same configuration in every worker; resolves its token's cache key. */
  setup(message: Omit<SetupMessage, 'cmd'>): Promise<string>;
  race(id: string, callers: number): Promise<RaceResult[]>;
  load(id: string, callers: number, durationMs: number): Promise<LoadResult[]>;
  close(id: string): Promise<void>;
  stop(): Promise<void>;
}

function startWorker(): { worker: FleetWorker; child: ChildProcess; ready: Promise<void> } {
  const child = fork(resolve(__dirname, 'redis-fleet-worker.ts'), [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let seq = 0;
  const pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  let onReady: () => void = () => undefined;
  const ready = new Promise<void>((r) => {
    onReady = r;
  });
  child.on('message', (raw) => {
    const reply = raw as { ready?: boolean; seq?: number; result?: unknown; error?: string };
    if (reply.ready) return onReady();
    const waiter = pending.get(reply.seq!);
    pending.delete(reply.seq!);
    if (reply.error !== undefined) waiter?.reject(new Error(reply.error));
    else waiter?.resolve(reply.result);
  });
  child.once('exit', (code) => {
    for (const waiter of pending.values()) waiter.reject(new Error(`fleet worker exited (${code})`));
    pending.clear();
  });
  const worker: FleetWorker = {
    send: (message) =>
      new Promise((resolve, reject) => {
        const id = ++seq;
        pending.set(id, { resolve, reject });
        child.send({ seq: id, message });
      }),
  };
  return { worker, child, ready };
}

/**
 * True when token requests (times in ms, in order) came one per renewal: no two closer than a
 * quarter of a token's lifetime, the earliest a renewal starts. Refresh ahead adapts to the
 * endpoint's latency, so on a loaded machine renewals come earlier than at half the lifetime,
 * but never before a quarter; two processes fetching the same renewal are milliseconds apart.
 */
export function onePerRenewal(times: readonly number[], lifetimeMs: number): boolean {
  return times.every((time, i) => i === 0 || time - times[i - 1]! >= lifetimeMs / 4);
}

/**
 * Like `Promise.all`, but when one start fails, `keep` still receives what did start (so the test
 * file's `afterAll` stops it) before the failure is thrown.
 */
export async function settleAll<T extends readonly unknown[]>(
  starts: readonly [...{ [K in keyof T]: Promise<T[K]> }],
  keep: (started: { [K in keyof T]: T[K] | undefined }) => void,
): Promise<T> {
  const settled = await Promise.allSettled(starts);
  keep(settled.map((s) => (s.status === 'fulfilled' ? s.value : undefined)) as never);
  const failed = settled.find((s) => s.status === 'rejected');
  if (failed) throw (failed as PromiseRejectedResult).reason;
  return settled.map((s) => (s as PromiseFulfilledResult<unknown>).value) as unknown as T;
}

/** Forks `size` worker processes and waits until each is ready. */
export async function startFleet(size: number): Promise<Fleet> {
  const started = Array.from({ length: size }, () => startWorker());
  await Promise.all(started.map((s) => s.ready));
  const workers = started.map((s) => s.worker);
  const all = <T>(message: WorkerMessage) => Promise.all(workers.map((w) => w.send(message) as Promise<T>));
  return {
    workers,
    setup: async (message) => {
      const replies = await all<{ cacheKey: string }>({ cmd: 'setup', ...message });
      return replies[0]!.cacheKey;
    },
    race: (id, callers) => all<RaceResult>({ cmd: 'race', id, callers }),
    load: (id, callers, durationMs) => all<LoadResult>({ cmd: 'load', id, callers, durationMs }),
    close: async (id) => {
      await all({ cmd: 'close', id });
    },
    stop: async () => {
      await Promise.all(
        started.map(
          ({ child }) =>
            new Promise<void>((resolve) => {
              if (child.exitCode !== null) return resolve();
              const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
              child.once('exit', () => {
                clearTimeout(timer);
                resolve();
              });
              child.disconnect();
            }),
        ),
      );
    },
  };
}

/** A token endpoint issuing `<path>-<n>` tokens that live `lifetimeS`, and an API that checks them. */
export interface FleetServers {
  readonly tokenUrl: (lifetimeS: number, label: string) => string;
  readonly apiUrl: string;
  /** The times (ms, this process's clock) of the token requests made for `label`. */
  requests(label: string): number[];
  close(): Promise<void>;
}

export async function startFleetServers(): Promise<FleetServers> {
  const issued = new Map<string, number>(); // token → expires at
  const requests = new Map<string, number[]>();
  let count = 0;
  const token: LoopbackServer = await startServer((req, res) => {
    const [, , lifetime = '60', label = 'default'] = req.url.split('?')[0]!.split('/');
    const list = requests.get(label) ?? [];
    list.push(Date.now());
    requests.set(label, list);
    const accessToken = `${label}-${++count}`;
    issued.set(accessToken, Date.now() + Number(lifetime) * 1000);
    // A token endpoint takes a moment: racers pile up behind the first fetch.
    setTimeout(() => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({ access_token: accessToken, token_type: 'Bearer', expires_in: Number(lifetime) }),
      );
    }, 50);
  });
  const api: LoopbackServer = await startServer((req, res) => {
    const presented = String(req.headers.authorization ?? '').replace(/^Bearer /, '');
    const expiresAt = issued.get(presented);
    // A second of slack: the client computes expiry from when it received the token.
    res.writeHead(expiresAt !== undefined && Date.now() < expiresAt + 1000 ? 200 : 401);
    res.end();
  });
  return {
    tokenUrl: (lifetimeS, label) => `${token.url}/token/${lifetimeS}/${label}`,
    apiUrl: api.url,
    requests: (label) => requests.get(label) ?? [],
    close: async () => {
      await Promise.all([token.close(), api.close()]);
    },
  };
}
