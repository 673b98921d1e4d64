// Token exchange (RFC 8693), the JWT bearer grant (RFC 7523 §2.1) and revocation (RFC 7009)
// against oidc-provider over TLS. The two grants are implemented with its custom grant hook; the
// client authenticates with private_key_jwt like any other token request.
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { jwtVerify } from 'jose';
import type { GrantContext } from 'oidc-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AuthenticationException,
  ClientCredentialsTokenProvider,
  HttpClient,
  HttpClientConfigBuilder,
  JwtBearerTokenProvider,
  type TokenExchangeOptions,
  TokenExchangeTokenProvider,
  TokenManager,
} from '../../src/index';
import { CLIENT_KEYS, fixture, type OidcTlsServer, startOidcTlsServer } from '../support/oidc-tls-server';

const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const ACCESS_TOKEN = 'urn:ietf:params:oauth:token-type:access_token';
const ID_TOKEN = 'urn:ietf:params:oauth:token-type:id_token';
const ca = fixture('ca.crt');
const assertionKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;

let server: OidcTlsServer;
let exchanged = 0;
/** What the token exchange handler answers as issued_token_type (undefined: leaves it out). */
let issuedTokenType: string | undefined = ACCESS_TOKEN;
const bearerClaims: Array<Record<string, unknown>> = [];

function exchangeHandler(ctx: GrantContext) {
  const { subject_token: subject, subject_token_type: type } = ctx.oidc.params;
  exchanged++;
  ctx.body = {
    // The new token names its subject, so the test can tell whose token it is.
    access_token: `exchanged.${subject}.${exchanged}`,
    token_type: 'Bearer',
    expires_in: 300,
    ...(issuedTokenType ? { issued_token_type: issuedTokenType } : {}),
    ...(type ? {} : { error: 'unexpected' }),
  };
}

async function bearerHandler(ctx: GrantContext) {
  try {
    const { payload } = await jwtVerify(ctx.oidc.params.assertion!, createPublicKey(assertionKey), {
      audience: server.issuer,
    });
    bearerClaims.push(payload);
    ctx.body = {
      access_token: `bearer.${payload.sub}.${bearerClaims.length}`,
      token_type: 'Bearer',
      expires_in: 300,
    };
  } catch {
    ctx.status = 400;
    ctx.body = { error: 'invalid_grant', error_description: 'assertion refused' };
  }
}

beforeAll(async () => {
  server = await startOidcTlsServer({
    clients: [
      {
        client_id: 'svc-gateway',
        client_secret: 'gateway-secret',
        token_endpoint_auth_method: 'client_secret_post',
        grant_types: [TOKEN_EXCHANGE, JWT_BEARER, 'client_credentials'],
        response_types: [],
        redirect_uris: [],
      },
      {
        client_id: 'public-cli',
        token_endpoint_auth_method: 'none',
        grant_types: [TOKEN_EXCHANGE],
        response_types: [],
        redirect_uris: [],
      },
    ],
    extend: (provider) => {
      const params = [
        'subject_token',
        'subject_token_type',
        'actor_token',
        'actor_token_type',
        'audience',
        'resource',
        'requested_token_type',
        'scope',
      ];
      provider.registerGrantType(TOKEN_EXCHANGE, exchangeHandler, params, ['audience', 'resource']);
      provider.registerGrantType(JWT_BEARER, bearerHandler, ['assertion', 'scope']);
    },
  });
});
afterAll(() => server.close());

const closing: Array<{ close(): Promise<void> }> = [];
afterAll(() => Promise.all(closing.map((c) => c.close())));

function exchange(options: Partial<TokenExchangeOptions> = {}): TokenExchangeTokenProvider {
  const provider = new TokenExchangeTokenProvider({
    issuer: server.issuer,
    clientId: 'svc-gateway',
    clientSecret: 'gateway-secret',
    serviceName: 'orders-api',
    tls: { ca },
    maxRetries: 0,
    ...options,
  });
  closing.push(provider);
  return provider;
}

const formOf = (from: number, grant: string) =>
  new URLSearchParams(server.requests.slice(from).find((r) => r.form.grant_type === grant)!.raw);

