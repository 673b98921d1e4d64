// One process of a service started with a configured refresh token: a RefreshTokenProvider on a
// shared RedisTokenStorage gets a token, then prints it (and how long Redis keeps the entry) as
// one JSON line. Run with tsx; a second run is "the process after a restart".
import Redis from 'ioredis';
import { RefreshTokenProvider, TokenManager } from '../../src/index';
import { RedisTokenStorage } from '../../src/redis';

const { REDIS_URL, TOKEN_URL, REFRESH_TOKEN } = process.env;
const redis = new Redis(REDIS_URL!, { maxRetriesPerRequest: 1 });
const provider = new RefreshTokenProvider({
  tokenUrl: TOKEN_URL!,
  clientId: 'svc-client',
  clientSecret: 'svc-secret-Zq8',
  refreshToken: REFRESH_TOKEN!,
  serviceName: 'reports',
  maxRetries: 0,
});
const manager = new TokenManager(provider, new RedisTokenStorage({ client: redis }), {
  logger: { warn: () => undefined },
});
try {
  const token = await manager.getToken();
  const ttlMs = await redis.pttl(`requestforge:${manager.cacheKey}`);
  console.log(
    JSON.stringify({ accessToken: token.accessToken, expiresAt: token.expiresAt?.getTime(), ttlMs }),
  );
} catch (error) {
  console.log(JSON.stringify({ error: (error as Error).message }));
}
await provider.close();
redis.disconnect();
