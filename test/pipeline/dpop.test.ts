// DPoP on a token pipeline's final step, end to end: the client secret comes from a loopback
// secret broker (step 1), the token from oidc-provider with DPoP on and nonces required (step 2),
// and a resource server verifies every proof with jose against the token's cnf.jkt.
import { generateKeyPairSync } from 'node:crypto';
import { inspect } from 'node:util';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  AuthenticationException,
  HttpClient,
  HttpClientConfigBuilder,
  InMemoryTokenStorage,
  TokenManager,
  type TokenStorage,
} from '../../src/index';
import {
  BodyTokenFetcher,
  type BodyTokenFetcherOptions,
  PipelineTokenProvider,
  TokenFetchPipeline,
} from '../../src/pipeline/index';
import { DPOP_SECRET, type DpopServers, startDpopServers } from '../support/dpop-servers';
import { type LoopbackServer, startServer } from '../support/loopback-server';

let servers: DpopServers | undefined;
let issuer: DpopServers['issuer'];
let api: DpopServers['api'];
let broker: LoopbackServer;

beforeAll(async () => {
  servers = await startDpopServers();
  ({ issuer, api } = servers);
  // The secret broker hands out the client secret as a token; a /bearer route answers an unbound token.
  broker = await startServer((request, response) => {
    response.writeHead(200, { 'content-type': 'application/json' });
    const bearer = request.url === '/bearer';
    response.end(
      JSON.stringify(
        bearer
          ? { access_token: 'plain-bearer-token', token_type: 'Bearer', expires_in: 300 }
          : { access_token: DPOP_SECRET, expires_in: 300 },
      ),
    );
  });
});
afterAll(async () => {
  await broker?.close();
  await servers?.close();
});
beforeEach(() => {
  api.proofs.length = 0;
  api.unproven.length = 0;
  issuer.tokenRequests.length = 0;
  broker.requests.length = 0;
});

const secretStep = () =>
  new BodyTokenFetcher({ name: 'client_secret', baseUrl: broker.url, endpoint: '/secret' });

function tokenStep(dpop: BodyTokenFetcherOptions['dpop'] = true) {
  const tokenUrl = new URL(issuer.tokenUrl);
  return new BodyTokenFetcher({
    name: 'access_token',
    baseUrl: tokenUrl.origin,
    endpoint: tokenUrl.pathname,
    dependsOn: ['client_secret'],
    requestData: (context) => ({
      grant_type: 'client_credentials',
      client_id: 'svc-dpop',
      client_secret: context.getTokenValue('client_secret')!,
      scope: 'api:read',
    }),
    dpop,
  });
}

function managed(pipeline: TokenFetchPipeline) {
  return new TokenManager(new PipelineTokenProvider(pipeline, { serviceName: 'dpop-pipeline' }));
}

describe('DPoP on the final step of a token pipeline', () => {
  it('proves its token requests (nonce retry), gets a DPoP token, and the API verifies every proof', async () => {
    const manager = managed(new TokenFetchPipeline({ steps: [secretStep(), tokenStep()] }));
    const client = new HttpClient(
      new HttpClientConfigBuilder().withBaseUrl(api.origin).withTokenAuth(manager).build(),
    );
    for (let i = 0; i < 3; i++) expect((await client.get('/data')).statusCode).toBe(200);

    // Step 1 went to the broker without a proof; step 2 proved its key, retried once with the nonce.
    expect(broker.requests).toHaveLength(1);
    expect(broker.requests[0]!.headers.dpop).toBeUndefined();
    expect(issuer.tokenRequests).toHaveLength(2);
    const [first, second] = issuer.tokenRequests.map((request) => decodeJwt(request.dpop!));
    expect(first!.nonce).toBeUndefined();
    expect(second).toMatchObject({ htm: 'POST', htu: issuer.tokenUrl, nonce: expect.any(String) });
    expect((await manager.getToken()).tokenType).toBe('DPoP');

    // Every API request: Authorization: DPoP and a proof of the token's key (cnf.jkt), jti unique.
    const proofs = api.proofs.filter((proof) => proof.path === '/data');
    expect(proofs.length).toBeGreaterThanOrEqual(3);
    expect(api.proofs.flatMap((proof) => proof.problems)).toEqual([]);
    expect(new Set(api.proofs.map((proof) => proof.jti)).size).toBe(api.proofs.length);
    expect(api.unproven).toEqual([]);
    await client.close();
  });

  it('a configured key signs, and the pipeline may then share its steps through a storage', async () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const shared: TokenStorage = new InMemoryTokenStorage();
    const sharedStorage: TokenStorage = {
      get: (key) => shared.get(key),
      set: (key, token) => shared.set(key, token),
      delete: (key) => shared.delete(key),
      exists: (key) => shared.exists(key),
    };
    const pipeline = new TokenFetchPipeline({
      steps: [secretStep(), tokenStep({ privateKey })],
      storage: sharedStorage,
    });
    const client = new HttpClient(
      new HttpClientConfigBuilder().withBaseUrl(api.origin).withTokenAuth(managed(pipeline)).build(),
    );
    expect((await client.get('/data')).statusCode).toBe(200);
    expect(api.proofs.flatMap((proof) => proof.problems)).toEqual([]);
    await client.close();
  });

  it('an unbound answer is refused (dpop.requireBoundToken), or used as a bearer token when allowed', async () => {
    const bearerStep = (dpop: BodyTokenFetcherOptions['dpop']) =>
      new BodyTokenFetcher({ name: 'access_token', baseUrl: broker.url, endpoint: '/bearer', dpop });
    const strict = new TokenFetchPipeline({ steps: [bearerStep(true)] });
    const refused = await strict.execute().catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(AuthenticationException);
    expect((refused as AuthenticationException).context.reason).toBe('dpop-unbound-token');
    // The broker saw the proof: the step proved a key even though the server ignored it.
    expect(broker.requests[0]!.headers.dpop).toEqual(expect.any(String));

    const lenient = new TokenFetchPipeline({ steps: [bearerStep({ requireBoundToken: false })] });
    expect((await lenient.execute()).tokenType).toBe('Bearer');
  });

  it('only the final step may have dpop, and a generated key only with the in-memory storage', () => {
    const earlier = new BodyTokenFetcher({ ...secretStepOptions(), dpop: true });
    expect(() => new TokenFetchPipeline({ steps: [earlier, tokenStep(false)] })).toThrow(
      /step "client_secret" has dpop, but only the final step \("access_token"\) may/,
    );
    const storage: TokenStorage = {
      get: async () => undefined,
      set: async () => undefined,
      delete: async () => undefined,
      exists: async () => false,
    };
    expect(() => new TokenFetchPipeline({ steps: [secretStep(), tokenStep()], storage })).toThrow(
      /generated key, which a shared storage cannot hold: configure dpop.privateKey/,
    );
    expect(() => tokenStep({ alg: 'HS256' as never })).toThrow(
      /BodyTokenFetcher \(access_token\): dpop.alg must be one of/,
    );
  });

  it('the step identity names the key (cache keys differ), and printing shows no private key', () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const bound = tokenStep({ privateKey });
    expect(bound.identity).not.toBe(tokenStep(false).identity);
    expect(bound.identity).toContain('jkt:');
    const printed = `${inspect(bound)} ${JSON.stringify(bound)}`;
    expect(printed).toContain('"jkt"');
    const jwk = privateKey.export({ format: 'jwk' });
    expect(printed).not.toContain(jwk.d!);
  });
});

function secretStepOptions() {
  return { name: 'client_secret', baseUrl: broker.url, endpoint: '/secret' };
}
