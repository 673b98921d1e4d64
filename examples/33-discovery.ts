// Discovery (RFC 8414 / OpenID Connect): give the issuer instead of the token URL. The metadata
// is fetched once for the whole process, whatever the number of providers and callers; its
// issuer must be exactly the configured one; a method the server does not support is refused.
import { generateKeyPairSync } from 'node:crypto';
import { AuthenticationException, ClientCredentialsTokenProvider, TokenManager } from 'requestforge';
import { identityProvider } from './support/identity-provider';

const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const idp = await identityProvider({ clients: { billing: { publicKey }, invoices: { publicKey } } });

const provider = (clientId: string) =>
  new ClientCredentialsTokenProvider({ issuer: idp.issuer, clientId, privateKey, serviceName: clientId });
const billing = new TokenManager(provider('billing'));
const invoices = new TokenManager(provider('invoices'));
await Promise.all(Array.from({ length: 50 }, (_, i) => (i % 2 ? billing : invoices).getToken()));
console.log(`2 providers, 50 callers → metadata fetched ${idp.metadataFetches()} time(s)`);

// A metadata document that names another issuer is refused (mix-up defence).
const impostor = await identityProvider({ clients: {}, metadataIssuer: 'https://login.attacker.example' });
const mixUp = new ClientCredentialsTokenProvider({
  issuer: impostor.issuer,
  clientId: 'billing',
  privateKey,
  serviceName: 'billing',
});
const refused = await mixUp.fetchToken().catch((e: unknown) => e);
if (refused instanceof AuthenticationException) console.log(`mix-up: ${refused.message}`);

// A method the server does not list.
const basic = new ClientCredentialsTokenProvider({
  issuer: idp.issuer,
  clientId: 'billing',
  clientSecret: 'not-listed',
  authMethod: 'client_secret_basic',
  serviceName: 'billing',
});
const unsupported = await basic.fetchToken().catch((e: unknown) => e);
if (unsupported instanceof AuthenticationException) console.log(unsupported.message);

await Promise.all([billing.close(), invoices.close(), mixUp.close(), basic.close()]);
await Promise.all([idp.close(), impostor.close()]);
