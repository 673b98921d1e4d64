// `requestforge/redis`: tokens shared across processes and hosts through Redis.
export type {
  IoredisClientLike,
  NodeRedisClientLike,
  NodeRedisClusterLike,
  NodeRedisSentinelLike,
  RedisClientLike,
} from './tokens/storage/redis-commands';
export {
  RedisTokenStorage,
  type RedisTokenStorageOptions,
} from './tokens/storage/redis-token-storage';
export type { EncryptionKey, EncryptionKeyOption } from './tokens/storage/token-cipher';
