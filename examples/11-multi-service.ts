// Guide: Complete Examples › Multi-Service Authentication — different tokens for different services.
import {
  ClientCredentialsTokenProvider,
  HttpClient,
  HttpClientConfigBuilder,
  TokenManager,
} from 'requestforge';
import { exampleAuth } from './support/stand-ins';

const authA = await exampleAuth({ clients: { 'service-a-client': 'secret-a' } });
const authB = await exampleAuth({ clients: { 'service-b-client': 'secret-b' } });
const serviceA = await authA.api(); // stands in for https://service-a.com
const serviceB = await authB.api(); // stands in for https://service-b.com

// Service A
const serviceAProvider = new ClientCredentialsTokenProvider({
  tokenUrl: `${authA.url}/oauth/token`,
  clientId: 'service-a-client',
  clientSecret: 'secret-a',
  serviceName: 'service-a',
});
const serviceAManager = new TokenManager(serviceAProvider);

// Service B
const serviceBProvider = new ClientCredentialsTokenProvider({
  tokenUrl: `${authB.url}/oauth/token`,
  clientId: 'service-b-client',
  clientSecret: 'secret-b',
  serviceName: 'service-b',
});
const serviceBManager = new TokenManager(serviceBProvider);

// Client for Service A
const clientA = new HttpClient(
  new HttpClientConfigBuilder().withBaseUrl(serviceA.url).withTokenAuth(serviceAManager).build(),
);
// Client for Service B
const clientB = new HttpClient(
  new HttpClientConfigBuilder().withBaseUrl(serviceB.url).withTokenAuth(serviceBManager).build(),
);

const [a, b] = await Promise.all([clientA.get('/orders'), clientB.get('/invoices')]);
console.log(
  `service A: ${a.statusCode}, service B: ${b.statusCode}; each service got its own token: ${serviceAManager.cacheKey} / ${serviceBManager.cacheKey}`,
);

await clientA.close();
await clientB.close();
await Promise.all([serviceA.close(), serviceB.close(), authA.close(), authB.close()]);
