// Guide: Authentication Methods › Basic Authentication.
import { HttpClient, HttpClientConfigBuilder } from 'requestforge';
import { exampleApi } from './support/stand-ins';

const api = await exampleApi(); // stands in for https://api.example.com

const config = new HttpClientConfigBuilder().withBaseUrl(api.url).withBasicAuth('user', 'pass').build();

// Authorization: Basic dXNlcjpwYXNz (base64 encoded)
const client = new HttpClient(config);
await client.get('/me');

await client.close();
await api.close();
