// Guide: Authentication Methods › API Key Authentication — API key in a custom header, and the default header name.
import { HttpClient, HttpClientConfigBuilder } from 'requestforge';
import { exampleApi } from './support/stand-ins';

const api = await exampleApi(); // stands in for https://api.example.com

const config = new HttpClientConfigBuilder()
  .withBaseUrl(api.url)
  .withApiKey('your-api-key', { headerName: 'X-API-Key' })
  .build();

const client = new HttpClient(config);
// All requests include: X-API-Key: your-api-key
await client.get('/items');

// Using the default header name (X-API-Key):
const builder = new HttpClientConfigBuilder().withBaseUrl(api.url);
const defaultConfig = builder.withApiKey('your-api-key').build();
const defaultClient = new HttpClient(defaultConfig);
await defaultClient.get('/items');

await client.close();
await defaultClient.close();
await api.close();
