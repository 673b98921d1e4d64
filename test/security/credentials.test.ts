import { Readable } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  ApiKeyAuthHook,
  BasicAuthHook,
  CompositeAuthHook,
  HttpClient,
  HttpClientConfigBuilder,
  TooManyRedirectsException,
} from '../../src/index';
import { echo, type LoopbackServer, startServer, TLS_FIXTURES } from '../support/loopback-server';

let home: LoopbackServer;
let evil: LoopbackServer;
let secureHome: LoopbackServer;

beforeAll(async () => {
  home = await startServer();
  evil = await startServer();
  secureHome = await startServer(undefined, { tls: true });
});
afterAll(async () => {
  await Promise.all([home.close(), evil.close(), secureHome.close()]);
});
afterEach(() => {
  for (const server of [home, evil, secureHome]) {
    server.handle(echo);
    server.requests.length = 0;
  }
});

const SECRETS = {
  bearer: 'bearer-secret-123',
  apiKey: 'api-key-secret-456',
  password: 'basic-password-789',
  cookie: 'session=cookie-secret-000',
};

type Mode = {
  name: string;
  configure: (b: HttpClientConfigBuilder) => HttpClientConfigBuilder;
  header: string;
};
const modes: Mode[] = [
  { name: 'bearer', configure: (b) => b.withBearerToken(SECRETS.bearer), header: 'authorization' },
  { name: 'api key', configure: (b) => b.withApiKey(SECRETS.apiKey), header: 'x-api-key' },
  {
    name: 'custom api key header',
    configure: (b) => b.withApiKey(SECRETS.apiKey, { headerName: 'X-Service-Key' }),
    header: 'x-service-key',
  },
  { name: 'basic', configure: (b) => b.withBasicAuth('user', SECRETS.password), header: 'authorization' },
];

function makeClient(
  mode: Mode,
  base = home.url,
  extra: (b: HttpClientConfigBuilder) => HttpClientConfigBuilder = (b) => b,
) {
  return new HttpClient(
    extra(
      mode.configure(new HttpClientConfigBuilder().withBaseUrl(base).withHeader('Cookie', SECRETS.cookie)),
    ).build(),
  );
}

function expectNoSecrets(server: LoopbackServer) {
  expect(server.requests.length).toBeGreaterThan(0);
  for (const request of server.requests) {
    const dump = JSON.stringify(request.headers);
    expect(request.headers.authorization).toBeUndefined();
    expect(request.headers.cookie).toBeUndefined();
    for (const secret of [
      SECRETS.bearer,
      SECRETS.apiKey,
      SECRETS.cookie,
      Buffer.from(`user:${SECRETS.password}`).toString('base64'),
    ]) {
      expect(dump).not.toContain(secret);
    }
  }
}

describe.each(modes)('$name credentials', (mode) => {
  it('arrive at the base origin', async () => {
    const client = makeClient(mode);
    await client.get('/resource');
    const seen = home.requests[0]!;
    expect(seen.headers[mode.header]).toBeDefined();
    expect(seen.headers.cookie).toBe(SECRETS.cookie);
    await client.close();
  });

  it('are not sent with an absolute URL to another origin (other port)', async () => {
    const client = makeClient(mode);
    await client.get(`${evil.url}/collect`);
    expectNoSecrets(evil);
    await client.close();
  });

  it('are dropped on a redirect to another origin, for the rest of the chain', async () => {
    home.handle((req, res) => {
      if (req.url === '/start') res.writeHead(302, { location: `${evil.url}/hop` }).end();
      else echo(req, res, undefined as never);
    });
    evil.handle((_req, res) => res.writeHead(307, { location: `${home.url}/back` }).end());
    const client = makeClient(mode);
    const response = await client.get('/start', {
      headers: { 'X-Per-Request': 'kept', Cookie: 'per-request=1' },
    });
    expect(response.statusCode).toBe(200);
    expect(response.url).toBe(`${home.url}/back`);
    expectNoSecrets(evil);
    const back = home.requests.find((r) => r.url === '/back')!;
    expect(back.headers[mode.header]).toBeUndefined();
    expect(back.headers.cookie).toBeUndefined();
    expect(back.headers['x-per-request']).toBe('kept');
    await client.close();
  });

  it('are kept on a same-origin redirect', async () => {
    home.handle((req, res) => {
      if (req.url === '/old') res.writeHead(301, { location: '/new' }).end();
      else echo(req, res, undefined as never);
    });
    const client = makeClient(mode);
    await client.get('/old');
    expect(home.requests.map((r) => r.url)).toEqual(['/old', '/new']);
    expect(home.requests[1]!.headers[mode.header]).toBeDefined();
    await client.close();
  });

  it('go to withTrustedOrigins, also after a redirect there', async () => {
    home.handle((_req, res) => res.writeHead(302, { location: `${evil.url}/trusted` }).end());
    const client = makeClient(mode, home.url, (b) => b.withTrustedOrigins([evil.url]));
    await client.get('/go');
    expect(evil.requests[0]!.headers[mode.header]).toBeDefined();
    await client.close();
  });

  it('are dropped on a redirect from https to http, even to a trusted origin', async () => {
    secureHome.handle((_req, res) => res.writeHead(302, { location: `${evil.url}/downgraded` }).end());
    const client = makeClient(mode, secureHome.url, (b) =>
      b.withTls({ ca: TLS_FIXTURES.ca }).withTrustedOrigins([evil.url]),
    );
    await client.get('/secure');
    expect(secureHome.requests[0]!.headers[mode.header]).toBeDefined();
    expectNoSecrets(evil);
    await client.close();
  });
});

