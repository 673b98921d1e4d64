// Guide: Complete Examples › OAuth2 with Django — one configured client for a whole service.
// settings.ts builds the client config once (provider from the environment, a shared token
// cache, token auth, retries, logging); views use it.
import Keyv from 'keyv';
import {
  ClientCredentialsTokenProvider,
  HttpClient,
  HttpClientConfigBuilder,
  TokenManager,
} from 'requestforge';
import { KeyvTokenStorage } from 'requestforge/keyv';
import { exampleAuth } from './support/stand-ins';

const auth = await exampleAuth(); // stands in for https://auth.example.com
const api = await auth.api(); // stands in for https://api.example.com

// --- settings.ts -------------------------------------------------------------------------------
// Token provider
const oauthProvider = new ClientCredentialsTokenProvider({
  tokenUrl: `${auth.url}/oauth/token`,
  clientId: process.env.OAUTH_CLIENT_ID ?? 'your-client-id',
  clientSecret: process.env.OAUTH_CLIENT_SECRET ?? 'your-client-secret',
  serviceName: 'api-service',
});

// Token manager with a shared cache (Keyv over Redis in production)
const tokenManager = new TokenManager(oauthProvider, new KeyvTokenStorage({ keyv: new Keyv() }));

// HTTP client config
const logLines: string[] = [];
const API_CLIENT_CONFIG = new HttpClientConfigBuilder()
  .withBaseUrl(api.url)
  .withTokenAuth(tokenManager)
  .withRetry({ maxRetries: 3 })
  .withLogging({
    logger: { info: (m) => logLines.push(m), warn: (m) => logLines.push(m), error: (m) => logLines.push(m) },
  })
  .build();

// --- views.ts ----------------------------------------------------------------------------------
const client = new HttpClient(API_CLIENT_CONFIG);
const response = await client.get('/users');
console.log(`GET /users → ${response.statusCode}`);
console.log(`logged:\n  ${logLines.join('\n  ')}`);

await client.close();
await oauthProvider.close();
await Promise.all([api.close(), auth.close()]);
