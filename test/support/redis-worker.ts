// One "process of the fleet": a TokenManager on a shared RedisTokenStorage asking for a token with
// many concurrent callers. Prints one JSON line with the tokens it got. Run with tsx.
import Redis from 'ioredis';
import { ClientCredentialsTokenProvider, TokenManager } from '../../src/index';
import { RedisTokenStorage } from '../../src/redis';

const { REDIS_URL, TOKEN_URL, CALLERS = '50', LOCK_TTL_MS = '30000' } = process.env;
const redis = new Redis(REDIS_URL!, { maxRetriesPerRequest: 1 });
const provider = new ClientCredentialsTokenProvider({
  tokenUrl: TOKEN_URL!,
  clientId: 'svc-client',
  clientSecret: 'svc-secret-Zq8',
  serviceName: 'fleet',
  timeoutMs: 60_000,
  maxRetries: 0,
});
const manager = new TokenManager(provider, new RedisTokenStorage({ client: redis }), {
  lockTtlMs: Number(LOCK_TTL_MS),
  logger: { warn: () => undefined },
});
// Start together: wait for the test's "go" so every process races for the same expiry.
await new Promise<void>((resolve) => {
  process.send?.({ ready: true });
  process.once('message', () => resolve());
});
const tokens = await Promise.all(Array.from({ length: Number(CALLERS) }, () => manager.getToken()));
console.log(JSON.stringify({ tokens: [...new Set(tokens.map((t) => t.accessToken))], stats: manager.stats }));
await provider.close();
redis.disconnect();
process.disconnect?.();