describe('composite hooks', () => {
  it('"all" applies every hook, "first_match" only the first that accepts', async () => {
    const key = new ApiKeyAuthHook('k1', { excludedPaths: ['/only-basic'] });
    const basic = new BasicAuthHook('u', 'p');
    const all = new HttpClient(
      new HttpClientConfigBuilder()
        .withBaseUrl(home.url)
        .withAuthHook(new CompositeAuthHook([key, basic], { strategy: 'all' }))
        .build(),
    );
    await all.get('/both');
    await all.get('/only-basic');
    expect(home.requests[0]!.headers['x-api-key']).toBe('k1');
    expect(home.requests[0]!.headers.authorization).toMatch(/^Basic /);
    expect(home.requests[1]!.headers['x-api-key']).toBeUndefined();
    expect(home.requests[1]!.headers.authorization).toMatch(/^Basic /);

    const first = new HttpClient(
      new HttpClientConfigBuilder()
        .withBaseUrl(home.url)
        .withAuthHook(new CompositeAuthHook([key, basic]))
        .build(),
    );
    await first.get('/first');
    expect(home.requests[2]!.headers['x-api-key']).toBe('k1');
    expect(home.requests[2]!.headers.authorization).toBeUndefined();
    await Promise.all([all.close(), first.close()]);
  });

  it('a redirect to another origin strips every header a composite hook added', async () => {
    home.handle((_req, res) => res.writeHead(308, { location: `${evil.url}/x` }).end());
    const hook = new CompositeAuthHook(
      [new ApiKeyAuthHook('k1', { headerName: 'X-Secret-Key' }), new BasicAuthHook('u', 'p')],
      {
        strategy: 'all',
      },
    );
    const client = new HttpClient(
      new HttpClientConfigBuilder().withBaseUrl(home.url).withAuthHook(hook).build(),
    );
    await client.post('/p', { json: { a: 1 } });
    expect(evil.requests[0]!.headers['x-secret-key']).toBeUndefined();
    expect(evil.requests[0]!.headers.authorization).toBeUndefined();
    expect(evil.requests[0]!.method).toBe('POST');
    await client.close();
  });
});