describe('token exchange (RFC 8693)', () => {
  it('sends the RFC 8693 fields (audience and resource repeated) and checks issued_token_type', async () => {
    const provider = exchange({
      subjectToken: 'user-token-alice',
      actorToken: 'gateway-actor-token',
      actorTokenType: ACCESS_TOKEN,
      audience: ['orders-api', 'billing-api'],
      resource: 'https://orders.example/',
      requestedTokenType: ACCESS_TOKEN,
    });
    const from = server.requests.length;
    const token = await provider.fetchToken();
    expect(token.accessToken).toMatch(/^exchanged\.user-token-alice\.\d+$/);
    expect(token.extra.issued_token_type).toBe(ACCESS_TOKEN);
    const form = formOf(from, TOKEN_EXCHANGE);
    expect(form.get('subject_token')).toBe('user-token-alice');
    expect(form.get('subject_token_type')).toBe(ACCESS_TOKEN);
    expect(form.get('actor_token')).toBe('gateway-actor-token');
    expect(form.get('actor_token_type')).toBe(ACCESS_TOKEN);
    expect(form.getAll('audience')).toEqual(['orders-api', 'billing-api']);
    expect(form.getAll('resource')).toEqual(['https://orders.example/']);
    expect(form.get('requested_token_type')).toBe(ACCESS_TOKEN);
    expect(form.get('client_id')).toBe('svc-gateway');
  });

  it('subjectTokenType names the kind of subject token sent (an ID token here)', async () => {
    const provider = exchange({ subjectToken: 'user-id-token-dave', subjectTokenType: ID_TOKEN });
    const from = server.requests.length;
    await provider.fetchToken();
    const form = formOf(from, TOKEN_EXCHANGE);
    expect(form.get('subject_token')).toBe('user-id-token-dave');
    expect(form.get('subject_token_type')).toBe(ID_TOKEN);
  });

  it('forSubject: one manager per subject, tokens of two subjects never mix, cached per subject', async () => {
    const provider = exchange({ audience: 'orders-api' });
    const alice = provider.forSubject('user-token-alice');
    const bob = provider.forSubject('user-token-bob');
    expect(provider.forSubject('user-token-alice')).toBe(alice);
    expect(alice.cacheKey).not.toBe(bob.cacheKey);
    const before = exchanged;
    const [a1, b1, a2] = await Promise.all([alice.getToken(), bob.getToken(), alice.getToken()]);
    expect(a1.accessToken).toMatch(/^exchanged\.user-token-alice\./);
    expect(b1.accessToken).toMatch(/^exchanged\.user-token-bob\./);
    expect(a2).toBe(a1);
    expect(exchanged - before).toBe(2);
    // One line per request: the manager is cached, the token too.
    expect((await provider.forSubject('user-token-alice').getToken()).accessToken).toBe(a1.accessToken);
    expect(exchanged - before).toBe(2);
    // The subject's hash, never the subject token, is part of the identity.
    expect(alice.provider.identity).toContain('"subject":"sha256:');
    expect(alice.provider.identity).not.toContain('user-token-alice');
    expect(JSON.stringify(alice)).not.toContain('user-token-alice');
  });

  it("a public client ('none', the default without credentials) sends only client_id; a confidential one is invalid_client", async () => {
    const from = server.requests.length;
    const publicClient = exchange({
      clientId: 'public-cli',
      clientSecret: undefined,
      subjectToken: 'user-token-dave',
    });
    expect(publicClient.authMethod).toBe('none');
    await publicClient.fetchToken();
    const form = formOf(from, TOKEN_EXCHANGE);
    expect(form.get('client_id')).toBe('public-cli');
    expect(form.get('client_secret')).toBeNull();
    expect(form.get('client_assertion')).toBeNull();
    const confidential = exchange({
      clientSecret: undefined,
      authMethod: 'none',
      subjectToken: 'user-token-dave',
    });
    const error = (await confidential.fetchToken().catch((e: unknown) => e)) as AuthenticationException;
    expect(error).toBeInstanceOf(AuthenticationException);
    expect(error.error).toBe('invalid_client');
  });

  it('forSubject keeps at most maxSubjects managers (least recently used dropped)', async () => {
    const provider = exchange({ maxSubjects: 2 });
    const first = provider.forSubject('s1');
    provider.forSubject('s2');
    provider.forSubject('s1');
    provider.forSubject('s3'); // drops s2, the least recently used
    expect(provider.forSubject('s1')).toBe(first);
    expect(JSON.parse(JSON.stringify(provider)).subjects).toBe(2);
  });

  it('an issued_token_type that differs from the one asked for (or none) is refused', async () => {
    try {
      issuedTokenType = ID_TOKEN;
      const error = (await exchange({ subjectToken: 'user-token-carol' })
        .fetchToken()
        .catch((e: unknown) => e)) as AuthenticationException;
      expect(error).toBeInstanceOf(AuthenticationException);
      expect(error.message).toBe(
        `Token exchange for "orders-api" answered issued_token_type "${ID_TOKEN}"; expected ${ACCESS_TOKEN} or urn:ietf:params:oauth:token-type:jwt`,
      );
      expect(error.retryable).toBe(false);
      issuedTokenType = undefined;
      const missing = (await exchange({ subjectToken: 'user-token-carol', requestedTokenType: ID_TOKEN })
        .fetchToken()
        .catch((e: unknown) => e)) as AuthenticationException;
      expect(missing.message).toContain(`answered issued_token_type none; expected ${ID_TOKEN}`);
      issuedTokenType = ID_TOKEN;
      const asked = await exchange({
        subjectToken: 'user-token-carol',
        requestedTokenType: ID_TOKEN,
      }).fetchToken();
      expect(asked.extra.issued_token_type).toBe(ID_TOKEN);
    } finally {
      issuedTokenType = ACCESS_TOKEN;
    }
  });

  it('a provider without subjectToken serves only forSubject; a subject function is asked per request', async () => {
    const error = (await exchange()
      .fetchToken()
      .catch((e: unknown) => e)) as AuthenticationException;
    expect(error.message).toContain('has no subjectToken: use forSubject(subjectToken)');
    let calls = 0;
    const dynamic = exchange({
      subjectToken: async () => {
        calls++;
        return 'workload-token';
      },
    });
    await dynamic.fetchToken();
    await dynamic.fetchToken();
    expect(calls).toBe(2);
    expect(dynamic.identity).toContain('"subject":"instance:');
    expect(() => exchange({ actorToken: 'a' })).toThrow(
      'actorToken and actorTokenType go together (RFC 8693 §2.1)',
    );
  });
});

