// Before: axios + axios-auth-refresh. The token lives in a variable; a 401 refreshes it and retries.
import axios from 'axios';
import createAuthRefreshInterceptor from 'axios-auth-refresh';
import { exampleAuth } from '../support/stand-ins';

const auth = await exampleAuth(); // stands in for https://auth.example.com
const ordersApi = await auth.api(); // stands in for https://api.example.com

let accessToken: string | undefined;
async function fetchToken(): Promise<string> {
  const form = new URLSearchParams({
    grant_type: 'client_credentials',
    client_id: 'your-client-id',
    client_secret: 'your-client-secret',
  });
  const { data } = await axios.post<{ access_token: string }>(`${auth.url}/oauth/token`, form);
  return data.access_token;
}

const api = axios.create({ baseURL: ordersApi.url });
api.interceptors.request.use(async (config) => {
  accessToken ??= await fetchToken(); // concurrent first requests each fetch a token
  config.headers.Authorization = `Bearer ${accessToken}`;
  return config;
});
createAuthRefreshInterceptor(api, async (failed) => {
  accessToken = await fetchToken();
  failed.response.config.headers.Authorization = `Bearer ${accessToken}`;
});

console.log(`first: ${(await api.get('/orders')).status}`);
auth.revokeAll(); // the API now rejects the token with 401
console.log(`after revocation: ${(await api.get('/orders')).status}`);
console.log(`token requests: ${JSON.stringify(auth.grants)}`);
await Promise.all([ordersApi.close(), auth.close()]);
