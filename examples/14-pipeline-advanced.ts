// Guide: Multi-Step Authentication › Advanced Pipeline — a custom fetcher that sends the app token
// in a header, and a 401 that renews only the user token.
import {
  BodyTokenFetcher,
  type FetchContext,
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

/** Custom fetcher that uses the app token in headers. */
class UserTokenFetcher extends BodyTokenFetcher {
  protected override buildRequestHeaders(context: FetchContext): Record<string, string> {
    const headers = super.buildRequestHeaders(context);

    // Inject app token from context
    if (context.hasToken('app_token')) {
      headers['X-App-Token'] = context.getTokenValue('app_token')!;
    }

    return headers;
  }
}

const appTokenFetcher = new BodyTokenFetcher({
  name: 'app_token',
  baseUrl: auth.url,
  endpoint: '/v1/app/token',
  requestData: { grant_type: 'client_credentials', client_id: 'app-id', client_secret: 'app-secret' },
  ttlMs: 60 * 60_000,
});

const userTokenFetcher = new UserTokenFetcher({
  name: 'user_token',
  baseUrl: auth.url,
  endpoint: '/v1/user/token',
  requestData: { username: 'user@example.com', password: 'password123' },
  ttlMs: 30 * 60_000,
  dependsOn: ['app_token'],
});

// Steps may be listed in any order: they run in dependency order.
const pipeline = new TokenFetchPipeline({
  steps: [userTokenFetcher, appTokenFetcher],
  storage: new InMemoryTokenStorage(),
  cacheKeyPrefix: 'myapp',
});

// After a 401 only user_token (and what depends on it) is fetched again; app_token stays cached.
const provider = new PipelineTokenProvider(pipeline, { serviceName: 'myapp', refreshFromStep: 'user_token' });
const tokenManager = new TokenManager(provider);
const client = new HttpClient(
  new HttpClientConfigBuilder().withBaseUrl(api.url).withTokenAuth(tokenManager).build(),
);

const response = await client.get('/user/profile');
console.log(`status ${response.statusCode}; steps: ${pipeline.stepNames.join(' → ')}`);

// The user token is revoked on the server: the API answers 401, the client renews and replays
auth.revokeUserTokens();
const replayed = await client.get('/user/profile');
console.log(`after revocation: ${replayed.statusCode}; token requests: ${JSON.stringify(auth.requests)}`);

await client.close();
await provider.close();
await Promise.all([api.close(), auth.close()]);
