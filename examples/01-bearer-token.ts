// Guide: Authentication Methods › Bearer Token — a simple static bearer token.
import { HttpClient, HttpClientConfigBuilder } from 'requestforge';
import { exampleApi } from './support/stand-ins';

const api = await exampleApi(); // stands in for https://api.example.com

const config = new HttpClientConfigBuilder()
  .withBaseUrl(api.url)
  .withBearerToken('your-api-token-here')
  .build();

const client = new HttpClient(config);
const response = await client.get('/protected-resource');

// Authorization header automatically added:
// Authorization: Bearer your-api-token-here
console.log(response.statusCode, response.json());

await client.close();
await api.close();
