// One process of a fleet sharing a DPoP token through an encrypted Redis storage: its own
// generated key (dpop: true), so it can use the shared token only with the key stored with it.
// Calls the API three times and prints what it saw as one JSON line.
import { createHash } from 'node:crypto';
import Redis from 'ioredis';
import {
  ClientCredentialsTokenProvider,
  HttpClient,
  HttpClientConfigBuilder,
  TokenManager,
} from '../../src/index';
import { RedisTokenStorage } from '../../src/redis';

const { REDIS_URL, TOKEN_URL, API_ORIGIN, ENCRYPTION_KEY, CLIENT_SECRET } = process.env;
const redis = new Redis(REDIS_URL!, { maxRetriesPerRequest: 1 });
const provider = new ClientCredentialsTokenProvider({
  tokenUrl: TOKEN_URL!,
  clientId: 'svc-dpop',
  clientSecret: CLIENT_SECRET!,
  serviceName: 'dpop-fleet',
  scope: 'api:read',
  dpop: true,
});
const storage = new RedisTokenStorage({ client: redis, encryptionKey: ENCRYPTION_KEY! });
const manager = new TokenManager(provider, storage, { logger: { warn: () => undefined } });
const client = new HttpClient(
  new HttpClientConfigBuilder().withBaseUrl(API_ORIGIN!).withTokenAuth(manager).build(),
);
try {
  const statuses: number[] = [];
  for (let i = 0; i < 3; i++) statuses.push((await client.get('/data')).statusCode);
  const token = await manager.getToken();
  const tokenHash = createHash('sha256').update(token.accessToken).digest('hex').slice(0, 16);
  console.log(JSON.stringify({ statuses, tokenHash, stats: manager.stats }));
} catch (error) {
  console.log(JSON.stringify({ error: (error as Error).message }));
}
await client.close();
redis.disconnect();
