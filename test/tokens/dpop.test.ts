// DPoP (RFC 9449) end to end: oidc-provider with DPoP on and nonces required; a resource server
// that verifies every proof with jose (signature, htm, htu, ath, iat, jti replay, nonce, jkt).
import { generateKeyPairSync } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  AuthenticationException,
  ClientCredentialsTokenProvider,
  HttpClient,
  HttpClientConfigBuilder,
  RefreshTokenProvider,
  TokenData,
  TokenManager,
} from '../../src/index';
import { DPOP_SECRET, type DpopServers, startDpopServers } from '../support/dpop-servers';

let servers: DpopServers | undefined;
let issuer: DpopServers['issuer'];
let api: DpopServers['api'];

beforeAll(async () => {
  servers = await startDpopServers();
  ({ issuer, api } = servers);
});
afterAll(async () => {
  await servers?.close();
});
beforeEach(() => {
  api.proofs.length = 0;
  api.unproven.length = 0;
  issuer.tokenRequests.length = 0;
});

function provider(dpop: ConstructorParameters<typeof ClientCredentialsTokenProvider>[0]['dpop'] = true) {
  return new ClientCredentialsTokenProvider({
    tokenUrl: issuer.tokenUrl,
    clientId: 'svc-dpop',
    clientSecret: DPOP_SECRET,
    serviceName: 'dpop-api',
    scope: 'api:read',
    dpop,
  });
}

function client(manager: TokenManager, retry = false) {
  let builder = new HttpClientConfigBuilder().withBaseUrl(api.origin).withTokenAuth(manager);
  if (retry) builder = builder.withRetry({ maxRetries: 2, baseDelayMs: 1, maxDelayMs: 5 });
  return new HttpClient(builder.build());
}

/** Every proof the API saw verified, and no jti came twice. */
function expectAllProofsValid() {
  expect(api.proofs.flatMap((proof) => proof.problems)).toEqual([]);
  const jtis = api.proofs.map((proof) => proof.jti);
  expect(new Set(jtis).size).toBe(jtis.length);
  expect(api.unproven).toEqual([]);
}

