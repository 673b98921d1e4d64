import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApiKeyAuthHook,
  BearerTokenAuthHook,
  CompositeAuthHook,
  HttpClient,
  HttpClientConfigBuilder,
  LoggingErrorHook,
  LoggingRequestHook,
  LoggingResponseHook,
  TokenData,
  TokenManager,
} from '../../src/index';
import { captureLogger } from '../support/helpers';
import { type LoopbackServer, startServer } from '../support/loopback-server';

const SECRETS = {
  bearer: 'bearer-SECRET-1',
  apiKey: 'apikey-SECRET-2',
  basicPassword: 'basic-SECRET-3',
  formPassword: 'form-SECRET-4',
  clientSecret: 'client-SECRET-5',
  jsonToken: 'json-SECRET-6',
  query: 'query-SECRET-7',
  cookie: 'cookie-SECRET-8',
  custom: 'custom-SECRET-9',
  responseToken: 'response-SECRET-10',
  setCookie: 'setcookie-SECRET-11',
};

let server: LoopbackServer;

beforeAll(async () => {
  server = await startServer((req, res) => {
    if (req.url.startsWith('/fail')) {
      res.socket?.destroy();
      return;
    }
    res.writeHead(req.url.startsWith('/missing') ? 404 : 200, {
      'content-type': 'application/json',
      'set-cookie': `sid=${SECRETS.setCookie}`,
    });
    res.end(
      JSON.stringify({
        access_token: SECRETS.responseToken,
        refresh_token: SECRETS.responseToken,
        user: 'ada',
      }),
    );
  });
});
afterAll(() => server.close());

