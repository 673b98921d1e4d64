// Mutual TLS client authentication (RFC 8705): the client proves who it is with its TLS client
// certificate; the form carries only client_id. `tls.ca` trusts the server's private CA.
import { AuthenticationException, ClientCredentialsTokenProvider } from 'requestforge';
import { fixture, identityProvider } from './support/identity-provider';

// An https token endpoint that asks for client certificates and trusts the client CA.
const idp = await identityProvider({
  tls: true,
  clients: { 'ledger-svc': { certificateSubject: 'CN=svc-mtls' } },
});

const provider = new ClientCredentialsTokenProvider({
  tokenUrl: `${idp.issuer}/token`,
  clientId: 'ledger-svc',
  authMethod: 'tls_client_auth', // or 'self_signed_tls_client_auth' for a registered self-signed certificate
  tls: {
    cert: fixture('client.crt'), // issued to CN=svc-mtls by the client CA
    key: fixture('client.key'),
    ca: fixture('ca.crt'), // the server's certificate is from a private CA
  },
  serviceName: 'ledger-api',
});
const token = await provider.fetchToken();
console.log(`token obtained with the client certificate: ${token.accessToken.startsWith('at-')}`);

// A valid certificate for someone else is refused.
const intruder = new ClientCredentialsTokenProvider({
  tokenUrl: `${idp.issuer}/token`,
  clientId: 'ledger-svc',
  authMethod: 'tls_client_auth',
  tls: { cert: fixture('intruder.crt'), key: fixture('intruder.key'), ca: fixture('ca.crt') },
  serviceName: 'ledger-api',
  maxRetries: 0,
});
const error = await intruder.fetchToken().catch((e: unknown) => e);
if (error instanceof AuthenticationException) console.log(`another certificate: ${error.error}`);

await provider.close();
await intruder.close();
await idp.close();
