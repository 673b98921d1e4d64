// After: requestforge. The provider obtains tokens, the manager caches and renews them, the
// client attaches them to requests for the API's origin only.
import {
  ClientCredentialsTokenProvider,
  HttpClient,
  HttpClientConfigBuilder,
  TokenManager,
} from 'requestforge';
import { exampleAuth } from '../support/stand-ins';

const auth = await exampleAuth(); // stands in for https://auth.example.com
const ordersApi = await auth.api(); // stands in for https://api.example.com

const provider = new ClientCredentialsTokenProvider({
  tokenUrl: `${auth.url}/oauth/token`, // the issuer metadata's token_endpoint
  clientId: 'your-client-id',
  clientSecret: 'your-client-secret',
  serviceName: 'orders-api',
});
const api = new HttpClient(
  new HttpClientConfigBuilder().withBaseUrl(ordersApi.url).withTokenAuth(new TokenManager(provider)).build(),
);

console.log(`first: ${(await api.get('/orders')).statusCode}`);
auth.revokeAll(); // the API now rejects the token with 401
console.log(`after revocation: ${(await api.get('/orders')).statusCode}`);
console.log(`token requests: ${JSON.stringify(auth.grants)}`);
await api.close();
await provider.close();
await Promise.all([ordersApi.close(), auth.close()]);