describe('redirect policy', () => {
  it('enforces maxRedirects', async () => {
    let hops = 0;
    home.handle((_req, res) => res.writeHead(302, { location: `/loop/${++hops}` }).end());
    const client = new HttpClient(
      new HttpClientConfigBuilder().withBaseUrl(home.url).withRedirects({ maxRedirects: 3 }).build(),
    );
    const error = await client.get('/loop/0').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TooManyRedirectsException);
    expect((error as TooManyRedirectsException).attempts).toBe(4);
    expect(home.requests).toHaveLength(4);
    await client.close();
  });

  it('follow: false returns the 3xx', async () => {
    home.handle((_req, res) => res.writeHead(302, { location: '/elsewhere' }).end());
    const client = new HttpClient(
      new HttpClientConfigBuilder().withBaseUrl(home.url).withRedirects({ follow: false }).build(),
    );
    const response = await client.get('/x');
    expect(response.statusCode).toBe(302);
    expect(response.headers.get('location')).toBe('/elsewhere');
    expect(home.requests).toHaveLength(1);
    await client.close();
  });

  it.each([
    [301, 'POST', 'GET', ''],
    [302, 'POST', 'GET', ''],
    [303, 'PUT', 'GET', ''],
    [307, 'POST', 'POST', '{"a":1}'],
    [308, 'PUT', 'PUT', '{"a":1}'],
    [301, 'PUT', 'PUT', '{"a":1}'],
  ])('%i after %s is followed with %s', async (status, method, expectedMethod, expectedBody) => {
    home.handle((req, res) => {
      if (req.url === '/from') res.writeHead(status, { location: '/to' }).end();
      else echo(req, res, undefined as never);
    });
    const client = new HttpClient(new HttpClientConfigBuilder().withBaseUrl(home.url).build());
    await client.request({ method, url: '/from', json: { a: 1 } });
    const to = home.requests[1]!;
    expect(to.method).toBe(expectedMethod);
    expect(to.body).toBe(expectedBody);
    if (expectedBody === '') expect(to.headers['content-type']).toBeUndefined();
    await client.close();
  });

  it('a one-shot stream body is not re-sent: the 307 is returned', async () => {
    home.handle((_req, res) => res.writeHead(307, { location: '/to' }).end());
    const client = new HttpClient(new HttpClientConfigBuilder().withBaseUrl(home.url).build());
    const response = await client.post('/from', { body: Readable.from(['once']) });
    expect(response.statusCode).toBe(307);
    expect(home.requests).toHaveLength(1);
    await client.close();
  });

  it('a redirect to a non-http scheme is not followed', async () => {
    home.handle((_req, res) => res.writeHead(302, { location: 'file:///etc/passwd' }).end());
    const client = new HttpClient(new HttpClientConfigBuilder().withBaseUrl(home.url).build());
    expect((await client.get('/x')).statusCode).toBe(302);
    await client.close();
  });
});

describe('building a client with credentials', () => {
  it('refuses credentials without a base URL or trusted origins', () => {
    expect(() => new HttpClientConfigBuilder().withBearerToken('t').build()).toThrow(
      /withBearerToken: credentials are only sent to trusted origins/,
    );
  });

  it('refuses a bearer token with CR/LF without echoing it', () => {
    try {
      new HttpClientConfigBuilder().withBaseUrl('https://h.test').withBearerToken('abc\r\nX-Evil: 1').build();
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(TypeError);
      expect((error as Error).message).toMatch(/^withBearerToken:/);
      expect((error as Error).message).not.toContain('X-Evil');
    }
  });

  it('encodes basic credentials as UTF-8', async () => {
    const client = new HttpClient(
      new HttpClientConfigBuilder().withBaseUrl(home.url).withBasicAuth('jürgen', 'pässwörd').build(),
    );
    await client.get('/');
    const header = home.requests[0]!.headers.authorization!;
    expect(Buffer.from(header.replace('Basic ', ''), 'base64').toString('utf8')).toBe('jürgen:pässwörd');
    expect(
      new HttpClientConfigBuilder().withBaseUrl(home.url).withBasicAuth('user', 'pass').build().authHook,
    ).toBeDefined();
    await client.close();
  });

  it('basic user:pass encodes as in the guide', async () => {
    const client = new HttpClient(
      new HttpClientConfigBuilder().withBaseUrl(home.url).withBasicAuth('user', 'pass').build(),
    );
    await client.get('/');
    expect(home.requests[0]!.headers.authorization).toBe('Basic dXNlcjpwYXNz');
    await client.close();
  });

  it('a later auth call replaces the earlier one', async () => {
    const client = new HttpClient(
      new HttpClientConfigBuilder()
        .withBaseUrl(home.url)
        .withBearerToken('first')
        .withApiKey('second')
        .build(),
    );
    await client.get('/');
    expect(home.requests[0]!.headers.authorization).toBeUndefined();
    expect(home.requests[0]!.headers['x-api-key']).toBe('second');
    await client.close();
  });
});