describe('logging never shows a secret', () => {
  it.each([
    ['bearer', (b: HttpClientConfigBuilder) => b.withBearerToken(SECRETS.bearer), SECRETS.bearer],
    [
      'api key in a header of its own',
      (b: HttpClientConfigBuilder) => b.withApiKey(SECRETS.apiKey, { headerName: 'X-Service-Key' }),
      SECRETS.apiKey,
    ],
    [
      'basic',
      (b: HttpClientConfigBuilder) => b.withBasicAuth('user', SECRETS.basicPassword),
      SECRETS.basicPassword,
    ],
    [
      'managed token',
      (b: HttpClientConfigBuilder) =>
        b.withTokenAuth(
          new TokenManager({
            serviceName: 'logged',
            fetchToken: async () => new TokenData({ accessToken: SECRETS.jsonToken }),
            refreshToken: async () => new TokenData({ accessToken: SECRETS.jsonToken }),
          }),
        ),
      SECRETS.jsonToken,
    ],
    [
      'composite',
      (b: HttpClientConfigBuilder) =>
        b.withAuthHook(
          new CompositeAuthHook(
            [
              new ApiKeyAuthHook(SECRETS.custom, { headerName: 'X-Key' }),
              new BearerTokenAuthHook(SECRETS.query),
            ],
            { strategy: 'all' },
          ),
        ),
      SECRETS.query,
    ],
  ] as const)(
    '%s: the credential the client adds is scrubbed from the request lines logged before it is added',
    async (_name, auth, credential) => {
      const log = captureLogger();
      const client = new HttpClient(
        auth(new HttpClientConfigBuilder().withBaseUrl(server.url))
          .withLogging({ logger: log.logger, logHeaders: true, logBody: true })
          .build(),
      );
      // Warm: a managed token is known once fetched.
      await client.get('/warm');
      // The caller's own copy of the credential, under names that are not credential names.
      await client.post('/echo', {
        json: { note: `forwarding ${credential}`, plain: credential },
        headers: { 'X-Forwarded-Credential': credential },
      });
      const output = log.text();
      expect(output).toContain('"note":"forwarding [REDACTED]"');
      expect(output).toContain('"x-forwarded-credential":"[REDACTED]"');
      expect(output).not.toContain(credential);
      await client.close();
    },
  );

  const auths = [
    ['bearer', (b: HttpClientConfigBuilder) => b.withBearerToken(SECRETS.bearer)],
    [
      'api key',
      (b: HttpClientConfigBuilder) => b.withApiKey(SECRETS.apiKey, { headerName: 'X-Service-Key' }),
    ],
    ['basic', (b: HttpClientConfigBuilder) => b.withBasicAuth('user', SECRETS.basicPassword)],
  ] as const;

  it.each(auths)(
    '%s, with logHeaders and logBody on, across JSON, form, query and response bodies',
    async (_name, auth) => {
      const log = captureLogger();
      const client = new HttpClient(
        auth(new HttpClientConfigBuilder().withBaseUrl(server.url))
          .withHeader('Cookie', `c=${SECRETS.cookie}`)
          .withLogging({
            logger: log.logger,
            logHeaders: true,
            logBody: true,
            sensitiveKeys: ['X-Custom-Secret', 'pin'],
          })
          .withRetry({ maxRetries: 1, baseDelayMs: 1, maxDelayMs: 1 })
          .build(),
      );
      await client.post('/login', {
        data: { username: 'ada', password: SECRETS.formPassword, client_secret: SECRETS.clientSecret },
        headers: { 'X-Custom-Secret': SECRETS.custom },
      });
      await client.post(`/token?api_key=${SECRETS.query}&page=1`, {
        json: {
          grant_type: 'x',
          nested: { access_token: SECRETS.jsonToken, list: [{ pin: SECRETS.custom }] },
        },
      });
      await client.get('/missing');
      await client.get('/fail').catch(() => undefined);
      const output = log.text();
      for (const secret of Object.values(SECRETS)) expect(output).not.toContain(secret);
      // What is logged is still useful.
      expect(output).toContain('→ POST');
      expect(output).toContain('← 200 POST');
      expect(output).toContain('← 404 GET');
      expect(output).toContain('[REDACTED]');
      expect(output).toContain('"user":"ada"');
      expect(output).toContain('username=ada');
      expect(output).toContain('page=1');
      expect(output).toContain('ConnectionException (ERR_CONNECTION)');
      expect(output).toContain('(retry 1/1)');
      await client.close();
    },
  );

  it('uses warn for 4xx/5xx, error for failures, info otherwise; logs nothing extra by default', async () => {
    const levels: string[] = [];
    const logger = {
      info: () => levels.push('info'),
      warn: () => levels.push('warn'),
      error: () => levels.push('error'),
      debug: () => levels.push('debug'),
    };
    const client = new HttpClient(
      new HttpClientConfigBuilder().withBaseUrl(server.url).withLogging({ logger }).build(),
    );
    await client.get('/ok');
    await client.get('/missing');
    await client.get('/fail').catch(() => undefined);
    expect(levels).toEqual(['info', 'info', 'info', 'warn', 'info', 'error']);
    await client.close();
  });

  it('respects isLevelEnabled (pino, winston): disabled levels are not even formatted', async () => {
    const lines: string[] = [];
    const write = (line: string) => lines.push(line);
    const logger = {
      isLevelEnabled: (level: string) => level === 'warn' || level === 'error',
      info: write,
      warn: write,
      error: write,
      debug: write,
    };
    const client = new HttpClient(
      new HttpClientConfigBuilder()
        .withBaseUrl(server.url)
        .withLogging({ logger, logHeaders: true, logBody: true })
        .build(),
    );
    await client.get('/ok');
    expect(lines).toEqual([]);
    await client.get('/missing');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/← 404 GET/);
    await client.close();
  });

  it('times an attempt from its request hook and keeps nothing in context.metadata', async () => {
    const lines: string[] = [];
    const write = (line: string) => lines.push(line);
    const logger = {
      isLevelEnabled: (level: string) => level !== 'debug',
      info: write,
      warn: write,
      error: write,
    };
    const seen: Array<Record<string, unknown>> = [];
    const client = new HttpClient(
      new HttpClientConfigBuilder()
        .withBaseUrl(server.url)
        .withLogging({ logger })
        // Runs after the logging hook: 40 ms between the logged start and the send.
        .withRequestHook(async (request, context) => {
          seen.push(context.metadata);
          await new Promise((resolve) => setTimeout(resolve, 40));
          return request;
        })
        .build(),
    );
    await client.get('/missing');
    expect(Object.keys(seen[0]!)).toEqual(['requestId']);
    const ms = Number(/\((\d+\.\d) ms\)/.exec(lines[1]!)?.[1]);
    expect(ms).toBeGreaterThanOrEqual(39);
    await client.close();
  });

  it('the hooks can be used on their own, and refuse a logger without methods', async () => {
    const log = captureLogger();
    const client = new HttpClient(
      new HttpClientConfigBuilder()
        .withBaseUrl(server.url)
        .withRequestHook(new LoggingRequestHook({ logger: log.logger }))
        .withResponseHook(new LoggingResponseHook({ logger: log.logger }))
        .withErrorHook(new LoggingErrorHook({ logger: log.logger }))
        .build(),
    );
    await client.get('/ok');
    expect(log.lines).toHaveLength(2);
    expect(log.lines[0]).toMatch(/^\[[0-9a-f]{10}\] → GET http:\/\/127\.0\.0\.1:\d+\/ok$/);
    await client.close();
    expect(() => new LoggingRequestHook({ logger: {} as never })).toThrow(/logger/);
  });
});
