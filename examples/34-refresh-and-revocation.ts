// A service given a long-lived refresh token (RefreshTokenProvider). The server rotates it on
// every use; the newest one is kept in the manager's storage, whose entry outlives the access
// token, so a restarted process continues with it. close({ revoke: true }) revokes what is left.
import { InMemoryTokenStorage, RefreshTokenProvider, TokenManager } from 'requestforge';
import { identityProvider } from './support/identity-provider';

const idp = await identityProvider({
  clients: { 'reports-job': { secret: 'reports-secret' } },
  expiresIn: 1,
});
const provisioned = idp.provisionRefreshToken('reports-job'); // given to the service once, e.g. in a secret store

const options = {
  issuer: idp.issuer, // the revocation endpoint comes from the metadata
  clientId: 'reports-job',
  clientSecret: 'reports-secret',
  refreshToken: provisioned, // the same configuration before and after the restart
  serviceName: 'reports-api',
};
const storage = new InMemoryTokenStorage(); // a RedisTokenStorage in production: shared and durable
const first = new TokenManager(new RefreshTokenProvider(options), storage);
await first.getToken(); // uses the provisioned refresh token; the server rotates it
await first.close();

await new Promise((resolve) => setTimeout(resolve, 1100)); // the 1-second access token expires
console.log(
  `the storage still holds the rotated refresh token: ${(await storage.get(first.cacheKey))?.refreshToken !== undefined}`,
);

const restarted = new TokenManager(new RefreshTokenProvider(options), storage);
await restarted.getToken(); // the provisioned token was used up: the stored, rotated one is used
console.log('the restarted process got a token: true');

await restarted.close({ revoke: true }); // revokes the access token and the refresh token
console.log(`revoked at the server: ${idp.revoked.size}`);
await idp.close();
