// Identities, cache keys, held-back errors, challenges and replay events never carry a secret.
import diagnosticsChannel from 'node:diagnostics_channel';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AuthenticationException,
  BodyTokenFetcher,
  CHANNELS,
  ClientCredentialsTokenProvider,
  HttpClient,
  HttpClientConfigBuilder,
  PasswordGrantTokenProvider,
  PipelineTokenProvider,
  TokenFetchPipeline,
  TokenManager,
} from '../../src/index';
import { type LoopbackServer, startServer } from '../support/loopback-server';

const SECRET = 'client-secret-Qq91';
const PASSWORD = 'user-password-Zz42';
const USERNAME = 'alice.secret@example.com';
let auth: LoopbackServer;
let api: LoopbackServer;

beforeAll(async () => {
  [auth, api] = await Promise.all([startServer(), startServer()]);
});
afterAll(() => Promise.all([auth.close(), api.close()]));

function expectClean(value: unknown) {
  const texts = [inspect(value, { depth: 10 }), JSON.stringify(value) ?? '', String(value)];
  for (const text of texts)
    for (const secret of [SECRET, PASSWORD, USERNAME]) expect(text).not.toContain(secret);
}

describe('identities and cache keys', () => {
  it('providers, fetchers and pipelines expose an identity without secrets or the subject in clear', async () => {
    const password = new PasswordGrantTokenProvider({
      tokenUrl: `${auth.url}/token`,
      clientId: 'c',
      clientSecret: SECRET,
      username: USERNAME,
      password: PASSWORD,
      serviceName: 's',
    });
    const fetcher = new BodyTokenFetcher({
      name: 'user',
      baseUrl: auth.url,
      endpoint: '/token',
      requestData: { username: USERNAME, password: PASSWORD, client_secret: SECRET },
      requestHeaders: { 'X-Client-Secret': SECRET },
    });
    const pipeline = new TokenFetchPipeline({ steps: [fetcher] });
    const values = [
      password.identity,
      new TokenManager(password).cacheKey,
      fetcher.identity,
      pipeline.identity,
      pipeline.cacheKey('user'),
      new PipelineTokenProvider(pipeline, { serviceName: 'p' }).identity,
      new TokenManager(password),
    ];
    for (const value of values) expectClean(value);
    await password.close();
    await fetcher.close();
  });
});

describe('errors while the token endpoint is held back, and replay events', () => {
  it('a refusal that echoes the secret in its challenge and description is scrubbed, also when repeated', async () => {
    auth.handle((_req, res) => {
      res.writeHead(401, {
        'content-type': 'application/json',
        'www-authenticate': `Basic realm="token", error_description="bad secret ${SECRET}"`,
      });
      res.end(JSON.stringify({ error: 'invalid_client', error_description: `bad secret ${SECRET}` }));
    });
    const provider = new ClientCredentialsTokenProvider({
      tokenUrl: `${auth.url}/token`,
      clientId: 'c',
      clientSecret: SECRET,
      serviceName: 's',
    });
    const manager = new TokenManager(provider, undefined, { logger: { warn: () => undefined } });
    const first = (await manager.getToken().catch((e: unknown) => e)) as AuthenticationException;
    const repeated = (await manager.getToken().catch((e: unknown) => e)) as AuthenticationException;
    expect(first.challenges[0]!.params.error_description).toBe('bad secret [REDACTED]');
    expect(repeated.retryable).toBe(false);
    expectClean(first);
    expectClean(repeated);
    await provider.close();
  });

  it('requestforge:auth:replay says whether the credentials changed, never what they are', async () => {
    let n = 0;
    auth.handle((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ access_token: `${SECRET}-${++n}`, expires_in: 3600 }));
    });
    let first = true;
    api.handle((_req, res) => {
      res.writeHead(first ? 401 : 200).end();
      first = false;
    });
    const messages: unknown[] = [];
    const listener = (message: unknown) => messages.push(message);
    diagnosticsChannel.subscribe(CHANNELS.authReplay, listener);
    const provider = new ClientCredentialsTokenProvider({
      tokenUrl: `${auth.url}/token`,
      clientId: 'c',
      clientSecret: 'x-secret',
      serviceName: 's',
    });
    const client = new HttpClient(
      new HttpClientConfigBuilder().withBaseUrl(api.url).withTokenAuth(new TokenManager(provider)).build(),
    );
    try {
      expect((await client.get(`/x?access_token=${SECRET}`)).statusCode).toBe(200);
      expect(messages).toHaveLength(1);
      expectClean(messages);
    } finally {
      diagnosticsChannel.unsubscribe(CHANNELS.authReplay, listener);
      await client.close();
      await provider.close();
    }
  });
});
