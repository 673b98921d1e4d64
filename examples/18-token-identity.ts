// Token identity: two token managers for one service name and one storage, but different scopes,
// each get their own token; a cacheKey shares one on purpose.
import { ClientCredentialsTokenProvider, InMemoryTokenStorage, TokenManager } from 'requestforge';
import { exampleAuth } from './support/stand-ins';

const auth = await exampleAuth(); // stands in for https://auth.example.com
const providers: ClientCredentialsTokenProvider[] = [];
const billing = (scope: string) => {
  const provider = new ClientCredentialsTokenProvider({
    tokenUrl: `${auth.url}/oauth/token`,
    clientId: 'your-client-id',
    clientSecret: 'your-client-secret',
    serviceName: 'billing', // the readable label; the identity tells the tokens apart
    scope,
  });
  providers.push(provider);
  return provider;
};

// One storage (a Redis or Keyv storage behaves the same), two configurations of "billing".
const storage = new InMemoryTokenStorage();
const reader = new TokenManager(billing('invoices:read'), storage);
const admin = new TokenManager(billing('invoices:admin'), storage);

const readToken = await reader.getToken();
const adminToken = await admin.getToken();
console.log(`reader key: ${reader.cacheKey}`);
console.log(`admin key:  ${admin.cacheKey}`);
console.log(`the admin manager got its own token: ${adminToken.accessToken !== readToken.accessToken}`);

// The same configuration shares the stored token (no token request).
const sameReader = new TokenManager(billing('invoices:read'), storage);
console.log(
  `same configuration, same token: ${(await sameReader.getToken()).accessToken === readToken.accessToken}`,
);

// Sharing a token between different configurations is possible, but only on purpose.
const shared = new TokenManager(billing('invoices:admin invoices:read'), storage, {
  cacheKey: reader.cacheKey,
});
console.log(`cacheKey shares on purpose: ${(await shared.getToken()).accessToken === readToken.accessToken}`);
console.log(`token requests: ${JSON.stringify(auth.grants)}`);

await Promise.all(providers.map((provider) => provider.close()));
await auth.close();
