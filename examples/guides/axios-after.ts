// After: requestforge. The manager owns the token: one fetch however many requests race, a 401
// renews it once and replays the request; interceptors become hooks.
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
    .withBaseUrl(ordersApi.url)
    .withTokenAuth(new TokenManager(provider)) // Authorization: Bearer …, 401 → renew once → replay
    .withRequestHook((request) => request.withHeaders({ 'x-client': 'orders-job' })) // was an interceptor
    .build(),
);

console.log(`first: ${(await api.get('/orders')).statusCode}`);
auth.revokeAll(); // the API now rejects the token with 401
console.log(`after revocation: ${(await api.get('/orders')).statusCode}`);
console.log(`token requests: ${JSON.stringify(auth.grants)}`);
await api.close();
await provider.close();
await Promise.all([ordersApi.close(), auth.close()]);
