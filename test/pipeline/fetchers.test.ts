import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthenticationException, TokenData } from '../../src/index';
import {
  BodyTokenFetcher,
  FetchContext,
  HeaderTokenFetcher,
  TokenFetchPipeline,
} from '../../src/pipeline/index';
import { type LoopbackServer, type RecordedRequest, startServer } from '../support/loopback-server';
import {
  APP_SECRET,
  guideSteps,
  PASSWORD,
  type PipelineAuthServer,
  startPipelineAuth,
  USERNAME,
} from '../support/pipeline-servers';

let auth: PipelineAuthServer;
let server: LoopbackServer;
beforeAll(async () => {
  auth = await startPipelineAuth();
  server = await startServer();
});
afterAll(() => Promise.all([auth.close(), server.close()]));

function answer(status: number, headers: Record<string, string>, body: string) {
  server.handle((_request, response) => {
    response.writeHead(status, headers);
    response.end(body);
  });
}

const json = (body: unknown, headers: Record<string, string> = {}) =>
  answer(200, { 'content-type': 'application/json', ...headers }, JSON.stringify(body));

const lastRequest = (): RecordedRequest => server.requests.at(-1)!;

function bodyFetcher(options: Partial<ConstructorParameters<typeof BodyTokenFetcher>[0]> = {}) {
  return new BodyTokenFetcher({
    name: 'user_token',
    baseUrl: server.url,
    endpoint: '/token',
    requestData: {
      grant_type: 'password',
      client_secret: APP_SECRET,
      username: USERNAME,
      password: PASSWORD,
    },
    maxRetries: 0,
    timeoutMs: 2_000,
    ...options,
  });
}

function expectNoSecret(value: unknown) {
  for (const secret of [APP_SECRET, PASSWORD]) {
    expect(inspect(value, { depth: 10 })).not.toContain(secret);
    expect(JSON.stringify(value)).not.toContain(secret);
    expect(String(value)).not.toContain(secret);
  }
}

describe('injecting a dependency token into the request (the Advanced Pipeline)', () => {
  class UserTokenFetcher extends BodyTokenFetcher {
    protected override buildRequestHeaders(context: FetchContext): Record<string, string> {
      const headers = super.buildRequestHeaders(context);
      headers['X-App-Token'] = context.getTokenValue('app_token')!;
      return headers;
    }
  }

  it('a subclass overriding buildRequestHeaders sends X-App-Token from the context', async () => {
    const [app] = guideSteps(auth);
    const user = new UserTokenFetcher({
      name: 'user_token',
      baseUrl: auth.url,
      endpoint: '/v1/user/token',
      requestHeaders: { 'X-Client': 'pipeline-test' },
      requestData: { username: USERNAME, password: PASSWORD },
      ttlMs: 30 * 60_000,
      dependsOn: ['app_token'],
      maxRetries: 0,
    });
    const pipeline = new TokenFetchPipeline({ steps: [app, user] });
    const token = await pipeline.execute();
    const received = auth.requestsTo('/v1/user/token').at(-1)!;
    const appToken = (await pipeline.cachedToken('app_token'))!.accessToken;
    expect(received.headers['x-app-token']).toBe(appToken);
    expect(received.headers['x-client']).toBe('pipeline-test');
    expect(auth.liveUserTokens.has(token.accessToken)).toBe(true);
    await pipeline.close();
  });

  it('the same with requestHeaders as a function of the context', async () => {
    const [app, user] = guideSteps(auth, {
      user: { requestHeaders: (context) => ({ 'X-App-Token': context.getTokenValue('app_token')! }) },
    });
    const pipeline = new TokenFetchPipeline({ steps: [app, user] });
    await pipeline.execute();
    const received = auth.requestsTo('/v1/user/token').at(-1)!;
    expect(received.headers['x-app-token']).toBe((await pipeline.cachedToken('app_token'))!.accessToken);
    await pipeline.close();
  });

  it('buildRequestData returns a fresh copy each time, and requestData may be a function', async () => {
    class Probe extends BodyTokenFetcher {
      data(context: FetchContext) {
        return this.buildRequestData(context);
      }
      headers(context: FetchContext) {
        return this.buildRequestHeaders(context);
      }
    }
    const probe = new Probe({
      name: 'p',
      baseUrl: server.url,
      endpoint: '/t',
      requestData: { a: '1' },
      requestHeaders: { 'X-A': '1' },
    });
    const first = probe.data(new FetchContext());
    first.a = 'changed';
    expect(probe.data(new FetchContext())).toEqual({ a: '1' });
    const headers = probe.headers(new FetchContext());
    headers['X-A'] = 'changed';
    expect(probe.headers(new FetchContext())).toEqual({ 'X-A': '1' });

    json({ access_token: 'tok-1' });
    const dynamic = bodyFetcher({
      requestData: (context) => ({ app: context.getTokenValue('app_token'), n: 2 }),
      contentType: 'json',
    });
    await dynamic.fetch(new FetchContext({ app_token: new TokenData({ accessToken: 'the-app-token' }) }));
    expect(JSON.parse(lastRequest().body)).toEqual({ app: 'the-app-token', n: 2 });
    expect(lastRequest().headers['content-type']).toBe('application/json');
    await Promise.all([probe.close(), dynamic.close()]);
  });
});