describe('JWT bearer grant (RFC 7523 §2.1)', () => {
  it('a signed assertion per attempt: iss, sub, aud = the issuer, extra claims; verified with jose', async () => {
    const provider = new JwtBearerTokenProvider({
      issuer: server.issuer,
      clientId: 'svc-gateway',
      clientSecret: 'gateway-secret',
      serviceName: 'reports-api',
      tls: { ca },
      maxRetries: 1,
      assertion: {
        privateKey: assertionKey,
        issuer: 'reports-sa',
        subject: 'alice@example.com',
        claims: { tenant: 'eu-1' },
      },
    });
    closing.push(provider);
    server.failNext('/token', 1, 503);
    const from = server.requests.length;
    const token = await provider.fetchToken();
    expect(token.accessToken).toMatch(/^bearer\.alice@example\.com\./);
    const sent = server.requests.slice(from).map((r) => r.form.assertion);
    expect(sent).toHaveLength(2);
    expect(sent[1]).not.toBe(sent[0]);
    const { payload } = await jwtVerify(sent[1]!, createPublicKey(assertionKey), { audience: server.issuer });
    expect(payload).toMatchObject({ iss: 'reports-sa', sub: 'alice@example.com', tenant: 'eu-1' });
    expect(payload.exp! - payload.iat!).toBe(60);
    expect(server.requests[from + 1]!.form.grant_type).toBe(JWT_BEARER);
  });

  it('an assertion function; a refused assertion is an AuthenticationException (invalid_grant)', async () => {
    const wrongKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    const provider = new JwtBearerTokenProvider({
      tokenUrl: `${server.issuer}/token`,
      clientId: 'svc-gateway',
      clientSecret: 'gateway-secret',
      serviceName: 'reports-api',
      tls: { ca },
      maxRetries: 0,
      assertion: {
        privateKey: wrongKey,
        issuer: 'reports-sa',
        subject: 'alice@example.com',
        audience: server.issuer,
      },
    });
    closing.push(provider);
    const error = (await provider.fetchToken().catch((e: unknown) => e)) as AuthenticationException;
    expect(error).toBeInstanceOf(AuthenticationException);
    expect(error.error).toBe('invalid_grant');
    expect(
      () =>
        new JwtBearerTokenProvider({
          tokenUrl: `${server.issuer}/token`,
          clientId: 'x',
          serviceName: 'x',
          assertion: { privateKey: wrongKey, issuer: 'i', subject: 's', claims: { exp: 1 } },
        }),
    ).toThrow('JwtBearerTokenProvider: assertion.claims cannot set exp');
  });
});

