// Guide: Best Practices — reuse one TokenManager, and handle authentication errors.
import {
  AuthenticationException,
  ClientCredentialsTokenProvider,
  HttpClient,
  HttpClientConfigBuilder,
  TokenManager,
} from 'requestforge';
import { exampleAuth } from './support/stand-ins';

const auth = await exampleAuth(); // stands in for https://auth.example.com
const api = await auth.api(); // stands in for https://api.example.com

// 1. Reuse TokenManager — Good ✅: one TokenManager shared by every request
const tokenManager = new TokenManager(
  new ClientCredentialsTokenProvider({
    tokenUrl: `${auth.url}/oauth/token`,
    clientId: 'your-client-id',
    clientSecret: 'your-client-secret',
    serviceName: 'example-api',
  }),
);
const client = new HttpClient(
  new HttpClientConfigBuilder().withBaseUrl(api.url).withTokenAuth(tokenManager).build(),
);
await client.get('/resource1');
await client.get('/resource2');
console.log(`one token for both requests: ${tokenManager.stats.fetches === 1}`);

// 4. Handle Auth Errors — the AuthenticationException itself reaches you, never wrapped.
const misconfigured = new HttpClient(
  new HttpClientConfigBuilder()
    .withBaseUrl(api.url)
    .withTokenAuth(
      new TokenManager(
        new ClientCredentialsTokenProvider({
          tokenUrl: `${auth.url}/oauth/token`,
          clientId: 'your-client-id',
          clientSecret: 'a-wrong-secret',
          serviceName: 'example-api',
        }),
      ),
    )
    .build(),
);
try {
  await misconfigured.get('/protected');
} catch (e) {
  if (e instanceof AuthenticationException) {
    console.log(`Auth failed: ${e.serviceName} (${e.error})`);
  }
}

await client.close();
await misconfigured.close();
await Promise.all([api.close(), auth.close()]);
