// One "process of the fleet" driven round by round over IPC: a TokenManager on a shared
// RedisTokenStorage; each "round" message makes CALLERS concurrent getToken() calls and answers
// with the tokens and error codes they got. Run with tsx.
import Redis from 'ioredis';
import { type AuthenticationException, ClientCredentialsTokenProvider, TokenManager } from '../../src/index';
import { RedisTokenStorage } from '../../src/redis';

const { REDIS_URL, TOKEN_URL, CALLERS = '50', SCOPE } = process.env;
const redis = new Redis(REDIS_URL!, { maxRetriesPerRequest: 1 });
const provider = new ClientCredentialsTokenProvider({
  tokenUrl: TOKEN_URL!,
  clientId: 'svc-client',
  clientSecret: 'svc-secret-Zq8',
  serviceName: 'fleet',
  scope: SCOPE,
  maxRetries: 0,
});
const manager = new TokenManager(provider, new RedisTokenStorage({ client: redis }), {
  logger: { warn: () => undefined },
});

process.on('message', async (message) => {
  if (message === 'exit') {
    await provider.close();
    redis.disconnect();
    process.disconnect?.();
    return;
  }
  const results = await Promise.allSettled(Array.from({ length: Number(CALLERS) }, () => manager.getToken()));
  process.send?.({
    cacheKey: manager.cacheKey,
    tokens: [...new Set(results.flatMap((r) => (r.status === 'fulfilled' ? [r.value.accessToken] : [])))],
    errors: [
      ...new Set(
        results.flatMap((r) => (r.status === 'rejected' ? [(r.reason as AuthenticationException).code] : [])),
      ),
    ],
    retryAfterMs: results.flatMap((r) =>
      r.status === 'rejected' ? [(r.reason as AuthenticationException).retryAfterMs ?? -1] : [],
    ),
  });
});
process.send?.('ready');
