// Before: ky 1. A beforeRequest hook sets the token; an afterResponse hook refreshes it on 401
// and sends the request again by hand.
import ky from 'ky';
import { exampleAuth } from '../support/stand-ins';

const auth = await exampleAuth(); // stands in for https://auth.example.com
const ordersApi = await auth.api(); // stands in for https://api.example.com

let accessToken: string | undefined;
async function fetchToken(): Promise<string> {
  const body = await ky
    .post(`${auth.url}/oauth/token`, {
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: 'your-client-id',
        client_secret: 'your-client-secret',
      }),
    })
    .json<{ access_token: string }>();
  return body.access_token;
}

const api = ky.create({
  prefixUrl: ordersApi.url,
  throwHttpErrors: false,
  hooks: {
    beforeRequest: [
      async (request) => {
        accessToken ??= await fetchToken();
        request.headers.set('authorization', `Bearer ${accessToken}`);
      },
    ],
    afterResponse: [
      async (request, _options, response) => {
        if (response.status !== 401) return response;
        accessToken = await fetchToken();
        request.headers.set('authorization', `Bearer ${accessToken}`);
        return ky(request);
      },
    ],
  },
});

console.log(`first: ${(await api.get('orders')).status}`);
auth.revokeAll(); // the API now rejects the token with 401
console.log(`after revocation: ${(await api.get('orders')).status}`);
console.log(`token requests: ${JSON.stringify(auth.grants)}`);
await Promise.all([ordersApi.close(), auth.close()]);
