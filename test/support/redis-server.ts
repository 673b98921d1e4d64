// A real redis-server (Debian package) on a free loopback port, one per test file.
// Without redis-server the Redis tests skip with a visible notice, unless
// REQUESTFORGE_REQUIRE_REDIS=1 (set by .ci/run), which makes them fail instead.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import net from 'node:net';

export interface RedisServer {
  readonly port: number;
  readonly url: string;
  /** Stops the server (an outage); `start()` brings it back on the same port. */
  stop(): Promise<void>;
  start(): Promise<void>;
}

function installed(): boolean {
  try {
    execFileSync('redis-server', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export const redisAvailable = installed();
export const redisRequired = process.env.REQUESTFORGE_REQUIRE_REDIS === '1';

if (!redisAvailable && !redisRequired) {
  console.warn(
    '\n⚠ redis-server is not installed: the Redis tests are SKIPPED (apt-get install redis-server to run them).\n',
  );
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => {
      socket.destroy();
      resolve(data.toString().startsWith('+PONG'));
    });
    socket.once('error', () => resolve(false));
  });
}

/** Starts redis-server, or returns undefined (tests skip) when it is not installed and not required. */
export async function startRedis(): Promise<RedisServer | undefined> {
  if (!redisAvailable) {
    if (redisRequired)
      throw new Error('redis-server is required (REQUESTFORGE_REQUIRE_REDIS=1) but not installed');
    return undefined;
  }
  const port = await freePort();
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      {
        stdio: 'ignore',
      },
    );
    const started = Date.now();
    while (!(await ping(port))) {
      if (Date.now() - started > 10_000) throw new Error('redis-server did not start');
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  };
  const stop = async () => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      running.once('exit', () => resolve());
      running.kill('SIGKILL');
    });
  };
  await start();
  return { port, url: `redis://127.0.0.1:${port}`, stop, start };
}
