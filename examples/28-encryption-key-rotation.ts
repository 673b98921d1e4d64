// Tokens encrypted at rest in a shared cache, and rolling a new encryption key through a fleet in
// two deploys without dropping the stored token. KeyvTokenStorage and RedisTokenStorage take the
// same `encryptionKey` option: one key, or a list [current, ...previous]. Each stored value names
// its key by id (the first 8 bytes of the key's SHA-256), so a reader picks the right key at once.
// Keyv's in-memory store stands in for the shared cache (Redis, Memcached, Postgres…).
import { createHash, randomBytes } from 'node:crypto';
import Keyv from 'keyv';
import { ClientCredentialsTokenProvider, TokenManager } from 'requestforge';
import { KeyvTokenStorage } from 'requestforge/keyv';
import { exampleAuth } from './support/stand-ins';

const auth = await exampleAuth(); // stands in for https://auth.example.com
const cache = new Keyv(); // the cache every process shares
const OLD = randomBytes(32).toString('hex'); // in real life: from your secret store
const NEW = randomBytes(32).toString('hex'); // openssl rand -hex 32
const keyIdOf = (hex: string) =>
  createHash('sha256').update(Buffer.from(hex, 'hex')).digest('hex').slice(0, 16);
const providers: ClientCredentialsTokenProvider[] = [];

/** One process of the fleet, deployed with the given encryption keys. */
function fleetProcess(encryptionKey: string | string[]) {
  const provider = new ClientCredentialsTokenProvider({
    tokenUrl: `${auth.url}/oauth/token`,
    clientId: 'your-client-id',
    clientSecret: 'your-client-secret',
    serviceName: 'api-service',
  });
  providers.push(provider);
  return new TokenManager(provider, new KeyvTokenStorage({ keyv: cache, encryptionKey }));
}
// Every process of the fleet has the same configuration, so the same key (`manager.cacheKey`).
const cacheKey = fleetProcess(OLD).cacheKey;
const stored = async () => JSON.parse(String(await cache.get(`requestforge:${cacheKey}`)));
const requests = () => auth.grants.client_credentials ?? 0;

const before = await fleetProcess(OLD).getToken();
console.log(
  `before: sealed with OLD: ${(await stored()).kid === keyIdOf(OLD)}; token requests: ${requests()}`,
);

// Deploy 1: every process learns NEW, still writing with OLD.
const deploy1 = await fleetProcess([OLD, NEW]).getToken();
console.log(
  `deploy 1 [OLD, NEW]: reads the stored token: ${deploy1.accessToken === before.accessToken}; token requests: ${requests()}`,
);

// Deploy 2: NEW is current. Tokens sealed with OLD are still read; renewals are sealed with NEW.
const deploy2 = fleetProcess([NEW, OLD]);
console.log(
  `deploy 2 [NEW, OLD]: reads the token sealed with OLD: ${(await deploy2.getToken()).accessToken === before.accessToken}`,
);
const renewed = await deploy2.forceRefresh(); // stands in for the next expiry
console.log(
  `deploy 2 renewal sealed with NEW: ${(await stored()).kid === keyIdOf(NEW)}; token requests: ${requests()}`,
);

// A process still on deploy 1 (it knows NEW) reads the renewed token without a token request.
const straggler = await fleetProcess([OLD, NEW]).getToken();
console.log(
  `a deploy-1 process reads it: ${straggler.accessToken === renewed.accessToken}; token requests: ${requests()}`,
);

const raw = JSON.stringify(await stored());
console.log(
  `the cache holds no token: ${!raw.includes(renewed.accessToken)}; stored fields: ${Object.keys(await stored()).join(', ')}`,
);

for (const provider of providers) await provider.close();
await auth.close();
