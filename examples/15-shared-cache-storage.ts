// Guide: Token Storage › Django Cache Storage — tokens shared by several workers through a cache.
// The TypeScript twin of DjangoCacheTokenStorage is KeyvTokenStorage: Keyv fronts Redis,
// Memcached, Postgres, MySQL, SQLite, MongoDB… (new Keyv(new KeyvRedis('redis://127.0.0.1:6379/1'))).
// This example uses Keyv's in-memory store so it runs anywhere; for one fetch per expiry across a
// whole fleet, use RedisTokenStorage from 'requestforge/redis' (it adds a cross-process lock).
import Keyv from 'keyv';
import { ClientCredentialsTokenProvider, TokenManager } from 'requestforge';
import { KeyvTokenStorage } from 'requestforge/keyv';
import { exampleAuth } from './support/stand-ins';

const auth = await exampleAuth(); // stands in for https://auth.example.com
const cache = new Keyv(); // settings.py: CACHES['default']

function worker(name: string) {
  const storage = new KeyvTokenStorage({
    keyv: cache, // the shared cache
    keyPrefix: 'api_tokens', // cache key prefix
  });
  const provider = new ClientCredentialsTokenProvider({
    tokenUrl: `${auth.url}/oauth/token`,
    clientId: 'your-client-id',
    clientSecret: 'your-client-secret',
    serviceName: 'api-service',
  });
  return { name, provider, tokenManager: new TokenManager(provider, storage) };
}

const first = worker('worker-1');
const second = worker('worker-2');
const a = await first.tokenManager.getToken();
const b = await second.tokenManager.getToken();
console.log(
  `worker-2 reused worker-1's token from the cache: ${a.accessToken === b.accessToken}; token requests: ${JSON.stringify(auth.grants)}`,
);

await first.provider.close();
await second.provider.close();
await auth.close();
