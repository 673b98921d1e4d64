// The command layer of RedisTokenStorage: every command touches one key and is routed by it, so
// it works the same on a single Redis, behind Sentinel, and on a Redis Cluster. The client's kind
// is recognised by its shape: `ioredis` and `redis` are optional peer dependencies, never imported.
import { CLUSTER_STALL_MS, slotMapRefresh } from './cluster-slot-map';

/** A command argument: Redis takes strings; numbers are sent as their decimal spelling. */
export type RedisArgument = string | number;

/** An ioredis `Redis` (standalone or Sentinel) or `Cluster`: `call` routes by the command's keys. */
export interface IoredisClientLike {
  /** Runs one command (`call('GET', key)`) and resolves its reply. */
  call(command: string, ...args: RedisArgument[]): Promise<unknown>;
}

/** A node-redis v4/v5 client from `createClient`. */
export interface NodeRedisClientLike {
  /** Runs one command given as its words (`['GET', key]`) and resolves its reply. */
  sendCommand(args: string[]): Promise<unknown>;
}

/** A node-redis v4/v5 cluster from `createCluster`: commands name the key they route by. */
export interface NodeRedisClusterLike {
  /** Runs one command on the node that owns `firstKey` and resolves its reply. */
  sendCommand(
    firstKey: string | undefined,
    isReadonly: boolean | undefined,
    args: string[],
  ): Promise<unknown>;
  /** Present on node-redis clusters only; how the cluster is told from a plain client. */
  nodeClient(node: never): unknown;
}

/** A node-redis v5 Sentinel client from `createSentinel`: commands go to the current primary. */
export interface NodeRedisSentinelLike {
  /** Runs one command on the current primary and resolves its reply. */
  sendCommand(isReadonly: boolean | undefined, args: string[]): Promise<unknown>;
  /** Present on node-redis Sentinel clients only; how they are told from a plain client. */
  getSentinelNode(): unknown;
}

/**
 * The Redis clients `RedisTokenStorage` accepts: ioredis `Redis` (standalone, Sentinel) and
 * `Cluster`; node-redis v4/v5 `createClient`, `createCluster` and (v5) `createSentinel`.
 */
export type RedisClientLike =
  | IoredisClientLike
  | NodeRedisClientLike
  | NodeRedisClusterLike
  | NodeRedisSentinelLike;

/**
 * Sends one command that touches exactly one key. `key` is the key the command touches (for
 * `EVAL`, its only `KEYS[1]`); a cluster client routes the command to the primary owning its slot.
 */
export type RedisCommand = (key: string, args: readonly RedisArgument[]) => Promise<unknown>;

/** The kind of client, as {@link redisCommand} recognised it (for diagnostics and tests). */
export type RedisClientKind = 'ioredis' | 'node-redis' | 'node-redis-cluster' | 'node-redis-sentinel';

function isFunction(value: unknown): value is (...args: never[]) => unknown {
  return typeof value === 'function';
}

/**
 * A node-redis cluster command that gets the slot map read again when it stalls or fails.
 * node-redis re-reads the map only on a `MOVED`/`ASK` reply; a primary that died answers nothing,
 * so without this its slots stay pointed at it after a replica took over.
 */
function clusterCommand(cluster: NodeRedisClusterLike): RedisCommand {
  const refresh = slotMapRefresh(cluster);
  if (refresh === undefined) return (key, args) => cluster.sendCommand(key, false, args.map(String));
  return (key, args) => {
    const reply = cluster.sendCommand(key, false, args.map(String));
    const stalled = setTimeout(refresh, CLUSTER_STALL_MS);
    stalled.unref();
    reply.then(
      () => clearTimeout(stalled),
      () => {
        clearTimeout(stalled);
        refresh();
      },
    );
    return reply;
  };
}

/** Recognises a client by its shape; `undefined` when it is no Redis client we know. */
export function redisClientKind(client: unknown): RedisClientKind | undefined {
  if (client === null || typeof client !== 'object') return undefined;
  const shape = client as Record<string, unknown>;
  if (isFunction(shape.call)) return 'ioredis';
  if (!isFunction(shape.sendCommand)) return undefined;
  // node-redis clusters have `nodeClient` (v4.6+, v5) or `getSlotMaster` (early v4).
  if (isFunction(shape.nodeClient) || isFunction(shape.getSlotMaster)) return 'node-redis-cluster';
  if (isFunction(shape.getSentinelNode)) return 'node-redis-sentinel';
  return 'node-redis';
}

/**
 * The one routing function every command of the storage goes through. Always the primary
 * (`isReadonly: false`): a replica may lag behind the lock and the set-if-newer write.
 */
export function redisCommand(client: RedisClientLike, kind: RedisClientKind): RedisCommand {
  switch (kind) {
    case 'ioredis': {
      const ioredis = client as IoredisClientLike;
      // ioredis (Cluster included) finds the key in the arguments (EVAL's numkeys) and routes by it.
      return (_key, [command, ...args]) => ioredis.call(String(command), ...args);
    }
    case 'node-redis-cluster':
      return clusterCommand(client as NodeRedisClusterLike);
    case 'node-redis-sentinel': {
      const sentinel = client as NodeRedisSentinelLike;
      return (_key, args) => sentinel.sendCommand(false, args.map(String));
    }
    case 'node-redis': {
      const single = client as NodeRedisClientLike;
      return (_key, args) => single.sendCommand(args.map(String));
    }
  }
}
