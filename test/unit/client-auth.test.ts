// Choosing a client authentication method at construction: the default from the credential
// given, aliases, and a TypeError naming what is missing or unused. Strategies: the form fields
// and headers of one attempt. Pure (providers are constructed, never called).
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import {
  type ClientCredentialsOptions,
  ClientCredentialsTokenProvider,
  clientSecretBasic,
  PasswordGrantTokenProvider,
} from '../../src/index';
import { clientAssertionClaims } from '../../src/tokens/client-auth/assertion';
import { createClientAuth } from '../../src/tokens/client-auth/create';

const key = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
const base = { tokenUrl: 'https://auth.test/token', clientId: 'svc', serviceName: 'svc' };
const cc = (options: Partial<ClientCredentialsOptions>) =>
  new ClientCredentialsTokenProvider({ ...base, ...options } as ClientCredentialsOptions);
const context = { serviceName: 'svc', fallback: undefined, callerTransport: false };
const target = { clientId: 'svc', audience: 'https://auth.test' };

describe('the method a provider uses', () => {
  it('defaults from the credential: a secret → client_secret_post, a key or assertion → private_key_jwt', () => {
    expect(cc({ clientSecret: 's' }).authMethod).toBe('client_secret_post');
    expect(cc({ privateKey: key }).authMethod).toBe('private_key_jwt');
    expect(cc({ clientAssertion: async () => 'a.b.c' }).authMethod).toBe('private_key_jwt');
    expect(cc({ clientAssertionFile: '/var/run/token' }).authMethod).toBe('private_key_jwt');
    expect(cc({ authMethod: 'none' }).authMethod).toBe('none');
  });

  it("keeps the aliases 'body' and 'header'", () => {
    expect(cc({ clientSecret: 's', authMethod: 'body' }).authMethod).toBe('client_secret_post');
    expect(cc({ clientSecret: 's', authMethod: 'header' }).authMethod).toBe('client_secret_basic');
  });

  it('client credentials need some client authentication; the password grant defaults to none', () => {
    expect(() => cc({})).toThrow(
      "ClientCredentialsTokenProvider: no client authentication: give clientSecret, privateKey, clientAssertion or clientAssertionFile, or authMethod ('tls_client_auth', 'self_signed_tls_client_auth', 'none')",
    );
    const password = new PasswordGrantTokenProvider({ ...base, username: 'u', password: 'p' });
    expect(password.authMethod).toBe('none');
  });

  it('a method without what it needs is a TypeError naming the missing option', () => {
    expect(() => cc({ authMethod: 'client_secret_basic' })).toThrow(
      "authMethod 'client_secret_basic' needs clientSecret",
    );
    expect(() => cc({ authMethod: 'client_secret_jwt' })).toThrow(
      "authMethod 'client_secret_jwt' needs clientSecret (the HMAC key), or clientAssertion / clientAssertionFile",
    );
    expect(() => cc({ authMethod: 'private_key_jwt' })).toThrow(
      "authMethod 'private_key_jwt' needs privateKey, clientAssertion or clientAssertionFile",
    );
    expect(() => cc({ authMethod: 'tls_client_auth' })).toThrow(
      "authMethod 'tls_client_auth' needs tls.cert and tls.key (the client certificate)",
    );
    expect(() => cc({ authMethod: 'self_signed_tls_client_auth', tls: { ca: 'x' } })).toThrow(
      /needs tls.cert and tls.key/,
    );
    expect(() => cc({ authMethod: 'client_secret' as never, clientSecret: 's' })).toThrow(
      /authMethod must be one of client_secret_basic/,
    );
  });

  it('a credential the method would not use is refused, never ignored', () => {
    expect(() => cc({ authMethod: 'private_key_jwt', privateKey: key, clientSecret: 's' })).toThrow(
      "clientSecret is not used by authMethod 'private_key_jwt'; remove it or choose another authMethod",
    );
    expect(() => cc({ clientSecret: 's', keyId: 'k' })).toThrow(
      /keyId is not used by authMethod 'client_secret_post'/,
    );
    expect(() => cc({ authMethod: 'none', clientSecret: 's' })).toThrow(
      /clientSecret is not used by authMethod 'none'/,
    );
    expect(() => cc({ privateKey: key, clientAssertion: async () => 'a.b.c' })).toThrow(
      'give one of privateKey, clientAssertion, not several',
    );
    expect(() => cc({ clientAssertion: async () => 'a.b.c', signingAlg: 'ES256' })).toThrow(
      /signingAlg is not used/,
    );
    expect(() => cc({ authMethod: 'client_secret_jwt', clientSecret: 's', signingAlg: 'ES256' })).toThrow(
      /signingAlg must be HS256, HS384 or HS512/,
    );
    expect(() => cc({ privateKey: key, signingAlg: 'RS256' })).toThrow(
      'ClientCredentialsTokenProvider: signingAlg RS256 does not fit a ec prime256v1 key',
    );
    expect(() => cc({ clientAssertion: 'a.b.c' as never })).toThrow(/clientAssertion must be a function/);
  });

  it('tls: unknown keys, half a certificate, and a caller-owned client are refused', () => {
    expect(() => cc({ clientSecret: 's', tls: { cert: 'x' } })).toThrow(
      'tls.key is missing: a client certificate needs both cert and key',
    );
    expect(() => cc({ clientSecret: 's', tls: { ca: 'x', verify: false } as never })).toThrow(
      /tls: unknown option "verify"/,
    );
    expect(() => cc({ clientSecret: 's', tls: { ca: 42 as never } })).toThrow(
      'tls.ca must be a PEM string or a Buffer',
    );
    expect(() => cc({ clientSecret: 's', tls: { cert: 'not a certificate', key: 'x' } })).toThrow(
      'tls.cert could not be read as a PEM certificate',
    );
    const dispatcher = { dispatch: () => true } as never;
    expect(() => cc({ clientSecret: 's', dispatcher, tls: { ca: 'x' } })).toThrow(
      'tls is not available with httpClient or dispatcher: that client owns TLS, configure it there',
    );
  });

  it('the authentication method is part of the identity; the secret and key are not', () => {
    const a = cc({ clientSecret: 'one' });
    const b = cc({ clientSecret: 'two', authMethod: 'client_secret_basic' });
    const c = cc({ privateKey: key });
    expect(new Set([a.identity, b.identity, c.identity]).size).toBe(3);
    expect(cc({ clientSecret: 'other' }).identity).toBe(a.identity);
    expect(a.identity).toContain('"authMethod":"client_secret_post"');
    expect(a.identity).not.toContain('one');
    expect(cc({ issuer: 'https://auth.test', tokenUrl: undefined, clientSecret: 's' }).identity).toContain(
      '"issuer":"https://auth.test"',
    );
  });
});

