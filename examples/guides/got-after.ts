// After: requestforge. Retries are a builder call; the token and its 401 renewal are the manager's.
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
    .withRetry({ maxRetries: 2 }) // was retry.limit: timeouts, connection errors, 408/429/5xx
    .withTokenAuth(new TokenManager(provider)) // was the two hooks
    .build(),
);

console.log(`first: ${(await api.get('/orders')).statusCode}`); // statuses are data, like throwHttpErrors: false
auth.revokeAll(); // the API now rejects the token with 401
console.log(`after revocation: ${(await api.get('/orders')).statusCode}`);
console.log(`token requests: ${JSON.stringify(auth.grants)}`);
await api.close();
await provider.close();
await Promise.all([ordersApi.close(), auth.close()]);
