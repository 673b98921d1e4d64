// Client authentication without a shared secret: private_key_jwt (RFC 7523 §2.2). The client
// signs a short-lived assertion with its private key for every token request; the server
// verifies it with the public key it registered. A key it does not know is invalid_client.
import { generateKeyPairSync } from 'node:crypto';
import { AuthenticationException, ClientCredentialsTokenProvider, TokenManager } from 'requestforge';
import { identityProvider } from './support/identity-provider';

// The key pair: the private key stays with the service, the public key is registered at the IdP.
const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const idp = await identityProvider({ clients: { 'orders-job': { publicKey } } }); // stands in for https://login.example.com

const provider = new ClientCredentialsTokenProvider({
  tokenUrl: `${idp.issuer}/token`,
  clientId: 'orders-job',
  privateKey, // a KeyObject, a PEM string or a private JWK; authMethod defaults to 'private_key_jwt'
  keyId: 'orders-job-2026', // the kid header (optional)
  serviceName: 'orders-api',
});
const manager = new TokenManager(provider);

console.log(`authMethod: ${provider.authMethod}`);
const first = await manager.getToken();
const second = await manager.forceRefresh(); // a new token request: a new assertion, a new jti
console.log(`two tokens: ${first.accessToken !== second.accessToken}`);

// Another key (a leaked configuration, a rotated key not yet registered) is refused.
const stranger = new ClientCredentialsTokenProvider({
  tokenUrl: `${idp.issuer}/token`,
  clientId: 'orders-job',
  privateKey: generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey,
  serviceName: 'orders-api',
  maxRetries: 0,
});
const error = await stranger.fetchToken().catch((e: unknown) => e);
if (error instanceof AuthenticationException)
  console.log(`an unregistered key: ${error.error}, retryable: ${error.retryable}`);

await manager.close();
await stranger.close();
await idp.close();
