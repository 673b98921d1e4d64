// The new credentials never print: private keys (PEM, JWK, KeyObject), client assertions, TLS
// keys and passphrases, refresh, subject and actor tokens, JWT-bearer assertions — neither in
// providers, managers and configs (util.inspect, JSON.stringify, String) nor in the errors of a
// token endpoint that echoes everything it received.
import { generateKeyPairSync } from 'node:crypto';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AuthenticationException,
  ClientCredentialsTokenProvider,
  HttpClientConfigBuilder,
  JwtBearerTokenProvider,
  RefreshTokenProvider,
  TokenExchangeTokenProvider,
  TokenManager,
} from '../../src/index';
import { type LoopbackServer, startServer } from '../support/loopback-server';
import { fixture } from '../support/oidc-tls-server';

const key = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
const PEM = key.export({ type: 'pkcs8', format: 'pem' }).toString();
const D = key.export({ format: 'jwk' }).d!;
const PASSPHRASE = 'tls-passphrase-Hh27';
const TLS_KEY = fixture('client.key').toString();
const REFRESH = 'refresh-token-Rr55';
const SUBJECT = 'subject-token-Ss66';
const ACTOR = 'actor-token-Aa77';
const SECRET = 'client-secret-Cc88';

let server: LoopbackServer;
beforeAll(async () => {
  // Echoes the whole request back in the error description, and in a challenge.
  server = await startServer((request, response) => {
    response.writeHead(400, {
      'content-type': 'application/json',
      'www-authenticate': `Bearer error="invalid_request", error_description="${request.body.replaceAll('"', '')}"`,
    });
    response.end(JSON.stringify({ error: 'invalid_request', error_description: `got ${request.body}` }));
  });
});
afterAll(() => server.close());

function texts(value: unknown): string[] {
  return [inspect(value, { depth: 10 }), JSON.stringify(value) ?? '', String(value)];
}

function expectClean(value: unknown, secrets: readonly string[]) {
  for (const text of texts(value)) for (const secret of secrets) expect(text).not.toContain(secret);
}

const base = { clientId: 'svc', serviceName: 'secrets', maxRetries: 0 };

describe('printing providers, managers and configs', () => {
  it('keys, passphrases and tokens never show', () => {
    const providers = [
      new ClientCredentialsTokenProvider({
        ...base,
        tokenUrl: 'https://a.test/t',
        privateKey: PEM,
        keyId: 'k',
      }),
      new ClientCredentialsTokenProvider({
        ...base,
        tokenUrl: 'https://a.test/t',
        privateKey: key.export({ format: 'jwk' }),
      }),
      new ClientCredentialsTokenProvider({
        ...base,
        tokenUrl: 'https://a.test/t',
        authMethod: 'tls_client_auth',
        tls: { cert: fixture('client.crt'), key: TLS_KEY },
      }),
      new RefreshTokenProvider({
        ...base,
        tokenUrl: 'https://a.test/t',
        clientSecret: SECRET,
        refreshToken: REFRESH,
      }),
      new TokenExchangeTokenProvider({
        ...base,
        tokenUrl: 'https://a.test/t',
        subjectToken: SUBJECT,
        actorToken: ACTOR,
        actorTokenType: 'urn:x',
      }),
      new JwtBearerTokenProvider({
        ...base,
        tokenUrl: 'https://a.test/t',
        assertion: { privateKey: key, issuer: 'i', subject: 's' },
      }),
    ];
    for (const provider of providers) {
      expectClean(provider, [PEM.slice(40, 80), D, TLS_KEY.slice(40, 80), REFRESH, SUBJECT, ACTOR, SECRET]);
      expectClean(new TokenManager(provider), [REFRESH, SUBJECT, ACTOR, SECRET]);
      expect(provider.identity).not.toContain(REFRESH);
      expect(provider.identity).not.toContain(SUBJECT);
    }
    const exchange = providers[4] as TokenExchangeTokenProvider;
    const subjectManager = exchange.forSubject('another-subject-Tt99');
    expectClean(subjectManager, ['another-subject-Tt99']);
    expectClean(subjectManager.provider, ['another-subject-Tt99']);
    const config = new HttpClientConfigBuilder().withTls({ key: TLS_KEY, passphrase: PASSPHRASE }).build();
    expectClean(config, [PASSPHRASE, TLS_KEY.slice(40, 80)]);
    expect(JSON.stringify(config)).toContain('"passphrase":"[REDACTED]"');
  });
});

describe('a token endpoint that echoes what it received', () => {
  async function failure(provider: { fetchToken(): Promise<unknown>; close(): Promise<void> }) {
    const error = await provider.fetchToken().catch((e: unknown) => e);
    await provider.close();
    expect(error).toBeInstanceOf(AuthenticationException);
    return error as AuthenticationException;
  }

  /** The values the last request carried in these form fields. */
  const sent = (...fields: string[]) => {
    const form = new URLSearchParams(server.requests.at(-1)!.body);
    return fields.map((field) => form.get(field)!).filter(Boolean);
  };

  it('client assertions (signed here, or supplied) are scrubbed', async () => {
    const signed = await failure(
      new ClientCredentialsTokenProvider({ ...base, tokenUrl: `${server.url}/token`, privateKey: key }),
    );
    const [assertion] = sent('client_assertion');
    expect(assertion).toMatch(/^ey/);
    expectClean(signed, [assertion!, assertion!.split('.')[2]!]);
    expect(signed.challenges[0]?.params.error_description).not.toContain(assertion!);
    const supplied = await failure(
      new ClientCredentialsTokenProvider({
        ...base,
        tokenUrl: `${server.url}/token`,
        clientAssertion: async () => 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJzdmMifQ.c2lnbmF0dXJlLVNzMTE',
      }),
    );
    expectClean(supplied, ['c2lnbmF0dXJlLVNzMTE']);
  });

  it('refresh, subject and actor tokens and JWT-bearer assertions are scrubbed', async () => {
    const refresh = await failure(
      new RefreshTokenProvider({
        ...base,
        tokenUrl: `${server.url}/token`,
        clientSecret: SECRET,
        refreshToken: REFRESH,
      }),
    );
    expectClean(refresh, [REFRESH, SECRET]);
    const exchange = await failure(
      new TokenExchangeTokenProvider({
        ...base,
        tokenUrl: `${server.url}/token`,
        clientSecret: SECRET,
        subjectToken: SUBJECT,
        actorToken: async () => ACTOR,
        actorTokenType: 'urn:ietf:params:oauth:token-type:access_token',
      }),
    );
    expectClean(exchange, [SUBJECT, ACTOR, SECRET]);
    const bearer = await failure(
      new JwtBearerTokenProvider({
        ...base,
        tokenUrl: `${server.url}/token`,
        assertion: { privateKey: key, issuer: 'i', subject: 's' },
      }),
    );
    const [assertion] = sent('assertion');
    expectClean(bearer, [assertion!]);
  });
});
