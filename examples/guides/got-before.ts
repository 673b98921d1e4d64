// Before: got 14. A beforeRequest hook adds the token; an afterResponse hook refreshes it on 401
// and retries with the merged options.
import got from 'got';
import { exampleAuth } from '../support/stand-ins';

const auth = await exampleAuth(); // stands in for https://auth.example.com
const ordersApi = await auth.api(); // stands in for https://api.example.com

let accessToken: string | undefined;
async function fetchToken(): Promise<string> {
  const body = await got
    .post(`${auth.url}/oauth/token`, {
      form: {
        grant_type: 'client_credentials',
        client_id: 'your-client-id',
        client_secret: 'your-client-secret',
      },
    })
    .json<{ access_token: string }>();
  return body.access_token;
}

const api = got.extend({
  prefixUrl: ordersApi.url,
  retry: { limit: 2 }, // 5xx and network errors
  throwHttpErrors: false,
  hooks: {
    beforeRequest: [
      async (options) => {
        accessToken ??= await fetchToken();
        options.headers.authorization = `Bearer ${accessToken}`;
      },
    ],
    afterResponse: [
      async (response, retryWithMergedOptions) => {
        if (response.statusCode !== 401) return response;
        accessToken = await fetchToken();
        return retryWithMergedOptions({ headers: { authorization: `Bearer ${accessToken}` } });
      },
    ],
  },
});

console.log(`first: ${(await api.get('orders')).statusCode}`);
auth.revokeAll(); // the API now rejects the token with 401
console.log(`after revocation: ${(await api.get('orders')).statusCode}`);
console.log(`token requests: ${JSON.stringify(auth.grants)}`);
await Promise.all([ordersApi.close(), auth.close()]);