describe('BodyTokenFetcher', () => {
  it('posts a form and reads the JSON body; ttlMs wins over expires_in', async () => {
    json({ access_token: 'tok-a', token_type: 'bearer', expires_in: 7200, refresh_token: 'r-1', scope: 's' });
    const fetcher = bodyFetcher({ ttlMs: 60_000 });
    const before = Date.now();
    const token = await fetcher.fetch(new FetchContext());
    expect(lastRequest().method).toBe('POST');
    expect(lastRequest().headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(Object.fromEntries(new URLSearchParams(lastRequest().body))).toMatchObject({
      grant_type: 'password',
      username: USERNAME,
    });
    expect(token.accessToken).toBe('tok-a');
    expect(token.authorizationHeader).toBe('Bearer tok-a');
    expect(token.refreshToken).toBe('r-1');
    expect(token.lifetimeMs).toBe(60_000);
    expect(token.issuedAt.getTime()).toBeGreaterThanOrEqual(before);
    await fetcher.close();
  });

  it('uses expires_in without ttlMs, custom field names, and defaultTokenType without a type', async () => {
    json({ token: 'tok-b', ttl: 120 });
    const fetcher = bodyFetcher({
      tokenField: 'token',
      expiresInField: 'ttl',
      defaultTokenType: 'Custom',
    });
    const token = await fetcher.fetch(new FetchContext());
    expect(token.accessToken).toBe('tok-b');
    expect(token.tokenType).toBe('Custom');
    expect(token.lifetimeMs).toBe(120_000);
    json({ token: 'tok-c', type: 'MAC' });
    const typed = await bodyFetcher({ tokenField: 'token', tokenTypeField: 'type' }).fetch(
      new FetchContext(),
    );
    expect(typed.tokenType).toBe('MAC');
    expect(typed.expiresAt).toBeUndefined();
    await fetcher.close();
  });

  it('reads a form-encoded answer too', async () => {
    answer(200, { 'content-type': 'application/x-www-form-urlencoded' }, 'access_token=tok-f&expires_in=60');
    const token = await bodyFetcher().fetch(new FetchContext());
    expect(token.accessToken).toBe('tok-f');
    expect(token.lifetimeMs).toBe(60_000);
  });

  it('GET sends requestData as query parameters', async () => {
    json({ access_token: 'tok-g' });
    const fetcher = bodyFetcher({ method: 'get', requestData: { key: 'value', n: 3 } });
    expect(fetcher.method).toBe('GET');
    await fetcher.fetch(new FetchContext());
    expect(lastRequest().method).toBe('GET');
    expect(lastRequest().url).toBe('/token?key=value&n=3');
    expect(lastRequest().body).toBe('');
    await fetcher.close();
  });

  it('keeps the base URL path and refuses endpoints that would leave it', () => {
    const nested = bodyFetcher({ baseUrl: `${server.url}/auth/`, endpoint: '/v1/token' });
    expect(nested.url).toBe(`${server.url}/auth/v1/token`);
    expect(() => bodyFetcher({ endpoint: 'https://evil.example/token' })).toThrow(/endpoint/);
    expect(() => bodyFetcher({ endpoint: '//evil.example/token' })).toThrow(/endpoint/);
    expect(() => bodyFetcher({ baseUrl: `${server.url}/auth`, endpoint: '/../x' })).toThrow(/endpoint/);
  });
});

describe('HeaderTokenFetcher', () => {
  const headerFetcher = (options: Partial<ConstructorParameters<typeof HeaderTokenFetcher>[0]> = {}) =>
    new HeaderTokenFetcher({
      name: 'session',
      baseUrl: server.url,
      endpoint: '/login',
      requestData: { username: USERNAME, password: PASSWORD },
      maxRetries: 0,
      ...options,
    });

  it('reads "Authorization: Bearer x" as the token x, sent as "Bearer x" (no "Bearer Bearer")', async () => {
    answer(200, { authorization: 'Bearer hdr-token-1' }, '');
    const token = await headerFetcher({ ttlMs: 10_000 }).fetch(new FetchContext());
    expect(token.accessToken).toBe('hdr-token-1');
    expect(token.authorizationHeader).toBe('Bearer hdr-token-1');
    expect(token.lifetimeMs).toBe(10_000);
    expect(lastRequest().headers['content-type']).toBe('application/x-www-form-urlencoded');

    answer(200, { 'x-auth-token': 'bearer plain-2' }, '');
    const custom = await headerFetcher({ tokenHeader: 'X-Auth-Token' }).fetch(new FetchContext());
    expect(custom.accessToken).toBe('plain-2');
    expect(custom.expiresAt).toBeUndefined();

    answer(200, { 'x-auth-token': 'Bearer kept' }, '');
    const bare = await headerFetcher({ tokenHeader: 'x-auth-token', tokenType: '' }).fetch(
      new FetchContext(),
    );
    expect(bare.accessToken).toBe('Bearer kept');
    expect(bare.authorizationHeader).toBe('Bearer kept');
  });

  it('a missing header or control characters are an AuthenticationException naming the header', async () => {
    answer(200, { 'content-type': 'application/json' }, '{}');
    const missing = (await headerFetcher({ tokenHeader: 'X-Auth-Token' })
      .fetch(new FetchContext())
      .catch((e: unknown) => e)) as AuthenticationException;
    expect(missing).toBeInstanceOf(AuthenticationException);
    expect(missing.serviceName).toBe('session');
    expect(missing.message).toMatch(/without a "X-Auth-Token" header/);

    answer(200, { authorization: 'Bearer abc\tdef' }, '');
    await expect(headerFetcher().fetch(new FetchContext())).rejects.toThrow(/control characters/);
  });
});

describe('failures are typed, bounded and free of secrets', () => {
  async function failure(fetcher: BodyTokenFetcher): Promise<AuthenticationException> {
    const error = await fetcher.fetch(new FetchContext()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthenticationException);
    expect((error as AuthenticationException).serviceName).toBe('user_token');
    expectNoSecret(error);
    expect((error as Error).message).not.toContain(APP_SECRET);
    await fetcher.close();
    return error as AuthenticationException;
  }

  it('an HTML page', async () => {
    answer(200, { 'content-type': 'text/html' }, `<html>login ${PASSWORD}</html>`);
    const error = await failure(bodyFetcher());
    expect(error.message).toMatch(/without a token response \(text\/html\)/);
  });

  it('a 500 is retried a bounded number of times, and echoed secrets are scrubbed', async () => {
    const before = server.requests.length;
    answer(
      500,
      { 'content-type': 'application/json' },
      JSON.stringify({ error: 'server_error', error_description: `bad client_secret ${APP_SECRET}` }),
    );
    const error = await failure(bodyFetcher({ maxRetries: 1 }));
    expect(server.requests.length - before).toBe(2);
    expect(error.statusCode).toBe(500);
    expect(error.errorDescription).toBe('bad client_secret [REDACTED]');
  });

  it('a GET refusal reports the endpoint, not the URL with the request data', async () => {
    answer(401, { 'content-type': 'application/json' }, JSON.stringify({ error: 'invalid_client' }));
    const error = await failure(bodyFetcher({ method: 'GET', requestData: { api_secret: APP_SECRET } }));
    expect(error.context.tokenUrl).toBe(`${server.url}/token`);
    expect(error.error).toBe('invalid_client');
  });

  it('a 200 without the token field', async () => {
    json({ token_type: 'Bearer', note: PASSWORD });
    const error = await failure(bodyFetcher());
    expect(error.message).toMatch(/"access_token" is missing or empty/);
  });

  it('a 200 with an OAuth error field', async () => {
    json({ error: 'invalid_grant', error_description: 'no' });
    const error = await failure(bodyFetcher());
    expect(error.error).toBe('invalid_grant');
  });

  it('a request-building failure (bad header from a context function)', async () => {
    const fetcher = bodyFetcher({
      requestHeaders: () => ({ 'X-App-Token': undefined as unknown as string }),
    });
    const error = await failure(fetcher);
    expect(error.message).toBe('Building the token request of "user_token" failed (TypeError)');
  });

  it('an unreachable server, also for a GET whose query carries a secret under an unusual name', async () => {
    const post = await failure(bodyFetcher({ baseUrl: 'http://127.0.0.1:1', timeoutMs: 500 }));
    expect(post.message).toMatch(/^Token request for "user_token" failed \(ERR_CONNECTION\)/);
    const get = bodyFetcher({
      baseUrl: 'http://127.0.0.1:1',
      method: 'GET',
      requestData: { api_secret: APP_SECRET, pin: PASSWORD },
    });
    const error = await failure(get);
    expect(error.cause).toBeInstanceOf(Error);
    expect(inspect(error.cause)).toContain('api_secret=[REDACTED]');
  });
});

describe('construction and printing', () => {
  it('refuses bad options with a TypeError naming the option', () => {
    const base = { name: 'x', baseUrl: 'https://auth.example.com', endpoint: '/t' };
    const bad: Array<[Record<string, unknown>, RegExp]> = [
      [{ name: '' }, /name/],
      [{ baseUrl: 'ftp://auth.example.com' }, /baseUrl/],
      [{ baseUrl: 'not a url' }, /baseUrl/],
      [{ method: 'DELETE' }, /method/],
      [{ dependsOn: 'app_token' }, /dependsOn/],
      [{ dependsOn: [1] }, /dependsOn/],
      [{ ttlMs: 0 }, /ttlMs/],
      [{ ttlMs: '1h' }, /ttlMs/],
      [{ timeoutMs: -1 }, /timeoutMs/],
      [{ maxRetries: 1.5 }, /maxRetries/],
      [{ contentType: 'xml' }, /contentType/],
      [{ requestHeaders: { 'X-A': 1 } }, /requestHeaders/],
      [{ requestData: 'a=1' }, /requestData/],
      [{ tokenField: '' }, /tokenField/],
      [{ defaultTokenType: 'Bad Type' }, /defaultTokenType/],
    ];
    for (const [override, message] of bad) {
      expect(() => new BodyTokenFetcher({ ...base, ...override } as never)).toThrow(TypeError);
      expect(() => new BodyTokenFetcher({ ...base, ...override } as never)).toThrow(message);
    }
    expect(() => new HeaderTokenFetcher({ ...base, tokenHeader: 'Bad Header' })).toThrow(/tokenHeader/);
    expect(() => new HeaderTokenFetcher({ ...base, tokenType: 'a b' })).toThrow(/tokenType/);
  });

  it('printing fetchers, contexts and pipelines never shows a secret', async () => {
    const [app, user] = guideSteps(auth);
    const pipeline = new TokenFetchPipeline({ steps: [app, user], cacheKeyPrefix: 'myapp' });
    const token = await pipeline.execute();
    const context = new FetchContext({ user_token: token }, { tenant: 't-1' });
    for (const value of [app, user, pipeline, context]) {
      expectNoSecret(value);
      expect(inspect(value)).not.toContain(token.accessToken);
      expect(JSON.stringify(value)).not.toContain(token.accessToken);
    }
    expect(JSON.stringify(app)).toContain('client_secret');
    expect(inspect(app)).toContain('/v1/app/token');
    expect(String(context)).toBe('FetchContext(user_token)');
    expect(context.hasValidToken('user_token')).toBe(true);
    await pipeline.close();
  });
});

describe('FetchContext', () => {
  it('answers by step name and judges validity with the freshness rule', () => {
    const now = Date.now();
    const valid = new TokenData({
      accessToken: 'v',
      issuedAt: new Date(now),
      expiresAt: new Date(now + 3600_000),
    });
    // 10 s lifetime: leeway is 1 s (10 %), so 500 ms before expiry it is no longer valid.
    const ending = new TokenData({
      accessToken: 'e',
      issuedAt: new Date(now - 9_500),
      expiresAt: new Date(now + 500),
    });
    const context = new FetchContext(
      new Map([
        ['valid', valid],
        ['ending', ending],
      ]),
    );
    expect(context.names).toEqual(['valid', 'ending']);
    expect(context.getToken('valid')).toBe(valid);
    expect(context.getTokenValue('valid')).toBe('v');
    expect(context.getTokenValue('none')).toBeUndefined();
    expect(context.hasToken('ending')).toBe(true);
    expect(context.hasToken('none')).toBe(false);
    expect(context.hasValidToken('valid')).toBe(true);
    expect(context.hasValidToken('ending')).toBe(false);
    expect(context.hasValidToken('ending', now - 1_000)).toBe(true);
    expect(context.hasValidToken('none')).toBe(false);
    expect(context.metadata).toEqual({});
    expect(() => new FetchContext({ bad: 'x' as never })).toThrow(TypeError);
  });
});
