// One process of a fleet on a real Redis topology, driven over IPC by the topology tests: it builds
// token managers on RedisTokenStorage (ioredis or node-redis; single, Cluster or Sentinel), races
// callers for a token, or sends API requests for a while and reports how many failed. Run with tsx.
import Redis, { Cluster } from 'ioredis';
import { createClient, createCluster, createSentinel } from 'redis';
import {
  ClientCredentialsTokenProvider,
  HttpClient,
  HttpClientConfigBuilder,
  TokenManager,
} from '../../src/index';
import { type RedisClientLike, RedisTokenStorage } from '../../src/redis';

export type Topology =
  | { readonly kind: 'single'; readonly port: number }
  | { readonly kind: 'cluster'; readonly seeds: ReadonlyArray<{ host: string; port: number }> }
  | {
      readonly kind: 'sentinel';
      readonly name: string;
      readonly sentinels: ReadonlyArray<{ host: string; port: number }>;
    };

export interface SetupMessage {
  readonly cmd: 'setup';
  readonly id: string;
  readonly client: 'ioredis' | 'node-redis';
  readonly topology: Topology;
  readonly tokenUrl: string;
  readonly apiUrl: string;
  readonly serviceName: string;
  readonly keyPrefix?: string;
  readonly encryptionKeys?: readonly string[];
  readonly storageTimeoutMs?: number;
}

export type WorkerMessage =
  | SetupMessage
  | { readonly cmd: 'race'; readonly id: string; readonly callers: number }
  | { readonly cmd: 'load'; readonly id: string; readonly callers: number; readonly durationMs: number }
  | { readonly cmd: 'close'; readonly id: string };

export interface RaceResult {
  readonly tokens: string[];
  readonly fetches: number;
  readonly refreshes: number;
  readonly ms: number;
}

export interface LoadResult {
  readonly requests: number;
  readonly failures: number;
  readonly errors: string[];
  readonly maxMs: number;
}

interface Member {
  readonly manager: TokenManager;
  readonly api: HttpClient;
  readonly provider: ClientCredentialsTokenProvider;
  close(): Promise<void>;
}

async function connect(
  client: SetupMessage['client'],
  topology: Topology,
): Promise<{ client: RedisClientLike; close(): Promise<void> }> {
  if (client === 'ioredis') {
    const redis =
      topology.kind === 'cluster'
        ? new Cluster(
            topology.seeds.map(({ host, port }) => ({ host, port })),
            {
              redisOptions: { maxRetriesPerRequest: 1 },
            },
          )
        : topology.kind === 'sentinel'
          ? new Redis({ sentinels: [...topology.sentinels], name: topology.name, maxRetriesPerRequest: 1 })
          : new Redis(topology.port, '127.0.0.1', { maxRetriesPerRequest: 1 });
    redis.on('error', () => undefined);
    return { client: redis, close: async () => redis.disconnect() };
  }
  const redis =
    topology.kind === 'cluster'
      ? createCluster({
          rootNodes: topology.seeds.map(({ host, port }) => ({ url: `redis://${host}:${port}` })),
        })
      : topology.kind === 'sentinel'
        ? createSentinel({ name: topology.name, sentinelRootNodes: [...topology.sentinels] })
        : createClient({ url: `redis://127.0.0.1:${topology.port}` });
  redis.on('error', () => undefined);
  await redis.connect();
  return {
    client: redis,
    // destroy, not close: close waits for commands queued for a dead node, forever.
    close: async () => redis.destroy(),
  };
}

async function setup(message: SetupMessage): Promise<Member> {
  const redis = await connect(message.client, message.topology);
  const provider = new ClientCredentialsTokenProvider({
    tokenUrl: message.tokenUrl,
    clientId: 'fleet-client',
    clientSecret: 'fleet-secret-Tq4',
    serviceName: message.serviceName,
    timeoutMs: 10_000,
  });
  const storage = new RedisTokenStorage({
    client: redis.client,
    ...(message.keyPrefix === undefined ? {} : { keyPrefix: message.keyPrefix }),
    ...(message.encryptionKeys === undefined ? {} : { encryptionKey: message.encryptionKeys }),
  });
  const manager = new TokenManager(provider, storage, {
    logger: { warn: () => undefined },
    ...(message.storageTimeoutMs === undefined ? {} : { storageTimeoutMs: message.storageTimeoutMs }),
    storageRetryMs: 1000,
    lockTtlMs: 5000,
  });
  const client = new HttpClient(
    new HttpClientConfigBuilder().withBaseUrl(message.apiUrl).withTokenAuth(manager).build(),
  );
  return {
    manager,
    api: client,
    provider,
    close: async () => {
      await client.close();
      await provider.close();
      await redis.close();
    },
  };
}

async function race(member: Member, callers: number): Promise<RaceResult> {
  const started = performance.now();
  const tokens = await Promise.all(Array.from({ length: callers }, () => member.manager.getToken()));
  const { fetches, refreshes } = member.manager.stats;
  return {
    tokens: [...new Set(tokens.map((t) => t.accessToken))],
    fetches,
    refreshes,
    ms: Math.round(performance.now() - started),
  };
}

async function load(member: Member, callers: number, durationMs: number): Promise<LoadResult> {
  const deadline = performance.now() + durationMs;
  let requests = 0;
  let failures = 0;
  let maxMs = 0;
  const errors: string[] = [];
  await Promise.all(
    Array.from({ length: callers }, async () => {
      while (performance.now() < deadline) {
        const started = performance.now();
        requests++;
        try {
          const response = await member.api.get('/api');
          if (response.statusCode !== 200) throw new Error(`status ${response.statusCode}`);
        } catch (error) {
          failures++;
          if (errors.length < 5) errors.push(String(error));
        }
        maxMs = Math.max(maxMs, performance.now() - started);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    }),
  );
  return { requests, failures, errors, maxMs: Math.round(maxMs) };
}

const members = new Map<string, Member>();

async function handle(message: WorkerMessage): Promise<unknown> {
  if (message.cmd === 'setup') {
    const member = await setup(message);
    members.set(message.id, member);
    return { ok: true, cacheKey: member.manager.cacheKey };
  }
  const member = members.get(message.id);
  if (!member) throw new Error(`no member ${message.id}`);
  if (message.cmd === 'race') return race(member, message.callers);
  if (message.cmd === 'load') return load(member, message.callers, message.durationMs);
  members.delete(message.id);
  await member.close();
  return { ok: true };
}

process.on('message', (raw) => {
  const { seq, message } = raw as { seq: number; message: WorkerMessage };
  handle(message).then(
    (result) => process.send?.({ seq, result }),
    (error: unknown) => process.send?.({ seq, error: String(error) }),
  );
});
process.on('disconnect', () => {
  Promise.all([...members.values()].map((m) => m.close())).finally(() => process.exit(0));
});
process.send?.({ ready: true });
