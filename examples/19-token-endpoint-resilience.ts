// Token-endpoint resilience: a 429 Retry-After is honoured (callers are told at once, nobody
// hammers the endpoint), insufficient_scope never costs a token request, and 401 replays follow
// the auth retry strategy even when the token cannot be renewed again so soon.
import diagnosticsChannel from 'node:diagnostics_channel';
import {
  type AuthenticationException,
  CHANNELS,
  ClientCredentialsTokenProvider,
  ExponentialAuthRetryStrategy,
  HttpClient,
  HttpClientConfigBuilder,
  TokenManager,
} from 'requestforge';
import { standIn } from './support/stand-ins';

// auth.example.com: busy at first (429, Retry-After: 1 second), then issues tokens.
let tokenRequests = 0;
const seen = new Set<string>();
const auth = await standIn('auth.example.com', () => {
  tokenRequests++;
  if (tokenRequests === 1) {
    console.log('  [auth.example.com] 429 Retry-After: 1');
    return { status: 429, headers: { 'retry-after': '1' }, json: { error: 'slow_down' } };
  }
  const token = `access-${tokenRequests}`;
  console.log(`  [auth.example.com] issued token #${tokenRequests}`);
  return { json: { access_token: token, token_type: 'Bearer', expires_in: 3600 } };
});
// api.example.com: /admin needs a scope we do not have; other paths reject a token the first time
// they see it, like an API whose token cache learns a new token on its first lookup (lag).
const api = await standIn('api.example.com', (req) => {
  const token = req.headers.authorization?.replace(/^Bearer /, '') ?? '';
  if (req.url === '/admin') {
    console.log('  [api.example.com] GET /admin → 403 insufficient_scope');
    return {
      status: 403,
      headers: { 'www-authenticate': 'Bearer error="insufficient_scope", scope="admin"' },
    };
  }
  const fresh = !seen.has(token);
  seen.add(token);
  console.log(
    `  [api.example.com] ${req.method} ${req.url} → ${fresh ? '401 (token not replicated yet)' : 200}`,
  );
  return fresh
    ? { status: 401, headers: { 'www-authenticate': 'Bearer error="invalid_token"' } }
    : { json: {} };
});

const provider = new ClientCredentialsTokenProvider({
  tokenUrl: `${auth.url}/oauth/token`,
  clientId: 'your-client-id',
  clientSecret: 'your-client-secret',
  serviceName: 'example-api',
});
const tokenManager = new TokenManager(provider);

// 1. Throttled: 100 concurrent callers cause one token request and all learn how long to wait.
const results = await Promise.allSettled(Array.from({ length: 100 }, () => tokenManager.getToken()));
const error = (results[0] as PromiseRejectedResult).reason as AuthenticationException;
console.log(
  `100 callers → ${tokenRequests} token request; ${error.code}, retry after ${error.retryAfterMs} ms`,
);
const again = (await tokenManager.getToken().catch((e: unknown) => e)) as AuthenticationException;
console.log(
  `a caller during the wait is refused at once: ${again.code}; token requests still ${tokenRequests}`,
);
await new Promise((resolve) => setTimeout(resolve, 1_050)); // Retry-After: 1 second

// 2. and 3. Through a client: replays up to maxRetries, with delays 200, 400, 800 ms.
const client = new HttpClient(
  new HttpClientConfigBuilder()
    .withBaseUrl(api.url)
    .withTokenAuth(tokenManager, {
      authRetryStrategy: new ExponentialAuthRetryStrategy({
        maxRetries: 3,
        baseDelayMs: 200,
        jitter: false,
        authErrorCodes: [401, 403],
      }),
    })
    .build(),
);
diagnosticsChannel.subscribe(CHANNELS.authReplay, (message) => {
  const { replay, delayMs, credentialsChanged } = message as Record<string, unknown>;
  console.log(
    `  replay ${replay} after ${delayMs} ms, ${credentialsChanged ? 'with a new token' : 'with the same token'}`,
  );
});
const orders = await client.get('/orders');
console.log(`GET /orders → ${orders.statusCode} with ${tokenRequests - 1} token requests after the throttle`);
const before = tokenRequests;
const adminPage = await client.get('/admin');
const [challenge] = adminPage.challenges();
console.log(
  `GET /admin → ${adminPage.statusCode} ${challenge?.params.error} (scope ${challenge?.params.scope}); token requests: +${tokenRequests - before}`,
);

await client.close();
await provider.close();
await Promise.all([api.close(), auth.close()]);
