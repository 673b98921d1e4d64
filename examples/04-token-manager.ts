// Guide: Token Manager › Basic Setup — dynamic tokens that are cached, refreshed and retried on 401.
import {
  ClientCredentialsTokenProvider,
  HttpClient,
  HttpClientConfigBuilder,
  InMemoryTokenStorage,
  TokenManager,
} from 'requestforge';
import { exampleAuth } from './support/stand-ins';

const auth = await exampleAuth(); // stands in for https://auth.example.com
const api = await auth.api(); // stands in for https://api.example.com

// Create token provider
const provider = new ClientCredentialsTokenProvider({
  tokenUrl: `${auth.url}/oauth/token`,
  clientId: 'your-client-id',
  clientSecret: 'your-client-secret',
  serviceName: 'example-api',
  scope: 'read write',
});

// Create token manager
const tokenManager = new TokenManager(provider, new InMemoryTokenStorage());

// Configure client
const config = new HttpClientConfigBuilder()
  .withBaseUrl(api.url)
  .withTokenAuth(tokenManager, { excludedPaths: new Set(['/health', '/public']) })
  .build();

const client = new HttpClient(config);

// First request: fetches and caches token
await client.get('/protected-resource');

// Subsequent requests: reuse cached token
await client.get('/another-resource');

// When the token is rejected (expired, revoked): refreshes once and replays
auth.revokeAll();
const response = await client.get('/resource');
console.log(
  `status ${response.statusCode}; token requests: ${JSON.stringify(auth.grants)}; stats: ${JSON.stringify(tokenManager.stats)}`,
);

// Excluded paths never carry the token
await client.get('/health');

await client.close();
await provider.close();
await Promise.all([api.close(), auth.close()]);
