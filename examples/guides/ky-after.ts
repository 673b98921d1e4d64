// After: requestforge. `json()` is synchronous (the body is already read); the token is the manager's.
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
  tokenUrl: `${auth.url}/oauth/token`,
  clientId: 'your-client-id',
  clientSecret: 'your-client-secret',
  serviceName: 'orders-api',
});
const api = new HttpClient(
  new HttpClientConfigBuilder()
    .withBaseUrl(ordersApi.url) // was prefixUrl
    .withTokenAuth(new TokenManager(provider)) // was the two hooks
    .build(),
);

const first = await api.get('/orders');
console.log(`first: ${first.statusCode}`);
first.json<{ path: string }>(); // was `await response.json()`
auth.revokeAll(); // the API now rejects the token with 401
console.log(`after revocation: ${(await api.get('/orders')).statusCode}`);
console.log(`token requests: ${JSON.stringify(auth.grants)}`);
await api.close();
await provider.close();
await Promise.all([ordersApi.close(), auth.close()]);
