// Before: openid-client 6. It obtains tokens; caching, expiry, the 401 renewal and the HTTP
// calls to the API are yours.
import * as client from 'openid-client';
import { exampleAuth } from '../support/stand-ins';

const auth = await exampleAuth(); // stands in for https://auth.example.com
const ordersApi = await auth.api(); // stands in for https://api.example.com

// With a real issuer: `await client.discovery(new URL('https://auth.example.com'), clientId, clientSecret)`.
const config = new client.Configuration(
  { issuer: auth.url, token_endpoint: `${auth.url}/oauth/token` },
  'your-client-id',
  'your-client-secret',
);
client.allowInsecureRequests(config); // the stand-in speaks plain http

let accessToken: string | undefined;
async function getOrders(): Promise<number> {
  accessToken ??= (await client.clientCredentialsGrant(config)).access_token;
  let response = await client.fetchProtectedResource(
    config,
    accessToken,
    new URL('/orders', ordersApi.url),
    'GET',
  );
  if (response.status === 401) {
    accessToken = (await client.clientCredentialsGrant(config)).access_token;
    response = await client.fetchProtectedResource(
      config,
      accessToken,
      new URL('/orders', ordersApi.url),
      'GET',
    );
  }
  return response.status;
}

console.log(`first: ${await getOrders()}`);
auth.revokeAll(); // the API now rejects the token with 401
console.log(`after revocation: ${await getOrders()}`);
console.log(`token requests: ${JSON.stringify(auth.grants)}`);
await Promise.all([ordersApi.close(), auth.close()]);
