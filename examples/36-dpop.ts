// DPoP (RFC 9449): tokens bound to a key the service holds. Every token request carries a proof;
// the token comes back as token_type DPoP; every API request sends Authorization: DPoP with a
// fresh proof (method, URL, hash of the token). Servers that require nonces get them, with one
// retry each. A stolen token is useless without the key.
import {
  ClientCredentialsTokenProvider,
  HttpClient,
  HttpClientConfigBuilder,
  TokenManager,
} from 'requestforge';
import { dpopStandIns } from './support/dpop-stand-ins';

const servers = await dpopStandIns(); // stand in for https://login.example.com and https://api.example.com

const provider = new ClientCredentialsTokenProvider({
  tokenUrl: servers.tokenUrl,
  clientId: 'orders-job',
  clientSecret: 'orders-job-secret',
  serviceName: 'orders-api',
  dpop: true, // an ES256 key generated for this provider; or { privateKey, alg }
});
const manager = new TokenManager(provider);
const client = new HttpClient(
  new HttpClientConfigBuilder().withBaseUrl(servers.apiUrl).withTokenAuth(manager).build(),
);

const first = await client.get('/orders?status=open');
const second = await client.get('/orders/7');
for (const line of servers.log) console.log(line);
console.log(
  `GET /orders → ${first.statusCode}, GET /orders/7 → ${second.statusCode}; token requests: ${manager.stats.fetches}, refreshes: ${manager.stats.refreshes}`,
);

// Someone who copied the token, but not the key, cannot use it.
const token = await manager.getToken();
const stolen = await fetch(`${servers.apiUrl}/orders`, {
  headers: { authorization: `DPoP ${token.accessToken}` },
});
console.log(`the token without its key: ${stolen.status}`);

await client.close();
await servers.close();
