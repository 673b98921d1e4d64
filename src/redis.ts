// `requestforge/redis`: tokens shared across processes and hosts through Redis.
export {
  type RedisClientLike,
  RedisTokenStorage,
  type RedisTokenStorageOptions,
} from './tokens/storage/redis-token-storage';
