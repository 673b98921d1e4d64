// Every client authentication method against oidc-provider over real TLS: a token is obtained,
// and a wrong secret, key, certificate or an expired assertion is an AuthenticationException with
// invalid_client. The assertions we sign are verified independently with jose: claims, alg, kid,
// a unique jti, and a fresh one for a retried attempt.
import { createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeProtectedHeader, jwtVerify, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AuthenticationException,
  type ClientCredentialsOptions,
  ClientCredentialsTokenProvider,
  TokenManager,
} from '../../src/index';
import {
  CLIENT_KEYS,
  fixture,
  type OidcTlsServer,
  SECRET_JWT,
  startOidcTlsServer,
} from '../support/oidc-tls-server';

let server: OidcTlsServer;
let tokenUrl: string;
const ca = fixture('ca.crt');
const quiet = { warn: () => undefined };

beforeAll(async () => {
  server = await startOidcTlsServer();
  tokenUrl = `${server.issuer}/token`;
});
afterAll(() => server.close());

const made: ClientCredentialsTokenProvider[] = [];
afterAll(() => Promise.all(made.map((p) => p.close())));

function provider(
  options: Partial<ClientCredentialsOptions> & { clientId: string },
): ClientCredentialsTokenProvider {
  const created = new ClientCredentialsTokenProvider({
    tokenUrl,
    serviceName: `oidc-${options.clientId}`,
    maxRetries: 0,
    ...options,
    tls: { ca, ...options.tls },
  } as ClientCredentialsOptions);
  made.push(created);
  return created;
}

async function refusal(promise: Promise<unknown>): Promise<AuthenticationException> {
  const error = await promise.catch((e: unknown) => e);
  expect(error).toBeInstanceOf(AuthenticationException);
  const auth = error as AuthenticationException;
  expect(auth.error).toBe('invalid_client');
  expect(auth.retryable).toBe(false);
  return auth;
}

/** The client assertions the server received since `from`. */
function assertionsSince(from: number): string[] {
  return server.requests
    .slice(from)
    .flatMap((r) => (r.form.client_assertion ? [r.form.client_assertion] : []));
}

/** Fetches a token with a provider made from `options`: the client assertion it sent. */
async function assertionOf(options: Parameters<typeof provider>[0]): Promise<string> {
  const from = server.requests.length;
  await provider(options).fetchToken();
  return assertionsSince(from)[0]!;
}

async function verified(
  assertion: string,
  key: KeyObject | Uint8Array,
  expected: { alg: string; kid?: string; clientId: string; audience: string },
) {
  const { payload, protectedHeader } = await jwtVerify(assertion, key, {
    algorithms: [expected.alg],
    issuer: expected.clientId,
    subject: expected.clientId,
    audience: expected.audience,
  });
  expect(protectedHeader).toEqual({
    alg: expected.alg,
    typ: 'JWT',
    ...(expected.kid ? { kid: expected.kid } : {}),
  });
  expect(payload.jti).toMatch(/^[0-9a-f-]{36}$/);
  expect(payload.exp! - payload.iat!).toBe(60);
  expect(Math.abs(payload.iat! - Date.now() / 1000)).toBeLessThan(5);
  return payload;
}

