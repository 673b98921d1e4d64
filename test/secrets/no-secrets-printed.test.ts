import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  HttpClient,
  HttpClientConfigBuilder,
  HttpRequest,
  ServerErrorException,
  toCurl,
} from '../../src/index';
import { type LoopbackServer, startServer } from '../support/loopback-server';

const SECRET = 'top-secret-value-42';
let server: LoopbackServer;

beforeAll(async () => {
  server = await startServer((req, res) => {
    res.writeHead(500, { 'set-cookie': `sid=${SECRET}`, 'content-type': 'application/json' });
    res.end(JSON.stringify({ echo: req.url }));
  });
});
afterAll(() => server.close());

function expectClean(value: unknown) {
  expect(inspect(value, { depth: 10 })).not.toContain(SECRET);
  expect(JSON.stringify(value)).not.toContain(SECRET);
  expect(String(value)).not.toContain(SECRET);
}

describe('secrets never appear when our objects are printed', () => {
  it('config, client, request, response, headers, errors', async () => {
    const config = new HttpClientConfigBuilder()
      .withBaseUrl(server.url)
      .withBearerToken(SECRET)
      .withHeader('Cookie', `c=${SECRET}`)
      .withProxy(`http://user:${SECRET}@proxy.test:3128`)
      .withTls({ key: `-----BEGIN KEY-----${SECRET}` })
      .withRaiseForStatus()
      .build();
    expectClean(config);
    const client = new HttpClient(
      new HttpClientConfigBuilder()
        .withBaseUrl(server.url)
        .withBearerToken(SECRET)
        .withRaiseForStatus()
        .build(),
    );
    expectClean(client);

    const error = await client
      .post(`/login?password=${SECRET}&page=1`, {
        json: {
          user: 'a',
          password: SECRET,
          nested: { client_secret: SECRET, list: [{ access_token: SECRET }] },
        },
        headers: { 'X-API-Key': SECRET, 'Proxy-Authorization': SECRET },
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServerErrorException);
    expectClean(error);
    const { response } = error as ServerErrorException;
    expectClean(response);
    expectClean(response.request);
    expectClean(response.headers);
    expect(response.request.headers.authorization).toBe(`Bearer ${SECRET}`);
    expect(toCurl(response.request)).not.toContain(SECRET);
    expect(toCurl(response.request, { redact: false })).toContain(SECRET);
    await client.close();
  });

  it('form bodies and raw JSON strings are redacted by toCurl', () => {
    const form = new HttpRequest({
      method: 'POST',
      url: 'https://h.test/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `grant_type=password&password=${SECRET}&client_secret=${SECRET}`,
    });
    expect(toCurl(form)).toContain('grant_type=password');
    expect(toCurl(form)).not.toContain(SECRET);
    const json = new HttpRequest({
      method: 'POST',
      url: 'https://h.test/x',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refresh_token: SECRET, keep: 'me' }),
    });
    expect(toCurl(json)).toContain('"keep":"me"');
    expect(toCurl(json)).not.toContain(SECRET);
    expectClean(json);
  });
});

describe('toCurl', () => {
  it('prints an equivalent command', () => {
    const request = new HttpRequest({
      method: 'post',
      url: 'https://api.example.com/users?page=1',
      headers: { 'X-Custom': "it's", 'Content-Type': 'application/json' },
      body: '{"name":"x"}',
      json: { name: 'x' },
      timeoutMs: 30_000,
    });
    expect(toCurl(request)).toBe(
      `curl -X POST 'https://api.example.com/users?page=1' -H 'x-custom: it'\\''s' -H 'content-type: application/json' --data-raw '{"name":"x"}' --max-time 30`,
    );
  });
});

describe('every object of ours prints without secrets', () => {
  it('providers, managers, hooks, tokens, storages, strategies', async () => {
    const {
      ApiKeyAuthHook,
      BasicAuthHook,
      BearerTokenAuthHook,
      ClientCredentialsTokenProvider,
      CompositeAuthHook,
      InMemoryTokenStorage,
      PasswordGrantTokenProvider,
      TokenAuthHook,
      TokenData,
      TokenManager,
      AuthorizationHook,
    } = await import('../../src/index');
    const cc = new ClientCredentialsTokenProvider({
      tokenUrl: 'https://auth.test/token',
      clientId: 'id',
      clientSecret: SECRET,
      serviceName: 's',
    });
    const pw = new PasswordGrantTokenProvider({
      tokenUrl: 'https://auth.test/token',
      clientId: 'id',
      clientSecret: SECRET,
      username: 'u',
      password: SECRET,
      serviceName: 's',
    });
    const storage = new InMemoryTokenStorage();
    const token = new TokenData({ accessToken: SECRET, refreshToken: SECRET });
    await storage.set('k', token);
    const manager = new TokenManager(
      { serviceName: 'm', fetchToken: async () => token, refreshToken: async () => token },
      storage,
    );
    await manager.getToken();
    const objects = [
      cc,
      pw,
      storage,
      token,
      manager,
      new TokenAuthHook(manager),
      new BearerTokenAuthHook(SECRET),
      new ApiKeyAuthHook(SECRET),
      new BasicAuthHook('user', SECRET),
      new CompositeAuthHook([new ApiKeyAuthHook(SECRET), new BearerTokenAuthHook(SECRET)]),
      new AuthorizationHook(() => SECRET),
    ];
    for (const object of objects) {
      expect(inspect(object, { depth: 10, showHidden: false })).not.toContain(SECRET);
      expect(String(object)).not.toContain(SECRET);
    }
    // Token serialisation for storages is the one deliberate exception.
    expect(JSON.stringify(token)).toContain(SECRET);
    for (const object of objects.filter((o) => o !== token && o !== storage))
      expect(JSON.stringify(object) ?? '').not.toContain(SECRET);
    await cc.close();
    await pw.close();
  });
});
