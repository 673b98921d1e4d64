// Guide: Token Storage › In-Memory Storage — the default storage (single process).
import { ClientCredentialsTokenProvider, InMemoryTokenStorage, TokenManager } from 'requestforge';
import { exampleAuth } from './support/stand-ins';

const auth = await exampleAuth(); // stands in for https://auth.example.com
const provider = new ClientCredentialsTokenProvider({
  tokenUrl: `${auth.url}/oauth/token`,
  clientId: 'your-client-id',
  clientSecret: 'your-client-secret',
  serviceName: 'example-api',
});

const storage = new InMemoryTokenStorage();
const tokenManager = new TokenManager(provider, storage);

await tokenManager.getToken();
// Safe for any number of concurrent callers in this process (one token fetch for all of them),
// but tokens are not shared across processes: use RedisTokenStorage or KeyvTokenStorage for a fleet.
// The key names the service and a hash of everything that makes its tokens different
// (token URL, client id, grant, scopes, …), so two configurations never share a token by accident.
console.log(`stored under ${tokenManager.cacheKey}: ${await storage.exists(tokenManager.cacheKey)}`);

await provider.close();
await auth.close();