describe('client secrets', () => {
  it("client_secret_basic (also as the alias 'header') obtains a token; a wrong secret is invalid_client", async () => {
    const token = await provider({
      clientId: 'svc-basic',
      clientSecret: 'basic-secret',
      authMethod: 'client_secret_basic',
    }).fetchToken();
    expect(token.tokenType).toBe('Bearer');
    const from = server.requests.length;
    await provider({
      clientId: 'svc-basic',
      clientSecret: 'basic-secret',
      authMethod: 'header',
    }).fetchToken();
    expect(server.requests[from]!.headers.authorization).toMatch(/^Basic /);
    expect(server.requests[from]!.form.client_secret).toBeUndefined();
    await refusal(
      provider({
        clientId: 'svc-basic',
        clientSecret: 'wrong',
        authMethod: 'client_secret_basic',
      }).fetchToken(),
    );
  });

  it('client_secret_post is the default with a secret; a wrong secret is invalid_client', async () => {
    const from = server.requests.length;
    const p = provider({ clientId: 'svc-post', clientSecret: 'post-secret' });
    expect(p.authMethod).toBe('client_secret_post');
    await p.fetchToken();
    expect(server.requests[from]!.form).toMatchObject({
      client_id: 'svc-post',
      client_secret: 'post-secret',
    });
    await refusal(provider({ clientId: 'svc-post', clientSecret: 'wrong', authMethod: 'body' }).fetchToken());
  });

  it('client_secret_jwt: an HS256 assertion verified with jose; a wrong secret is invalid_client', async () => {
    const from = server.requests.length;
    await provider({
      clientId: 'svc-secret-jwt',
      clientSecret: SECRET_JWT,
      authMethod: 'client_secret_jwt',
    }).fetchToken();
    const [assertion] = assertionsSince(from);
    await verified(assertion!, new TextEncoder().encode(SECRET_JWT), {
      alg: 'HS256',
      clientId: 'svc-secret-jwt',
      audience: tokenUrl,
    });
    expect(server.requests[from]!.form.client_secret).toBeUndefined();
    expect(server.requests[from]!.form.client_assertion_type).toBe(
      'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
    );
    const wrong = `${SECRET_JWT}-not`;
    const error = await refusal(
      provider({
        clientId: 'svc-secret-jwt',
        clientSecret: wrong,
        authMethod: 'client_secret_jwt',
      }).fetchToken(),
    );
    expect(JSON.stringify(error)).not.toContain(wrong);
  });
});

describe('private_key_jwt', () => {
  it.each(Object.keys(CLIENT_KEYS) as Array<keyof typeof CLIENT_KEYS>)(
    '%s: the default algorithm of the key, kid, claims verified with jose',
    async (alg) => {
      const key = CLIENT_KEYS[alg];
      const p = provider({
        clientId: 'svc-pkjwt',
        privateKey: alg === 'PS256' ? key.export({ type: 'pkcs8', format: 'pem' }).toString() : key,
        keyId: alg,
        ...(alg === 'PS256' ? { signingAlg: 'PS256' as const } : {}),
      });
      expect(p.authMethod).toBe('private_key_jwt');
      const from = server.requests.length;
      const token = await p.fetchToken();
      expect(token.accessToken.length).toBeGreaterThan(10);
      const [assertion] = assertionsSince(from);
      await verified(assertion!, createPublicKey(key), {
        alg,
        kid: alg,
        clientId: 'svc-pkjwt',
        audience: tokenUrl,
      });
    },
  );

  it('a JWK private key, aud = the issuer when it is configured', async () => {
    const assertion = await assertionOf({
      clientId: 'svc-pkjwt',
      privateKey: CLIENT_KEYS.ES256.export({ format: 'jwk' }),
      keyId: 'ES256',
      issuer: server.issuer,
    });
    await verified(assertion, createPublicKey(CLIENT_KEYS.ES256), {
      alg: 'ES256',
      kid: 'ES256',
      clientId: 'svc-pkjwt',
      audience: server.issuer,
    });
  });

  it('assertionAudience overrides the aud the issuer would give', async () => {
    const assertion = await assertionOf({
      clientId: 'svc-pkjwt',
      privateKey: CLIENT_KEYS.ES256,
      keyId: 'ES256',
      issuer: server.issuer,
      assertionAudience: tokenUrl,
    });
    await verified(assertion, createPublicKey(CLIENT_KEYS.ES256), {
      alg: 'ES256',
      kid: 'ES256',
      clientId: 'svc-pkjwt',
      audience: tokenUrl,
    });
  });

  it('every token request has its own jti', async () => {
    const from = server.requests.length;
    const p = provider({ clientId: 'svc-pkjwt', privateKey: CLIENT_KEYS.EdDSA });
    for (let i = 0; i < 5; i++) await p.fetchToken();
    const jtis = await Promise.all(
      assertionsSince(from).map(
        async (a) => (await jwtVerify(a, createPublicKey(CLIENT_KEYS.EdDSA))).payload.jti,
      ),
    );
    expect(jtis).toHaveLength(5);
    expect(new Set(jtis).size).toBe(5);
  });

  it('a retried attempt (503) carries a fresh assertion; both verify', async () => {
    const p = new ClientCredentialsTokenProvider({
      tokenUrl,
      clientId: 'svc-pkjwt',
      serviceName: 'oidc-retry',
      privateKey: CLIENT_KEYS.ES256,
      keyId: 'ES256',
      tls: { ca },
      maxRetries: 1,
    });
    made.push(p);
    server.failNext('/token', 1, 503);
    const from = server.requests.length;
    await p.fetchToken();
    const [first, second] = assertionsSince(from);
    expect(first).toBeDefined();
    expect(second).toBeDefined();
    expect(second).not.toBe(first);
    const expected = { alg: 'ES256', kid: 'ES256', clientId: 'svc-pkjwt', audience: tokenUrl };
    const a = await verified(first!, createPublicKey(CLIENT_KEYS.ES256), expected);
    const b = await verified(second!, createPublicKey(CLIENT_KEYS.ES256), expected);
    expect(b.jti).not.toBe(a.jti);
  });

  it('a key the client did not register is invalid_client, through the manager too', async () => {
    const stranger = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    await refusal(provider({ clientId: 'svc-pkjwt', privateKey: stranger, keyId: 'ES256' }).fetchToken());
    const manager = new TokenManager(provider({ clientId: 'svc-pkjwt', privateKey: stranger }), undefined, {
      logger: quiet,
    });
    await refusal(manager.getToken());
  });
});

