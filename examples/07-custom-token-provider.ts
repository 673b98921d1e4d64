// Guide: Token Providers › Custom Token Provider — implement TokenProvider for custom logic.
import {
  HttpClient,
  HttpClientConfigBuilder,
  TokenData,
  TokenManager,
  type TokenProvider,
} from 'requestforge';
import { exampleApi, standIn } from './support/stand-ins';

// A stand-in for a custom auth endpoint: POST /auth with an API key returns { token, expires_in }.
const authApi = await standIn('custom-auth', (req) => {
  console.log(
    `  [custom-auth] ${req.method} ${req.url} X-API-Key=${req.headers['x-api-key'] ? 'present' : 'missing'}`,
  );
  return { json: { token: `custom-${Date.now()}`, expires_in: 3600 } };
});
const api = await exampleApi();

class CustomTokenProvider implements TokenProvider {
  readonly #client: HttpClient;

  constructor(
    apiUrl: string,
    private readonly apiKey: string,
  ) {
    this.#client = new HttpClient(new HttpClientConfigBuilder().withBaseUrl(apiUrl).build());
  }

  get serviceName(): string {
    return 'custom-api';
  }

  async fetchToken(): Promise<TokenData> {
    // Custom logic to fetch token
    const response = await this.#client.post('/auth', { headers: { 'X-API-Key': this.apiKey } });
    const data = response.raiseForStatus().json<{ token: string; expires_in: number }>();
    return new TokenData({
      accessToken: data.token,
      tokenType: 'Bearer',
      expiresAt: new Date(Date.now() + data.expires_in * 1000),
    });
  }

  async refreshToken(_current: TokenData): Promise<TokenData> {
    // Refresh logic
    return this.fetchToken();
  }
}

const manager = new TokenManager(new CustomTokenProvider(authApi.url, 'my-api-key'));
const client = new HttpClient(
  new HttpClientConfigBuilder().withBaseUrl(api.url).withTokenAuth(manager).build(),
);
await client.get('/data');
await client.get('/data');
console.log(`custom provider calls: ${manager.stats.fetches}`);

await client.close();
await Promise.all([api.close(), authApi.close()]);
