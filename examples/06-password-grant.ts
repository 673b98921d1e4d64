// Guide: Token Providers › Password Grant Flow — OAuth2 password grant (for user authentication).
import { PasswordGrantTokenProvider, TokenManager } from 'requestforge';
import { exampleAuth } from './support/stand-ins';

const auth = await exampleAuth(); // stands in for https://auth.example.com

const provider = new PasswordGrantTokenProvider({
  tokenUrl: `${auth.url}/oauth/token`,
  clientId: 'your-client-id',
  clientSecret: 'your-client-secret',
  username: 'user@example.com',
  password: 'user-password',
  serviceName: 'my-api',
  scope: 'profile email',
});

const manager = new TokenManager(provider);
const token = await manager.getToken();
console.log(`logged in: ${token}; refresh token issued: ${token.refreshToken !== undefined}`);

// Refresh tokens are used (and rotated) when the token has to be renewed:
const renewed = await manager.forceRefresh();
console.log(
  `renewed with the refresh token: ${renewed.accessToken !== token.accessToken}; grants: ${JSON.stringify(auth.grants)}`,
);

await provider.close();
await auth.close();