describe('assertions from elsewhere', () => {
  const sign = (exp: number, jti = crypto.randomUUID()) =>
    new SignJWT({})
      .setProtectedHeader({ alg: 'ES256', kid: 'ES256' })
      .setIssuer('svc-pkjwt')
      .setSubject('svc-pkjwt')
      .setAudience(tokenUrl)
      .setJti(jti)
      .setIssuedAt()
      .setExpirationTime(exp)
      .sign(CLIENT_KEYS.ES256);

  it('clientAssertion is asked for every attempt; an expired one is invalid_client', async () => {
    let calls = 0;
    const p = provider({
      clientId: 'svc-pkjwt',
      clientAssertion: async () => {
        calls++;
        return sign(Math.floor(Date.now() / 1000) + 60);
      },
    });
    await p.fetchToken();
    await p.fetchToken();
    expect(calls).toBe(2);
    const expired = provider({
      clientId: 'svc-pkjwt',
      clientAssertion: () => sign(Math.floor(Date.now() / 1000) - 120),
    });
    await refusal(expired.fetchToken());
  });

  it('clientAssertionFile is read again when the file is replaced (a rotated projected token)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rf-assertion-'));
    const file = join(dir, 'token');
    try {
      writeFileSync(file, `${await sign(Math.floor(Date.now() / 1000) + 60)}\n`);
      const p = provider({ clientId: 'svc-pkjwt', clientAssertionFile: file });
      const from = server.requests.length;
      await p.fetchToken();
      // Kubernetes swaps the file atomically (a new inode); the next token request uses the new one.
      writeFileSync(`${file}.new`, await sign(Math.floor(Date.now() / 1000) + 60));
      renameSync(`${file}.new`, file);
      await p.fetchToken();
      const [first, second] = assertionsSince(from);
      expect(second).not.toBe(first);
      // An expired assertion in the file (the platform stopped rotating it) is refused by the server.
      writeFileSync(`${file}.new`, await sign(Math.floor(Date.now() / 1000) - 120));
      renameSync(`${file}.new`, file);
      await refusal(p.fetchToken());
      rmSync(file);
      const missing = await p.fetchToken().catch((e: unknown) => e);
      expect(missing).toBeInstanceOf(AuthenticationException);
      expect((missing as Error).message).toContain(`clientAssertionFile ${file}`);
      expect((missing as Error).message).toContain('ENOENT');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('mutual TLS (RFC 8705)', () => {
  const certificate = (name: string) => ({ cert: fixture(`${name}.crt`), key: fixture(`${name}.key`) });

  it('tls_client_auth: only client_id in the form; a certificate with another subject is invalid_client', async () => {
    const mtlsUrl = `${server.mtlsOrigin}/token`;
    const from = server.requests.length;
    const token = await provider({
      clientId: 'svc-mtls',
      tokenUrl: mtlsUrl,
      authMethod: 'tls_client_auth',
      tls: certificate('client'),
    }).fetchToken();
    expect(token.accessToken.length).toBeGreaterThan(10);
    expect(server.requests[from]!.form).toEqual({ grant_type: 'client_credentials', client_id: 'svc-mtls' });
    expect(server.requests[from]!.headers.authorization).toBeUndefined();
    await refusal(
      provider({
        clientId: 'svc-mtls',
        tokenUrl: mtlsUrl,
        authMethod: 'tls_client_auth',
        tls: certificate('intruder'),
      }).fetchToken(),
    );
    await refusal(
      provider({
        clientId: 'svc-mtls',
        tokenUrl: mtlsUrl,
        authMethod: 'tls_client_auth',
        tls: certificate('self-signed'),
      }).fetchToken(),
    );
  });

  it('self_signed_tls_client_auth: the registered certificate; another one is invalid_client', async () => {
    const mtlsUrl = `${server.mtlsOrigin}/token`;
    const options = {
      clientId: 'svc-self-signed',
      tokenUrl: mtlsUrl,
      authMethod: 'self_signed_tls_client_auth' as const,
    };
    await provider({ ...options, tls: certificate('self-signed') }).fetchToken();
    await refusal(provider({ ...options, tls: certificate('client') }).fetchToken());
  });

  it('with discovery, the mtls_endpoint_aliases token endpoint is used', async () => {
    const from = server.requests.length;
    await provider({
      clientId: 'svc-mtls',
      tokenUrl: undefined,
      issuer: server.issuer,
      authMethod: 'tls_client_auth',
      tls: certificate('client'),
    }).fetchToken();
    const token = server.requests.slice(from).find((r) => r.path === '/token')!;
    expect(token.port).toBe(Number(new URL(server.mtlsOrigin).port));
  });

  it('a passphrase-protected key', async () => {
    const { createPrivateKey } = await import('node:crypto');
    const encrypted = createPrivateKey(fixture('client.key')).export({
      type: 'pkcs8',
      format: 'pem',
      cipher: 'aes-256-cbc',
      passphrase: 'fixture-passphrase',
    });
    const tls = { cert: fixture('client.crt'), key: encrypted, passphrase: 'fixture-passphrase' };
    await provider({
      clientId: 'svc-mtls',
      tokenUrl: `${server.mtlsOrigin}/token`,
      authMethod: 'tls_client_auth',
      tls,
    }).fetchToken();
    expect(() =>
      provider({ clientId: 'svc-mtls', authMethod: 'tls_client_auth', tls: { ...tls, passphrase: 'wrong' } }),
    ).toThrow(/tls.key could not be read as a PEM private key/);
  });
});

describe('what the server sees is the method we name', () => {
  it('keyId becomes the kid of a client_secret_jwt assertion (oidc-provider knows no such kid: refused)', async () => {
    const from = server.requests.length;
    const p = provider({
      clientId: 'svc-secret-jwt',
      clientSecret: SECRET_JWT,
      authMethod: 'client_secret_jwt',
      keyId: 'k-1',
    });
    await refusal(p.fetchToken());
    expect(decodeProtectedHeader(assertionsSince(from)[0]!)).toEqual({
      alg: 'HS256',
      typ: 'JWT',
      kid: 'k-1',
    });
  });
});
