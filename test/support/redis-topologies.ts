// Real Redis topologies started from the Debian `redis-server` on free loopback ports, for the
// fleet tests and the fleet simulation: a Redis Cluster (primaries with replicas, built with
// `redis-cli --cluster create`) and a primary + replica watched by Sentinels (`redis-server <conf>
// --sentinel`). Each topology lives in its own temporary directory and every process it starts is
// killed by `stop()`, and by an exit hook should a test file end without calling it.
import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const HOST = '127.0.0.1';

function installed(binary: string): boolean {
  try {
    execFileSync(binary, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const required = process.env.REQUESTFORGE_REQUIRE_REDIS === '1';
/**
 * Whether the topology tests run: with redis-server and redis-cli installed, or when
 * REQUESTFORGE_REQUIRE_REDIS=1 (CI), where a missing binary fails them instead of skipping.
 */
export const topologiesRun = required || (installed('redis-server') && installed('redis-cli'));
if (!topologiesRun) {
  console.warn(
    '\n⚠ redis-server or redis-cli is not installed: the Redis Cluster and Sentinel tests are SKIPPED (apt-get install redis-server redis-tools to run them).\n',
  );
}

/** Every redis process and directory of this module still in use: cleaned up on exit at the latest. */
const running = new Set<ChildProcess>();
const directories = new Set<string>();
function cleanUp(): void {
  for (const child of running) child.kill('SIGKILL');
  for (const dir of directories) rmSync(dir, { recursive: true, force: true });
}
let guarded = false;
/**
 * Installed with the first topology: a script stopped by a signal (a timeout) cleans up too. Test
 * files clean up in `afterAll`; the test runner's own signals are left to it.
 */
function guardExit(): void {
  if (guarded) return;
  guarded = true;
  process.once('exit', cleanUp);
  if (process.env.VITEST) return;
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    process.once(signal, () => {
      cleanUp();
      process.exit(code);
    });
  }
}

/** One redis-server (or sentinel) process. */
export interface RedisNode {
  readonly host: string;
  readonly port: number;
  /** Kills the process (SIGKILL: a crash, not a shutdown) and waits for it to exit. */
  kill(): Promise<void>;
  readonly alive: boolean;
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, HOST, resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Runs a redis-cli command against one port; resolves its output (trimmed). */
export async function redisCli(port: number, ...args: string[]): Promise<string> {
  const { stdout } = await run('redis-cli', ['-h', HOST, '-p', String(port), ...args], { timeout: 10_000 });
  return stdout.trim();
}

async function waitFor(what: string, condition: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const started = Date.now();
  for (;;) {
    if (await condition().catch(() => false)) return;
    if (Date.now() - started > timeoutMs)
      throw new Error(`redis topology: ${what} not reached in ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function startProcess(args: string[], port: number): RedisNode {
  const child = spawn('redis-server', args, { stdio: 'ignore' });
  running.add(child);
  child.once('exit', () => running.delete(child));
  return {
    host: HOST,
    port,
    get alive() {
      return child.exitCode === null && child.signalCode === null;
    },
    kill: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      await new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      });
    },
  };
}

const NO_PERSISTENCE = ['--save', '', '--appendonly', 'no'];

async function startServer(dir: string, extra: string[] = []): Promise<RedisNode> {
  const port = await freePort();
  const node = startProcess(
    ['--port', String(port), '--bind', HOST, '--dir', dir, ...NO_PERSISTENCE, ...extra],
    port,
  );
  await waitFor(`redis-server on ${port}`, async () => (await redisCli(port, 'PING')) === 'PONG', 10_000);
  return node;
}

function tempDir(name: string): string {
  guardExit();
  const dir = mkdtempSync(join(tmpdir(), `requestforge-${name}-`));
  directories.add(dir);
  return dir;
}

async function stopAll(nodes: readonly RedisNode[], dir: string): Promise<void> {
  await Promise.all(nodes.map((node) => node.kill()));
  rmSync(dir, { recursive: true, force: true });
  directories.delete(dir);
}

/** A Redis Cluster of primaries, each with its replicas. */
export interface RedisClusterTopology {
  readonly nodes: readonly RedisNode[];
  /** `{ host, port }` of every node: the seed list for cluster clients. */
  readonly seeds: ReadonlyArray<{ host: string; port: number }>;
  /** The node that currently serves `key`'s slot as primary. */
  primaryFor(key: string): Promise<RedisNode>;
  /** Resolves once every live node reports `cluster_state:ok` and every slot has a live primary. */
  healthy(): Promise<void>;
  stop(): Promise<void>;
}

interface ClusterNodeLine {
  readonly port: number;
  readonly primary: boolean;
  readonly failed: boolean;
  readonly slots: ReadonlyArray<readonly [number, number]>;
}

function parseClusterNodes(text: string): ClusterNodeLine[] {
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [, address = '', flags = '', , , , , , ...slots] = line.split(' ');
      return {
        port: Number(address.split('@')[0]!.split(':')[1]),
        primary: flags.includes('master'),
        failed: /fail/.test(flags),
        slots: slots
          .filter((s) => /^\d/.test(s))
          .map((s) => {
            const [from, to = from] = s.split('-').map(Number);
            return [from!, to!] as const;
          }),
      };
    });
}

/** Starts `primaries` primaries with `replicas` replicas each and joins them into one cluster. */
export async function startRedisCluster(
  options: { primaries?: number; replicas?: number; nodeTimeoutMs?: number } = {},
): Promise<RedisClusterTopology> {
  const { primaries = 3, replicas = 1, nodeTimeoutMs = 1000 } = options;
  const dir = tempDir('cluster');
  const nodes: RedisNode[] = [];
  try {
    for (let i = 0; i < primaries * (1 + replicas); i++) {
      const own = mkdtempSync(join(dir, `node${i}-`));
      const busPort = await freePort();
      nodes.push(
        await startServer(own, [
          '--cluster-enabled',
          'yes',
          '--cluster-config-file',
          join(own, 'nodes.conf'),
          '--cluster-port',
          String(busPort),
          '--cluster-node-timeout',
          String(nodeTimeoutMs),
          // A replica takes over however long it was cut off: the tests kill primaries on purpose.
          '--cluster-replica-validity-factor',
          '0',
        ]),
      );
    }
    await run(
      'redis-cli',
      [
        '--cluster',
        'create',
        ...nodes.map((n) => `${HOST}:${n.port}`),
        '--cluster-replicas',
        String(replicas),
        '--cluster-yes',
      ],
      { timeout: 30_000 },
    );
  } catch (error) {
    await stopAll(nodes, dir);
    throw error;
  }
  const alive = () => nodes.filter((n) => n.alive);
  const topology: RedisClusterTopology = {
    nodes,
    seeds: nodes.map(({ host, port }) => ({ host, port })),
    async primaryFor(key) {
      const node = alive()[0]!;
      const slot = Number(await redisCli(node.port, 'CLUSTER', 'KEYSLOT', key));
      const owner = parseClusterNodes(await redisCli(node.port, 'CLUSTER', 'NODES')).find(
        (line) => line.primary && !line.failed && line.slots.some(([from, to]) => slot >= from && slot <= to),
      );
      const found = owner && nodes.find((n) => n.port === owner.port);
      if (!found) throw new Error(`redis topology: no primary serves slot ${slot}`);
      return found;
    },
    async healthy() {
      await waitFor('a healthy cluster', async () => {
        for (const node of alive()) {
          if (!(await redisCli(node.port, 'CLUSTER', 'INFO')).includes('cluster_state:ok')) return false;
          const lines = parseClusterNodes(await redisCli(node.port, 'CLUSTER', 'NODES'));
          const served = lines
            .filter((l) => l.primary && !l.failed)
            .flatMap((l) => l.slots)
            .reduce((sum, [from, to]) => sum + (to - from + 1), 0);
          if (served !== 16384) return false;
        }
        // Every replica of a live primary has finished its first sync (it can take over).
        for (const node of alive()) {
          const info = await redisCli(node.port, 'INFO', 'replication');
          if (info.includes('role:slave') && !info.includes('master_link_status:up')) return false;
        }
        return true;
      });
    },
    stop: () => stopAll(nodes, dir),
  };
  try {
    await topology.healthy();
  } catch (error) {
    await topology.stop();
    throw error;
  }
  return topology;
}

/** A primary and its replica, watched by Sentinels under one service name. */
export interface RedisSentinelTopology {
  /** The service name the Sentinels monitor. */
  readonly name: string;
  readonly servers: readonly RedisNode[];
  readonly sentinels: readonly RedisNode[];
  /** The port of the current primary, as the first live Sentinel reports it. */
  primaryPort(): Promise<number>;
  /** `SENTINEL FAILOVER`; resolves once the Sentinels report the replica as the new primary. */
  failover(): Promise<{ from: number; to: number }>;
  /**
   * Resolves once the old primary follows the new one. Sentinel demotes it some seconds after the
   * failover (about 10 s with Redis 7): until then clients still connected to it write there.
   */
  settled(): Promise<void>;
  stop(): Promise<void>;
}

/** Starts a primary, `replicas` replicas and `sentinels` Sentinels (quorum: a majority). */
export async function startRedisSentinel(
  options: { replicas?: number; sentinels?: number; name?: string } = {},
): Promise<RedisSentinelTopology> {
  const { replicas = 1, sentinels: sentinelCount = 3, name = 'rfprimary' } = options;
  const dir = tempDir('sentinel');
  const servers: RedisNode[] = [];
  const sentinels: RedisNode[] = [];
  const all = () => [...servers, ...sentinels];
  try {
    servers.push(await startServer(dir));
    const primary = servers[0]!.port;
    for (let i = 0; i < replicas; i++) {
      servers.push(await startServer(dir, ['--replicaof', HOST, String(primary)]));
    }
    const quorum = Math.floor(sentinelCount / 2) + 1;
    for (let i = 0; i < sentinelCount; i++) {
      const port = await freePort();
      const conf = join(dir, `sentinel-${port}.conf`);
      // Sentinel rewrites its configuration file: one per sentinel, in the topology's directory.
      writeFileSync(
        conf,
        [
          `port ${port}`,
          `bind ${HOST}`,
          `dir ${dir}`,
          `sentinel monitor ${name} ${HOST} ${primary} ${quorum}`,
          `sentinel down-after-milliseconds ${name} 1000`,
          `sentinel failover-timeout ${name} 5000`,
          `sentinel parallel-syncs ${name} 1`,
          '',
        ].join('\n'),
      );
      sentinels.push(startProcess([conf, '--sentinel'], port));
    }
    // Ready when every Sentinel knows the replicas and the other Sentinels (a forced failover
    // needs the replicas; an automatic one needs the quorum).
    for (const sentinel of sentinels) {
      await waitFor(`sentinel ${sentinel.port} discovering its peers`, async () => {
        const known = await redisCli(sentinel.port, 'SENTINEL', 'SENTINELS', name);
        const replicasSeen = await redisCli(sentinel.port, 'SENTINEL', 'REPLICAS', name);
        return (
          (known.match(/^name$/gm) ?? []).length === sentinelCount - 1 &&
          (replicasSeen.match(/^name$/gm) ?? []).length === replicas
        );
      });
    }
    for (const replica of servers.slice(1)) {
      await waitFor('the replica in sync', async () =>
        (await redisCli(replica.port, 'INFO', 'replication')).includes('master_link_status:up'),
      );
    }
  } catch (error) {
    await stopAll(all(), dir);
    throw error;
  }
  const primaryPort = async () => {
    const sentinel = sentinels.find((s) => s.alive)!;
    const [, port] = (await redisCli(sentinel.port, 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', name)).split('\n');
    return Number(port);
  };
  return {
    name,
    servers,
    sentinels,
    primaryPort,
    async failover() {
      const from = await primaryPort();
      await redisCli(sentinels[0]!.port, 'SENTINEL', 'FAILOVER', name);
      await waitFor('the failover', async () => {
        const to = await primaryPort();
        return to !== from && (await redisCli(to, 'ROLE')).startsWith('master');
      });
      return { from, to: await primaryPort() };
    },
    async settled() {
      const primary = await primaryPort();
      await waitFor('every server following the primary', async () => {
        for (const server of servers.filter((s) => s.alive && s.port !== primary)) {
          if (!(await redisCli(server.port, 'INFO', 'replication')).includes('master_link_status:up'))
            return false;
        }
        return true;
      });
    },
    stop: () => stopAll(all(), dir),
  };
}
