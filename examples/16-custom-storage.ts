// Guide: Token Storage › Custom Storage — implement TokenStorage for any key-value store.
// (For Redis itself there is a ready one: RedisTokenStorage in 'requestforge/redis'.)
import { ClientCredentialsTokenProvider, TokenData, TokenManager, type TokenStorage } from 'requestforge';
import { exampleAuth } from './support/stand-ins';

/** Any client with string get/set-with-TTL/delete, like a Redis or Memcached client. */
interface KeyValueClient {
  get(key: string): Promise<string | undefined>;
  setex(key: string, ttlSeconds: number, value: string): Promise<void>;
  set(key: string, value: string): Promise<void>;
  del(key: string): Promise<void>;
}

class KeyValueTokenStorage implements TokenStorage {
  constructor(private readonly client: KeyValueClient) {}

  async get(key: string): Promise<TokenData | undefined> {
    const data = await this.client.get(key);
    // Deserialize TokenData (an unreadable value is simply a miss)
    return data ? TokenData.fromJSON(data) : undefined;
  }

  async set(key: string, token: TokenData): Promise<void> {
    const data = JSON.stringify(token); // toJSON(): the storage form, with every field
    // Set with TTL
    if (token.expiresAt) {
      const ttl = Math.floor((token.expiresAt.getTime() - Date.now()) / 1000);
      if (ttl > 0) await this.client.setex(key, ttl, data);
    } else {
      await this.client.set(key, data);
    }
  }

  async delete(key: string): Promise<void> {
    await this.client.del(key);
  }

  async exists(key: string): Promise<boolean> {
    return (await this.client.get(key)) !== undefined;
  }
}

// An in-process stand-in for the key-value server, so the example runs anywhere.
const values = new Map<string, { value: string; expiresAt: number }>();
const client: KeyValueClient = {
  get: async (key) => {
    const entry = values.get(key);
    return entry && entry.expiresAt > Date.now() ? entry.value : undefined;
  },
  setex: async (key, ttl, value) => {
    values.set(key, { value, expiresAt: Date.now() + ttl * 1000 });
  },
  set: async (key, value) => {
    values.set(key, { value, expiresAt: Number.POSITIVE_INFINITY });
  },
  del: async (key) => {
    values.delete(key);
  },
};

const auth = await exampleAuth(); // stands in for https://auth.example.com
const provider = new ClientCredentialsTokenProvider({
  tokenUrl: `${auth.url}/oauth/token`,
  clientId: 'your-client-id',
  clientSecret: 'your-client-secret',
  serviceName: 'example-api',
});
const tokenManager = new TokenManager(provider, new KeyValueTokenStorage(client));
const token = await tokenManager.getToken();
const stored = await new KeyValueTokenStorage(client).get(tokenManager.cacheKey);
console.log(`stored under ${tokenManager.cacheKey}, read back: ${stored?.accessToken === token.accessToken}`);

await provider.close();
await auth.close();
