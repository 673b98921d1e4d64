// Client credentials against oidc-provider, a certified OpenID Provider: both client
// authentication methods, and a client secret that needs form-urlencoding in the Basic header.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthenticationException, ClientCredentialsTokenProvider, TokenManager } from '../../src/index';

// Every VSCHAR that form-urlencoding changes (RFC 6749 Appendix A.2 allows only %x20-7E).
const SPECIAL_SECRET = 'p@ss:w+rd/ &%=?#~';
let server: http.Server;
let issuer: string;

beforeAll(async () => {
  const { default: Provider } = await import('oidc-provider');
  server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: 'svc-basic',
        client_secret: SPECIAL_SECRET,
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
        token_endpoint_auth_method: 'client_secret_basic',
        scope: 'api:read',
      },
      {
        client_id: 'svc-post',
        client_secret: 'secret-post',
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
        token_endpoint_auth_method: 'client_secret_post',
      },
    ],
    scopes: ['api:read'],
    features: { clientCredentials: { enabled: true }, devInteractions: { enabled: false } },
    ttl: { ClientCredentials: 300 },
  });
  server.on('request', provider.callback());
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('oidc-provider client credentials', () => {
  it('client_secret_basic with a secret that must be form-urlencoded (RFC 6749 §2.3.1)', async () => {
    const provider = new ClientCredentialsTokenProvider({
      tokenUrl: `${issuer}/token`,
      clientId: 'svc-basic',
      clientSecret: SPECIAL_SECRET,
      serviceName: 'oidc-basic',
      authMethod: 'header',
      scope: 'api:read',
    });
    const token = await new TokenManager(provider).getToken();
    expect(token.tokenType).toBe('Bearer');
    expect(token.scope).toBe('api:read');
    expect(token.lifetimeMs).toBeGreaterThan(290_000);
    await provider.close();
  });

  it('client_secret_post', async () => {
    const provider = new ClientCredentialsTokenProvider({
      tokenUrl: `${issuer}/token`,
      clientId: 'svc-post',
      clientSecret: 'secret-post',
      serviceName: 'oidc-post',
    });
    expect((await provider.fetchToken()).accessToken.length).toBeGreaterThan(10);
    await provider.close();
  });

  it('a wrong secret → AuthenticationException invalid_client', async () => {
    const provider = new ClientCredentialsTokenProvider({
      tokenUrl: `${issuer}/token`,
      clientId: 'svc-post',
      clientSecret: 'wrong-secret-xyz',
      serviceName: 'oidc-post',
    });
    const error = await provider.fetchToken().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthenticationException);
    expect((error as AuthenticationException).error).toBe('invalid_client');
    expect((error as AuthenticationException).statusCode).toBe(401);
    expect(JSON.stringify(error)).not.toContain('wrong-secret-xyz');
    await provider.close();
  });
});
