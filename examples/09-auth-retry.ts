// Guide: Authentication Retry — simple retry, exponential backoff, and custom retry logic after a 401.
import {
  ClientCredentialsTokenProvider,
  ConditionalAuthRetryStrategy,
  ExponentialAuthRetryStrategy,
  HttpClient,
  HttpClientConfigBuilder,
  type HttpResponse,
  SimpleAuthRetryStrategy,
  TokenManager,
} from 'requestforge';
import { exampleAuth } from './support/stand-ins';

const auth = await exampleAuth(); // stands in for https://auth.example.com
const api = await auth.api(); // answers 401 {"error":"token_expired"} for revoked tokens
const provider = new ClientCredentialsTokenProvider({
  tokenUrl: `${auth.url}/oauth/token`,
  clientId: 'your-client-id',
  clientSecret: 'your-client-secret',
  serviceName: 'example-api',
});
const tokenManager = new TokenManager(provider);
const builder = new HttpClientConfigBuilder().withBaseUrl(api.url);

// Simple Retry
const simple = new HttpClient(
  new HttpClientConfigBuilder()
    .withBaseUrl(api.url)
    .withTokenAuth(tokenManager, {
      authRetryStrategy: new SimpleAuthRetryStrategy({
        maxRetries: 1, // Retry once
        delayMs: 500, // Wait 500ms before retry
      }),
    })
    .build(),
);

// Exponential Backoff
const authRetry = new ExponentialAuthRetryStrategy({
  maxRetries: 3,
  baseDelayMs: 500,
  maxDelayMs: 5000,
  multiplier: 2,
  jitter: true,
});
const exponential = new HttpClient(
  builder.withTokenAuth(tokenManager, { authRetryStrategy: authRetry }).build(),
);

// Custom Retry Logic: only retry if the error is "token_expired"
function shouldRetry(response: HttpResponse): boolean {
  if (response.statusCode === 401) {
    const data = response.jsonOrNull<{ error?: string }>();
    return data?.error === 'token_expired';
  }
  return false;
}
const conditional = new HttpClient(
  new HttpClientConfigBuilder()
    .withBaseUrl(api.url)
    .withTokenAuth(tokenManager, {
      authRetryStrategy: new ConditionalAuthRetryStrategy({ maxRetries: 2, shouldRetry }),
    })
    .build(),
);

for (const [name, client] of [
  ['simple', simple],
  ['exponential', exponential],
  ['conditional', conditional],
] as const) {
  await client.get('/warm-up');
  auth.revokeAll(); // the token in use is now rejected with 401 {"error":"token_expired"}
  const response = await client.get(`/${name}`);
  console.log(`${name}: ${response.statusCode}`);
  await client.close();
}

await provider.close();
await Promise.all([api.close(), auth.close()]);
