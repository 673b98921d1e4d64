// DPoP on the last step of a token pipeline. Step 1 is the workload's own identity token, as the
// platform mounts it (a Kubernetes service-account token, say); step 2 presents it as a client
// assertion at a DPoP token endpoint. Only the final step's token reaches the API, so only that
// step has `dpop`: its token request carries a proof, its token comes back bound to the key, and
// the TokenManager proves every API request with the same key.
import {
  BodyTokenFetcher,
  HttpClient,
  HttpClientConfigBuilder,
  PipelineTokenProvider,
  TokenData,
  type TokenFetcher,
  TokenFetchPipeline,
  TokenManager,
} from 'requestforge';
import { dpopStandIns } from './support/dpop-stand-ins';

const servers = await dpopStandIns(); // stand in for https://login.example.com and https://api.example.com
const tokenUrl = new URL(servers.tokenUrl);

const workloadIdentity: TokenFetcher = {
  name: 'workload_identity',
  dependsOn: [],
  ttlMs: 10 * 60_000,
  // In a pod: readFile('/var/run/secrets/tokens/identity', 'utf8').
  fetch: async () => new TokenData({ accessToken: 'workload-identity-jwt', tokenType: '' }),
};

const accessToken = new BodyTokenFetcher({
  name: 'access_token',
  baseUrl: tokenUrl.origin,
  endpoint: tokenUrl.pathname,
  dependsOn: ['workload_identity'],
  requestData: (context) => ({
    grant_type: 'client_credentials',
    client_id: 'orders-job',
    client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
    client_assertion: context.getTokenValue('workload_identity')!,
  }),
  dpop: true, // an ES256 key generated for this step; or { privateKey, alg }
});

const pipeline = new TokenFetchPipeline({ steps: [workloadIdentity, accessToken] });
const manager = new TokenManager(new PipelineTokenProvider(pipeline, { serviceName: 'orders-api' }));
const client = new HttpClient(
  new HttpClientConfigBuilder().withBaseUrl(servers.apiUrl).withTokenAuth(manager).build(),
);

const first = await client.get('/orders?status=open');
const second = await client.get('/orders/7');
for (const line of servers.log) console.log(line);
console.log(
  `GET /orders → ${first.statusCode}, GET /orders/7 → ${second.statusCode}; token type: ${(await manager.getToken()).tokenType}, token requests: ${manager.stats.fetches}`,
);

await client.close();
await servers.close();