describe('revocation (RFC 7009)', () => {
  async function introspect(token: string): Promise<boolean> {
    const client = new HttpClient(new HttpClientConfigBuilder().withTls({ ca }).build());
    try {
      const response = await client.post(`${server.issuer}/token/introspection`, {
        data: { token, client_id: 'svc-post', client_secret: 'post-secret' },
      });
      return response.json<{ active: boolean }>().active;
    } finally {
      await client.close();
    }
  }

  it('revokeToken through the discovered endpoint, authenticated like a token request', async () => {
    const provider = new ClientCredentialsTokenProvider({
      issuer: server.issuer,
      clientId: 'svc-pkjwt',
      privateKey: CLIENT_KEYS.ES256,
      serviceName: 'revocation',
      tls: { ca },
    });
    closing.push(provider);
    const token = await provider.fetchToken();
    expect(await introspect(token.accessToken)).toBe(true);
    const from = server.requests.length;
    await provider.revokeToken(token.accessToken, { hint: 'access_token' });
    const request = server.requests.slice(from).find((r) => r.path === '/token/revocation')!;
    expect(request.form).toMatchObject({
      token: token.accessToken,
      token_type_hint: 'access_token',
      client_id: 'svc-pkjwt',
    });
    expect(request.form.client_assertion).toBeDefined();
    expect(await introspect(token.accessToken)).toBe(false);
  });

  it('TokenManager.close({ revoke: true }) revokes the current token and forgets it', async () => {
    const provider = new ClientCredentialsTokenProvider({
      tokenUrl: `${server.issuer}/token`,
      revocationUrl: `${server.issuer}/token/revocation`,
      clientId: 'svc-post',
      clientSecret: 'post-secret',
      serviceName: 'revoke-on-close',
      tls: { ca },
    });
    const manager = new TokenManager(provider);
    const token = await manager.getToken();
    await manager.close({ revoke: true });
    expect(await introspect(token.accessToken)).toBe(false);
    expect(await manager.storage.get(manager.cacheKey)).toBeUndefined();
    expect(manager.peek()).toBeUndefined();
    const next = await manager.getToken();
    expect(next.accessToken).not.toBe(token.accessToken);
    await manager.close();
  });

  it('without a revocation endpoint: close({ revoke: true }) warns and closes; revokeToken rejects', async () => {
    const provider = new ClientCredentialsTokenProvider({
      tokenUrl: `${server.issuer}/token`,
      clientId: 'svc-post',
      clientSecret: 'post-secret',
      serviceName: 'no-revocation',
      tls: { ca },
    });
    const warnings: string[] = [];
    const manager = new TokenManager(provider, undefined, {
      logger: { warn: (m: string) => warnings.push(m) },
    });
    await manager.getToken();
    await manager.close({ revoke: true });
    expect(warnings).toEqual([
      'requestforge: the tokens of "no-revocation" were not revoked: the server has no revocation endpoint',
    ]);
    const error = (await provider.revokeToken('x').catch((e: unknown) => e)) as AuthenticationException;
    expect(error.message).toContain('"no-revocation" has no revocation endpoint');
    await expect(manager.close({ revoke: 'yes' as never })).rejects.toThrow(
      'TokenManager.close: revoke must be a boolean',
    );
  });
});
