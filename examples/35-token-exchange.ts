// On-behalf-of calls with OAuth 2.0 Token Exchange (RFC 8693): a gateway receives a user's token
// and exchanges it for a token for the orders service. forSubject() keeps one TokenManager per
// user (bounded), so each user's token is exchanged once and never given to another user.
import { generateKeyPairSync } from 'node:crypto';
import { TokenExchangeTokenProvider } from 'requestforge';
import { identityProvider } from './support/identity-provider';

const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const idp = await identityProvider({ clients: { gateway: { publicKey } } });

const exchange = new TokenExchangeTokenProvider({
  issuer: idp.issuer,
  clientId: 'gateway',
  privateKey, // the gateway authenticates with private_key_jwt
  serviceName: 'orders-api',
  audience: 'orders-api',
});

// What a request handler does with the caller's token, one line:
const handle = async (userToken: string) =>
  (await exchange.forSubject(userToken).getToken()).authorizationHeader;

const alice = 'eyJ-alice-access-token';
const bob = 'eyJ-bob-access-token';
const [a1, b1, a2] = await Promise.all([handle(alice), handle(bob), handle(alice)]);
console.log(`alice: ${a1}`);
console.log(`bob:   ${b1}`);
console.log(`alice again, same token: ${a1 === a2}; two users kept apart: ${a1 !== b1}`);

await exchange.close();
await idp.close();