describe('strategies: the fields of one attempt', () => {
  it('client_secret_basic: form-urlencoded id and secret in the header, nothing in the form', async () => {
    const { strategy, secrets } = createClientAuth({ clientSecret: 'p@ss w', authMethod: 'header' }, context);
    const credentials = await strategy.credentials({ ...target, clientId: 'my client' });
    expect(credentials.form).toEqual({});
    expect(credentials.headers).toEqual({ authorization: clientSecretBasic('my client', 'p@ss w') });
    expect(clientSecretBasic('my client', 'p@ss w')).toBe(
      `Basic ${Buffer.from('my+client:p%40ss+w').toString('base64')}`,
    );
    expect(credentials.secrets).toContain('p@ss w');
    expect(secrets).toEqual(['p@ss w']);
  });

  it('tls_client_auth and none: only client_id', async () => {
    const { strategy } = createClientAuth({ authMethod: 'none' }, context);
    expect(await strategy.credentials(target)).toEqual({ form: { client_id: 'svc' }, secrets: [] });
  });

  it('private_key_jwt: a new assertion (jti, iat) for every attempt, its value a secret', async () => {
    const { strategy } = createClientAuth({ privateKey: key, keyId: 'k1' }, context);
    const one = await strategy.credentials(target);
    const two = await strategy.credentials(target);
    expect(one.form.client_assertion).not.toBe(two.form.client_assertion);
    expect(one.secrets).toEqual([one.form.client_assertion]);
    const { payload } = await jwtVerify(one.form.client_assertion!, createPublicKey(key), {
      issuer: 'svc',
      subject: 'svc',
      audience: 'https://auth.test',
    });
    expect(payload.exp! - payload.iat!).toBe(60);
  });

  it('assertion claims: iss = sub = client id, aud, jti, iat, exp 60 s later', () => {
    expect(clientAssertionClaims('svc', 'https://as', 1_700_000_000_500, 'id-1')).toEqual({
      iss: 'svc',
      sub: 'svc',
      aud: 'https://as',
      jti: 'id-1',
      iat: 1_700_000_000,
      exp: 1_700_000_060,
    });
  });

  it('a supplied assertion that is not a JWT is refused without being quoted', async () => {
    const { strategy } = createClientAuth({ clientAssertion: async () => 'not a jwt SECRETISH' }, context);
    const error = await Promise.resolve(strategy.credentials(target)).catch((e: unknown) => e);
    expect(String(error)).toContain('clientAssertion of "svc" did not give a JWT');
    expect(String(error)).not.toContain('SECRETISH');
  });
});