describe('DPoP against oidc-provider (nonces required) and a verifying API', () => {
  it('client credentials: a proof per token attempt, nonce retry, a token_type DPoP token bound to the key', async () => {
    const manager = new TokenManager(provider());
    const token = await manager.getToken();
    expect(token.tokenType).toBe('DPoP');
    // The first proof had no nonce: oidc-provider answered 400 use_dpop_nonce; one retry with it.
    expect(issuer.tokenRequests).toHaveLength(2);
    const [first, second] = issuer.tokenRequests.map((request) => decodeJwt(request.dpop!));
    expect(first!.nonce).toBeUndefined();
    expect(second!.nonce).toEqual(expect.any(String));
    expect(first!.jti).not.toBe(second!.jti);
    expect(second).toMatchObject({ htm: 'POST', htu: issuer.tokenUrl });
    expect(decodeProtectedHeader(issuer.tokenRequests[1]!.dpop!)).toMatchObject({
      typ: 'dpop+jwt',
      alg: 'ES256',
    });
    const cnf = decodeJwt(token.accessToken).cnf as { jkt: string };
    expect(cnf.jkt).toEqual(expect.any(String));
    await manager.close();
  });

  it('resource requests: Authorization DPoP, a fresh proof per send, the 401 nonce challenge retried once without a refresh', async () => {
    api.rotateNonce();
    const manager = new TokenManager(provider());
    const http = client(manager);
    const first = await http.get('/data?page=1');
    expect(first.statusCode).toBe(200);
    // 401 use_dpop_nonce, then the same token with a proof carrying the API's nonce.
    expect(api.proofs).toHaveLength(2);
    expect(api.proofs[0]!.nonce).toBeUndefined();
    expect(api.proofs[1]!.nonce).toEqual(expect.any(String));
    expect(manager.stats.refreshes).toBe(0);
    expect(manager.stats.fetches).toBe(1);
    for (let i = 0; i < 3; i++) expect((await http.get('/data')).statusCode).toBe(200);
    expect(api.proofs).toHaveLength(5);
    expect(api.proofs[0]!.htu).toBe(`${api.origin}/data`);
    expectAllProofsValid();
    await http.close();
  });

  it('a redirect to the same origin gets a new proof for the new URL; a retry after 503 gets a new proof', async () => {
    const manager = new TokenManager(provider());
    const http = client(manager, true);
    expect((await http.get('/moved')).statusCode).toBe(200);
    const hops = api.proofs.filter((proof) => proof.problems.length === 0).map((proof) => proof.htu);
    expect(hops).toContain(`${api.origin}/moved`);
    expect(hops.at(-1)).toBe(`${api.origin}/data`);
    api.proofs.length = 0;
    expect((await http.get('/flaky')).statusCode).toBe(200);
    expect(api.proofs.map((proof) => proof.path)).toEqual(['/flaky', '/flaky']);
    expectAllProofsValid();
    await http.close();
  });

  it('refresh: the refresh_token grant carries a proof too, and the new token verifies', async () => {
    const refreshToken = await issuer.refreshTokenFor('svc-dpop');
    const refresher = new RefreshTokenProvider({
      tokenUrl: issuer.tokenUrl,
      clientId: 'svc-dpop',
      clientSecret: DPOP_SECRET,
      serviceName: 'dpop-refresh',
      refreshToken,
      dpop: true,
    });
    const manager = new TokenManager(refresher);
    const http = client(manager);
    expect((await http.get('/data')).statusCode).toBe(200);
    await manager.forceRefresh();
    expect((await http.get('/data')).statusCode).toBe(200);
    const grants = issuer.tokenRequests.map((request) => request.grant);
    expect(grants.every((grant) => grant === 'refresh_token')).toBe(true);
    expect(issuer.tokenRequests.every((request) => request.dpop !== undefined)).toBe(true);
    expectAllProofsValid();
    await http.close();
  });

  it('a configured key (EdDSA, PS256): tokens bound to its thumbprint', async () => {
    for (const [alg, key] of [
      ['EdDSA', generateKeyPairSync('ed25519').privateKey],
      ['PS256', generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey],
    ] as const) {
      const manager = new TokenManager(provider({ privateKey: key, alg }));
      const http = client(manager);
      expect((await http.get('/data')).statusCode).toBe(200);
      expect(decodeProtectedHeader(issuer.tokenRequests.at(-1)!.dpop!).alg).toBe(alg);
      await http.close();
    }
    expectAllProofsValid();
  });

  it('without dpop, nothing changes: Bearer, no proof', async () => {
    const manager = new TokenManager(provider(false));
    const token = await manager.getToken();
    expect(token.tokenType).toBe('Bearer');
    expect(issuer.tokenRequests.every((request) => request.dpop === undefined)).toBe(true);
    await manager.close();
  });

  it('a DPoP-bound token from a provider without dpop is a clear error, not a proofless send', async () => {
    // A hand-written provider whose server binds tokens anyway: there is no key to sign with.
    const bound = {
      serviceName: 'bound-elsewhere',
      fetchToken: async () =>
        new TokenData({
          accessToken: 'bound-token',
          tokenType: 'DPoP',
          expiresAt: new Date(Date.now() + 300_000),
        }),
      refreshToken: async () =>
        new TokenData({
          accessToken: 'bound-token',
          tokenType: 'DPoP',
          expiresAt: new Date(Date.now() + 300_000),
        }),
    };
    const manager = new TokenManager(bound);
    const client = new HttpClient(
      new HttpClientConfigBuilder().withBaseUrl(api.origin).withTokenAuth(manager).build(),
    );
    const error = await client.get('/data').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthenticationException);
    expect((error as AuthenticationException).message).toMatch(
      /bound-elsewhere .*DPoP-bound.*no dpop option/,
    );
    expect(api.unproven).toEqual([]);
    expect(api.proofs).toEqual([]);
    await client.close();
    await manager.close();
  });

  it('a Bearer answer to a DPoP request is refused unless requireBoundToken is false', async () => {
    // oidc-provider binds every token it gets a proof for; a stand-in answers Bearer.
    const { startServer } = await import('../support/loopback-server');
    const bearer = await startServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ access_token: 'plain', token_type: 'Bearer', expires_in: 60 }));
    });
    const make = (requireBoundToken?: boolean) =>
      new ClientCredentialsTokenProvider({
        tokenUrl: `${bearer.url}/token`,
        clientId: 'c',
        clientSecret: 's',
        serviceName: 'bearer-answer',
        dpop: requireBoundToken === undefined ? true : { requireBoundToken },
      });
    await expect(make().fetchToken()).rejects.toThrow(AuthenticationException);
    await expect(make().fetchToken()).rejects.toThrow(/token_type "Bearer"/);
    expect((await make(false).fetchToken()).tokenType).toBe('Bearer');
    await bearer.close();
  });

  it('exactly one nonce retry: a token endpoint and an API that keep asking for a nonce', async () => {
    const { startServer } = await import('../support/loopback-server');
    let nonces = 0;
    const stubborn = await startServer((request, response) => {
      const nonce = `n-${++nonces}`;
      if (request.url === '/token') {
        response.writeHead(400, { 'content-type': 'application/json', 'dpop-nonce': nonce });
        response.end(JSON.stringify({ error: 'use_dpop_nonce' }));
      } else {
        response.writeHead(401, { 'www-authenticate': 'DPoP error="use_dpop_nonce"', 'dpop-nonce': nonce });
        response.end();
      }
    });
    const tokenSide = new ClientCredentialsTokenProvider({
      tokenUrl: `${stubborn.url}/token`,
      clientId: 'c',
      clientSecret: 's',
      serviceName: 'stubborn',
      dpop: true,
    });
    const error = (await tokenSide.fetchToken().catch((e: unknown) => e)) as AuthenticationException;
    expect(error).toBeInstanceOf(AuthenticationException);
    expect(error.error).toBe('use_dpop_nonce');
    expect(error.attempts).toBe(2);
    expect(stubborn.requests).toHaveLength(2);
    expect(decodeJwt(String(stubborn.requests[1]!.headers.dpop)).nonce).toBe('n-1');
    // The API side: a token from oidc-provider, an API that always wants another nonce.
    const manager = new TokenManager(provider());
    await manager.getToken();
    const http = new HttpClient(
      new HttpClientConfigBuilder().withBaseUrl(stubborn.url).withTokenAuth(manager).build(),
    );
    stubborn.requests.length = 0;
    const response = await http.get('/data');
    expect(response.statusCode).toBe(401);
    expect(stubborn.requests).toHaveLength(2);
    expect(decodeJwt(String(stubborn.requests[1]!.headers.dpop)).nonce).toBe('n-3');
    expect(manager.stats.refreshes).toBe(0);
    await http.close();
    await stubborn.close();
  });

  it('no proof to an origin that gets no credentials: another origin, and a redirect that leaves', async () => {
    const { startServer } = await import('../support/loopback-server');
    const other = await startServer();
    const leaving = await startServer((_request, response) => {
      response.writeHead(307, { location: `${other.url}/elsewhere` });
      response.end();
    });
    const manager = new TokenManager(provider());
    const http = new HttpClient(
      new HttpClientConfigBuilder().withBaseUrl(leaving.url).withTokenAuth(manager).build(),
    );
    expect((await http.get(`${other.url}/direct`)).statusCode).toBe(200);
    expect((await http.get('/go')).statusCode).toBe(200);
    expect(leaving.requests[0]!.headers.dpop).toEqual(expect.any(String));
    expect(leaving.requests[0]!.headers.authorization).toMatch(/^DPoP /);
    expect(other.requests.map((request) => request.url)).toEqual(['/direct', '/elsewhere']);
    for (const request of other.requests) {
      expect(request.headers.dpop).toBeUndefined();
      expect(request.headers.authorization).toBeUndefined();
    }
    await http.close();
    await other.close();
    await leaving.close();
  });
});
