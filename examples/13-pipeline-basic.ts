// Guide: Multi-Step Authentication › Basic Pipeline — an app token, then a user token that needs it.
import {
  BodyTokenFetcher,
  HttpClient,
  HttpClientConfigBuilder,
  InMemoryTokenStorage,
  PipelineTokenProvider,
  TokenFetchPipeline,
  TokenManager,
} from 'requestforge';
import { examplePipelineAuth } from './support/pipeline-stand-ins';

const auth = await examplePipelineAuth(); // stands in for https://auth.example.com
const api = await auth.api(); // stands in for https://api.example.com

// Step 1: Application Token
const appTokenFetcher = new BodyTokenFetcher({
  name: 'app_token',
  baseUrl: auth.url,
  endpoint: '/v1/app/token',
  method: 'POST',
  requestData: {
    grant_type: 'client_credentials',
    client_id: 'app-id',
    client_secret: 'app-secret',
  },
  tokenField: 'access_token',
  expiresInField: 'expires_in',
  ttlMs: 60 * 60_000, // Cache for 1 hour
});

// Step 2: User Access Token (depends on app_token)
const userTokenFetcher = new BodyTokenFetcher({
  name: 'user_token',
  baseUrl: auth.url,
  endpoint: '/v1/user/token',
  method: 'POST',
  // The app token from step 1, taken from the run's context (14-pipeline-advanced.ts subclasses instead)
  requestHeaders: (context) => ({ 'X-App-Token': context.getTokenValue('app_token')! }),
  requestData: {
    username: 'user@example.com',
    password: 'password123',
  },
  tokenField: 'access_token',
  ttlMs: 30 * 60_000,
  dependsOn: ['app_token'], // Requires app_token first
});

// Create pipeline
const storage = new InMemoryTokenStorage();
const pipeline = new TokenFetchPipeline({
  steps: [appTokenFetcher, userTokenFetcher],
  storage,
  cacheKeyPrefix: 'myapp',
});

// Wrap in provider
const provider = new PipelineTokenProvider(pipeline, { serviceName: 'myapp' });

// Use with TokenManager
const tokenManager = new TokenManager(provider);

// Configure client
const config = new HttpClientConfigBuilder().withBaseUrl(api.url).withTokenAuth(tokenManager).build();

const client = new HttpClient(config);

// Pipeline automatically:
// 1. Fetches app_token
// 2. Uses app_token to fetch user_token
// 3. Injects user_token into requests
const response = await client.get('/user/profile');
console.log(`status ${response.statusCode}; steps: ${pipeline.stepNames.join(' → ')}`);

// Each step is cached independently with its own TTL: the next request asks the auth server nothing
await client.get('/user/profile');
console.log(`token requests: ${JSON.stringify(auth.requests)}`);
// Each step's key is <cacheKeyPrefix>:<step>:<hash of the step's identity and its dependencies'>
const [appKey, userKey] = [pipeline.cacheKey('app_token'), pipeline.cacheKey('user_token')];
const cached = (await storage.exists(appKey)) && (await storage.exists(userKey));
console.log(`cached under ${appKey} and ${userKey}: ${cached}`);

await client.close();
await provider.close();
await Promise.all([api.close(), auth.close()]);
