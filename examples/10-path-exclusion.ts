// Guide: Path Exclusion — paths and glob patterns that never carry the token.
import {
  ClientCredentialsTokenProvider,
  HttpClient,
  HttpClientConfigBuilder,
  TokenManager,
} from 'requestforge';
import { exampleAuth } from './support/stand-ins';

const auth = await exampleAuth(); // stands in for https://auth.example.com
const api = await auth.api(); // stands in for https://api.example.com
const tokenManager = new TokenManager(
  new ClientCredentialsTokenProvider({
    tokenUrl: `${auth.url}/oauth/token`,
    clientId: 'your-client-id',
    clientSecret: 'your-client-secret',
    serviceName: 'example-api',
  }),
);

const config = new HttpClientConfigBuilder()
  .withBaseUrl(api.url)
  .withTokenAuth(tokenManager, {
    excludedPaths: new Set(['/health', '/status', '/public/docs']),
  })
  .build();

// With glob patterns (`*` also crosses "/"):
const builder = new HttpClientConfigBuilder().withBaseUrl(api.url);
const withPatterns = builder
  .withTokenAuth(tokenManager, {
    excludedPaths: new Set(['/health']),
    excludedPathPatterns: ['/public/*', '/docs/*', '*/health'],
  })
  .build();

const client = new HttpClient(config);
await client.get('/health'); // no token
await client.get('/public/docs'); // no token
await client.get('/orders'); // token

const patterns = new HttpClient(withPatterns);
await patterns.get('/public/a/b'); // no token
await patterns.get('/docs/intro'); // no token
await patterns.get('/public/../orders'); // sent as /orders, with the token
await patterns.get('/orders/../public/x'); // sent as /public/x, without it

await client.close();
await patterns.close();
await Promise.all([api.close(), auth.close()]);
