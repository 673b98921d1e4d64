// Guide: Token Providers › Client Credentials Flow — credentials in the form body, or in the Authorization header.
import { ClientCredentialsTokenProvider } from 'requestforge';
import { exampleAuth } from './support/stand-ins';

const auth = await exampleAuth(); // stands in for https://auth.example.com

const provider = new ClientCredentialsTokenProvider({
  tokenUrl: `${auth.url}/oauth/token`,
  clientId: 'your-client-id',
  clientSecret: 'your-client-secret',
  serviceName: 'my-api',
  scope: 'read write delete', // Optional
  grantType: 'client_credentials', // Default
  authMethod: 'body', // or 'header'
});

// With header authentication (HTTP Basic, id and secret form-urlencoded per RFC 6749 §2.3.1):
const headerProvider = new ClientCredentialsTokenProvider({
  tokenUrl: `${auth.url}/oauth/token`,
  clientId: 'your-client-id',
  clientSecret: 'your-client-secret',
  serviceName: 'my-api',
  authMethod: 'header', // Sends credentials in Authorization header
});

const token = await provider.fetchToken();
const viaHeader = await headerProvider.fetchToken();
console.log(`body: ${token}`);
console.log(`header: ${viaHeader}`);

await provider.close();
await headerProvider.close();
await auth.close();
