// What a polluted Object.prototype must not change, per entry point. Each case throws on a
// violation; the child process (child.ts) runs them with the prototype polluted (world.ts).
import { generateKeyPairSync } from 'node:crypto';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import {
  ApiKeyAuthHook,
  BasicAuthHook,
  BearerTokenAuthHook,
  ClientCredentialsTokenProvider,
  CompositeAuthHook,
  createClient,
  ExponentialBackoffRetryStrategy,
  HttpClient,
  HttpClientConfigBuilder,
  HttpRequest,
  PasswordGrantTokenProvider,
  SimpleAuthRetryStrategy,
  SimpleRetryStrategy,
  TlsException,
  TokenAuthHook,
  TokenData,
  TokenExchangeTokenProvider,
  TokenManager,
  type TokenProvider,
  TooManyRedirectsException,
} from '../../../src/index';
import {
  BodyTokenFetcher,
  HeaderTokenFetcher,
  PipelineTokenProvider,
  TokenFetchPipeline,
} from '../../../src/pipeline/index';
import { TLS_FIXTURES } from '../../support/loopback-server';
import { check, headerNames, type RecordingServer, type Seen } from './world';

export interface World {
  readonly api: RecordingServer;
  readonly auth: RecordingServer;
}

export interface Case {
  readonly group: string;
  readonly name: string;
  run(world: World): Promise<void>;
}

const TOKEN = 'managed-token-1';
const silent = { debug() {}, info() {}, warn() {}, error() {} };

function last(server: RecordingServer): Seen {
  const seen = server.seen[server.seen.length - 1];
  check(seen !== undefined, 'the server saw no request');
  return seen!;
}

function sameList(actual: string[], expected: string[], what: string): void {
  check(
    actual.join(',') === expected.join(','),
    `${what}: got [${actual.join(', ')}], expected [${expected.join(', ')}]`,
  );
}

/** The query parameters of a request target, as own data. */
function queryNames(seen: Seen): string[] {
  const query = seen.target.split('?')[1] ?? '';
  return query === ''
    ? []
    : query
        .split('&')
        .map((pair) => decodeURIComponent(pair.split('=')[0]!))
        .sort();
}

function formPairs(body: string): string[] {
  return body === '' ? [] : body.split('&').sort();
}

const staticProvider = (): TokenProvider => ({
  serviceName: 'polluted',
  fetchToken: async () => new TokenData({ accessToken: TOKEN, expiresAt: new Date(Date.now() + 3600_000) }),
  refreshToken: async () => new TokenData({ accessToken: TOKEN, expiresAt: new Date(Date.now() + 3600_000) }),
});

const plainClient = (world: World, configure = (b: HttpClientConfigBuilder) => b) =>
  new HttpClient(configure(new HttpClientConfigBuilder().withBaseUrl(world.api.url)).build());

async function using<T>(client: HttpClient, run: (client: HttpClient) => Promise<T>): Promise<T> {
  try {
    return await run(client);
  } finally {
    await client.close();
  }
}

function tokenAnswer(world: World, body: string): void {
  world.auth.routes.set('/token', (_seen, response) => {
    response.setHeader('content-type', 'application/json');
    response.end(body);
  });
}

export const CASES: readonly Case[] = [
  // ── request options, headers and params objects ────────────────────────────────────────
  {
    group: 'request options',
    name: 'a GET without options carries no polluted header, parameter or body',
    async run(world) {
      await using(plainClient(world), (c) => c.get('/plain'));
      const seen = last(world.api);
      check(seen.method === 'GET', `method ${seen.method}`);
      sameList(headerNames(seen), [], 'headers');
      sameList(queryNames(seen), [], 'query');
      check(seen.body === '', 'a body was sent');
    },
  },
  {
    group: 'request options',
    name: 'explicit headers and params objects contribute their own entries only',
    async run(world) {
      await using(plainClient(world), (c) =>
        c.get('/own', { headers: { 'X-Own': '1' }, params: { page: 2 } }),
      );
      const seen = last(world.api);
      sameList(headerNames(seen), ['x-own'], 'headers');
      sameList(queryNames(seen), ['page'], 'query');
    },
  },
  {
    group: 'request options',
    name: 'request() with method and url: the polluted method, url and body are ignored',
    async run(world) {
      await using(plainClient(world), (c) => c.request({ method: 'GET', url: '/request' }));
      const seen = last(world.api);
      check(seen.method === 'GET' && seen.target === '/request', `${seen.method} ${seen.target}`);
      check(seen.body === '', 'a body was sent');
    },
  },
  {
    group: 'request options',
    name: 'a JSON body is exactly the value given, with its content type',
    async run(world) {
      await using(plainClient(world), (c) => c.post('/json', { json: { a: 1, list: [1, { b: 2 }] } }));
      const seen = last(world.api);
      check(seen.body === '{"a":1,"list":[1,{"b":2}]}', `body ${seen.body}`);
      check(
        seen.headers.get('content-type') === 'application/json',
        `content-type ${seen.headers.get('content-type')}`,
      );
    },
  },
  {
    group: 'request options',
    name: 'form fields are exactly the fields given',
    async run(world) {
      await using(plainClient(world), (c) => c.post('/form', { data: { a: '1' } }));
      const seen = last(world.api);
      check(seen.body === 'a=1', `body ${seen.body}`);
      check(
        seen.headers.get('content-type') === 'application/x-www-form-urlencoded',
        `content-type ${seen.headers.get('content-type')}`,
      );
    },
  },
  {
    group: 'request options',
    name: 'a polluted timeoutMs does not shorten the deadline; redirects are still followed',
    async run(world) {
      world.api.routes.set('/slow', (_seen, response) => {
        setTimeout(() => response.end('{}'), 60);
      });
      world.api.routes.set('/hop', (_seen, response) => {
        response.statusCode = 302;
        response.setHeader('location', '/slow');
        response.end();
      });
      const response = await using(plainClient(world), (c) => c.get('/hop'));
      check(response.statusCode === 200, `status ${response.statusCode}`);
      check(last(world.api).target === '/slow', 'the redirect was not followed');
    },
  },
  {
    group: 'request options',
    name: 'new HttpRequest() without headers has none',
    async run() {
      const request = new HttpRequest({ method: 'GET', url: 'https://h.example/x' });
      sameList(Object.keys(request.headers), [], 'headers');
      check(request.headers.authorization === undefined, 'an inherited authorization header is visible');
    },
  },
  // ── builder inputs ─────────────────────────────────────────────────────────────────────
  {
    group: 'builder',
    name: 'withHeaders adds its own entries only',
    async run(world) {
      await using(
        plainClient(world, (b) => b.withHeaders({ 'X-Team': 'a' })),
        (c) => c.get('/defaults'),
      );
      sameList(headerNames(last(world.api)), ['x-team'], 'headers');
    },
  },
  {
    group: 'builder',
    name: 'redirects stay on by default and with withRedirects({ maxRedirects })',
    async run(world) {
      world.api.routes.set('/moved', (_seen, response) => {
        response.statusCode = 301;
        response.setHeader('location', '/landing');
        response.end();
      });
      for (const configure of [
        (b: HttpClientConfigBuilder) => b,
        (b: HttpClientConfigBuilder) => b.withRedirects({ maxRedirects: 3 }),
      ]) {
        const response = await using(plainClient(world, configure), (c) => c.get('/moved'));
        check(
          response.statusCode === 200 && last(world.api).target === '/landing',
          'the redirect was not followed',
        );
      }
    },
  },
  {
    group: 'builder',
    name: 'withLogging({ logger }) logs no body or headers unless asked',
    async run(world) {
      const lines: string[] = [];
      const logger = {
        ...silent,
        info: (line: string) => lines.push(line),
        debug: (line: string) => lines.push(line),
      };
      await using(
        plainClient(world, (b) => b.withLogging({ logger })),
        (c) => c.post('/logged', { json: { secret: 1 } }),
      );
      check(
        !lines.some((line) => line.includes('body') || line.includes('headers')),
        `logged: ${lines.join(' | ')}`,
      );
    },
  },
  {
    group: 'builder',
    name: 'certificates are still verified (a polluted rejectUnauthorized, tls or ca changes nothing)',
    async run() {
      // The connection must be attempted for this to say anything: no polluted socket path here.
      delete (Object.prototype as Record<string, unknown>).socketPath;
      delete (Object.prototype as Record<string, unknown>).localAddress;
      const server = https.createServer({ cert: TLS_FIXTURES.cert, key: TLS_FIXTURES.key }, (_req, res) =>
        res.end('{}'),
      );
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      try {
        const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
        const error = await using(plainClient({ api: { url } } as World), (c) => c.get('/tls')).catch(
          (e: unknown) => e,
        );
        check(error instanceof TlsException, `not refused: ${String(error)}`);
      } finally {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      }
    },
  },
  {
    group: 'builder',
    name: 'withApiKey(key) sends X-API-Key; withRaiseForStatus stays off',
    async run(world) {
      world.api.routes.set('/missing', (_seen, response) => {
        response.statusCode = 404;
        response.end('{}');
      });
      const response = await using(
        plainClient(world, (b) => b.withApiKey('own-key')),
        (c) => c.get('/missing'),
      );
      check(response.statusCode === 404, 'a 404 was thrown');
      check(
        last(world.api).headers.get('x-api-key') === 'own-key',
        `x-api-key ${last(world.api).headers.get('x-api-key')}`,
      );
      sameList(headerNames(last(world.api)), ['x-api-key'], 'headers');
    },
  },
  // ── auth hooks ─────────────────────────────────────────────────────────────────────────
  {
    group: 'hooks',
    name: 'withTokenAuth(manager): the token goes in Authorization, as Bearer, on every path',
    async run(world) {
      await using(
        plainClient(world, (b) =>
          b.withTokenAuth(new TokenManager(staticProvider(), undefined, { logger: silent })),
        ),
        async (c) => {
          await c.get('/protected');
          await c.get('/');
        },
      );
      for (const seen of world.api.seen.slice(-2)) {
        check(
          seen.headers.get('authorization') === `Bearer ${TOKEN}`,
          `authorization ${seen.headers.get('authorization')}`,
        );
        sameList(headerNames(seen), ['authorization'], 'headers');
      }
    },
  },
  {
    group: 'hooks',
    name: 'withTokenAuth with an excludedPaths list: only those paths go without credentials',
    async run(world) {
      const manager = new TokenManager(staticProvider(), undefined, { logger: silent });
      await using(
        plainClient(world, (b) => b.withTokenAuth(manager, { excludedPaths: ['/health'] })),
        async (c) => {
          await c.get('/protected');
          check(last(world.api).headers.get('authorization') === `Bearer ${TOKEN}`, 'credentials dropped');
          await c.get('/health');
          check(!last(world.api).headers.has('authorization'), 'credentials sent to an excluded path');
        },
      );
    },
  },
  {
    group: 'hooks',
    name: 'static hooks send their credentials in their own header on every path',
    async run(world) {
      const hooks = [
        [new BearerTokenAuthHook('bearer-own'), 'authorization', 'Bearer bearer-own'],
        [new ApiKeyAuthHook('key-own'), 'x-api-key', 'key-own'],
        [new BasicAuthHook('u', 'p'), 'authorization', `Basic ${Buffer.from('u:p').toString('base64')}`],
      ] as const;
      for (const [hook, header, value] of hooks) {
        await using(
          plainClient(world, (b) => b.withAuthHook(hook)),
          (c) => c.get('/protected'),
        );
        check(
          last(world.api).headers.get(header) === value,
          `${header}: ${last(world.api).headers.get(header)}`,
        );
        sameList(headerNames(last(world.api)), [header], 'headers');
      }
    },
  },
  {
    group: 'hooks',
    name: 'a CompositeAuthHook without options applies the first matching hook only',
    async run(world) {
      const hook = new CompositeAuthHook([new ApiKeyAuthHook('first'), new BearerTokenAuthHook('second')]);
      await using(
        plainClient(world, (b) => b.withAuthHook(hook)),
        (c) => c.get('/protected'),
      );
      sameList(headerNames(last(world.api)), ['x-api-key'], 'headers');
    },
  },
  {
    group: 'hooks',
    name: 'a TokenAuthHook with default retry replays a 401 once, with a new token',
    async run(world) {
      let issued = 0;
      const provider: TokenProvider = {
        serviceName: 'replay',
        fetchToken: async () =>
          new TokenData({ accessToken: `t${++issued}`, expiresAt: new Date(Date.now() + 3600_000) }),
        refreshToken: async () =>
          new TokenData({ accessToken: `t${++issued}`, expiresAt: new Date(Date.now() + 3600_000) }),
      };
      world.api.routes.set('/once', (seen, response) => {
        response.statusCode = seen.headers.get('authorization') === 'Bearer t1' ? 401 : 200;
        response.end('{}');
      });
      const hook = new TokenAuthHook(new TokenManager(provider, undefined, { logger: silent }));
      const response = await using(
        plainClient(world, (b) => b.withAuthHook(hook)),
        (c) => c.get('/once'),
      );
      check(response.statusCode === 200, `status ${response.statusCode}`);
      check(last(world.api).headers.get('authorization') === 'Bearer t2', 'no replay with a new token');
    },
  },
  // ── retry strategies ───────────────────────────────────────────────────────────────────
  {
    group: 'retry',
    name: 'withRetry(): a 200 is not retried and a POST is not retried',
    async run(world) {
      world.api.routes.set('/unavailable', (_seen, response) => {
        response.statusCode = 503;
        response.end('{}');
      });
      const before = world.api.seen.length;
      await using(
        plainClient(world, (b) => b.withRetry({ baseDelayMs: 1 })),
        async (c) => {
          await c.get('/ok');
          await c.post('/unavailable');
        },
      );
      check(world.api.seen.length - before === 2, `sent ${world.api.seen.length - before} requests`);
    },
  },
  {
    group: 'retry',
    name: 'strategies keep their defaults: SimpleRetryStrategy({ maxRetries: 1 }) sends twice, quickly',
    async run(world) {
      world.api.routes.set('/unavailable', (_seen, response) => {
        response.statusCode = 503;
        response.end('{}');
      });
      const before = world.api.seen.length;
      const started = performance.now();
      await using(
        plainClient(world, (b) =>
          b.withRetryStrategy(new SimpleRetryStrategy({ maxRetries: 1, delayMs: 1 })),
        ),
        (c) => c.get('/unavailable'),
      );
      check(world.api.seen.length - before === 2, `sent ${world.api.seen.length - before} requests`);
      const strategy = new ExponentialBackoffRetryStrategy();
      check(strategy.maxRetries === 3, `maxRetries ${strategy.maxRetries}`);
      check(new SimpleAuthRetryStrategy().maxRetries === 1, 'auth maxRetries');
      check(performance.now() - started < 5_000, 'slept a polluted delay');
    },
  },
  // ── providers and their grants ─────────────────────────────────────────────────────────
  {
    group: 'provider',
    name: 'client credentials: the grant form is exactly what the options say, in the body',
    async run(world) {
      tokenAnswer(world, `{"access_token":"${TOKEN}","expires_in":3600}`);
      const provider = new ClientCredentialsTokenProvider({
        tokenUrl: `${world.auth.url}/token`,
        clientId: 'own-client',
        clientSecret: 'own-secret',
        serviceName: 'grant',
      });
      try {
        await provider.fetchToken();
      } finally {
        await provider.close();
      }
      const seen = last(world.auth);
      sameList(
        formPairs(seen.body),
        ['client_id=own-client', 'client_secret=own-secret', 'grant_type=client_credentials'],
        'form',
      );
      check(!seen.headers.has('authorization'), 'authMethod changed to header');
    },
  },
  {
    group: 'provider',
    name: 'password grant with extraParams: exactly the own extra parameters',
    async run(world) {
      tokenAnswer(world, `{"access_token":"${TOKEN}","expires_in":3600}`);
      const provider = new PasswordGrantTokenProvider({
        tokenUrl: `${world.auth.url}/token`,
        clientId: 'own-client',
        username: 'ada',
        password: 'pw',
        serviceName: 'grant',
        extraParams: { realm: 'own' },
      });
      try {
        await provider.fetchToken();
      } finally {
        await provider.close();
      }
      sameList(
        formPairs(last(world.auth).body),
        ['client_id=own-client', 'grant_type=password', 'password=pw', 'realm=own', 'username=ada'],
        'form',
      );
    },
  },
  {
    group: 'provider',
    name: 'a token answer is read from its own fields only',
    async run(world) {
      tokenAnswer(world, `{"access_token":"${TOKEN}"}`);
      const provider = new ClientCredentialsTokenProvider({
        tokenUrl: `${world.auth.url}/token`,
        clientId: 'c',
        clientSecret: 's3cret',
        serviceName: 'answer',
      });
      try {
        const token = await provider.fetchToken();
        check(token.accessToken === TOKEN, `access token ${token.accessToken}`);
        check(token.tokenType === 'Bearer', `token type ${token.tokenType}`);
        check(token.refreshToken === undefined, 'an inherited refresh token was taken');
        check(token.expiresAt === undefined, 'an inherited expires_in was taken');
        check(token.scope === undefined, 'an inherited scope was taken');
        tokenAnswer(world, '{"token":"x"}');
        const error = await provider.fetchToken().catch((e: unknown) => e);
        check(
          error instanceof Error && !String((error as Error).message).includes('attacker'),
          'an inherited access_token was used',
        );
      } finally {
        await provider.close();
      }
    },
  },
  {
    group: 'provider',
    name: 'a plain-http token URL is still refused (allowInsecureTokenUrl is not inherited)',
    async run() {
      let refused = false;
      try {
        new ClientCredentialsTokenProvider({
          tokenUrl: 'http://auth.example.com/token',
          clientId: 'c',
          clientSecret: 's',
          serviceName: 'x',
        });
      } catch {
        refused = true;
      }
      check(refused, 'accepted');
    },
  },
  // ── managers ───────────────────────────────────────────────────────────────────────────
  {
    group: 'manager',
    name: 'TokenManager defaults: one token fetch for many requests, a slow provider is awaited',
    async run(world) {
      let fetches = 0;
      const provider: TokenProvider = {
        serviceName: 'slow',
        fetchToken: async () => {
          fetches++;
          await new Promise((resolve) => setTimeout(resolve, 50));
          return new TokenData({ accessToken: TOKEN, expiresAt: new Date(Date.now() + 3600_000) });
        },
        refreshToken: async () => provider.fetchToken(),
      };
      const manager = new TokenManager(provider);
      await using(
        plainClient(world, (b) => b.withTokenAuth(manager)),
        async (c) => {
          for (let i = 0; i < 3; i++) await c.get('/m');
        },
      );
      check(fetches === 1, `${fetches} fetches`);
      check((await manager.getToken()).accessToken === TOKEN, 'getToken');
    },
  },
  // ── pipelines ──────────────────────────────────────────────────────────────────────────
  {
    group: 'pipeline',
    name: 'a BodyTokenFetcher posts exactly its own form, headers and token field',
    async run(world) {
      tokenAnswer(world, `{"access_token":"${TOKEN}","expires_in":3600}`);
      const fetcher = new BodyTokenFetcher({
        name: 'body',
        baseUrl: world.auth.url,
        endpoint: '/token',
        requestData: { a: '1' },
      });
      const pipeline = new TokenFetchPipeline({ steps: [fetcher] });
      try {
        const token = await new PipelineTokenProvider(pipeline, { serviceName: 'p' }).fetchToken();
        check(token.accessToken === TOKEN, `token ${token.accessToken}`);
        check(
          token.expiresAt !== undefined && token.expiresAt.getTime() > Date.now() + 60_000,
          'a polluted ttlMs was applied',
        );
      } finally {
        await pipeline.close();
      }
      const seen = last(world.auth);
      check(seen.method === 'POST', `method ${seen.method}`);
      check(seen.body === 'a=1', `body ${seen.body}`);
      sameList(headerNames(seen), ['content-type'], 'headers');
    },
  },
  {
    group: 'pipeline',
    name: 'a HeaderTokenFetcher reads Authorization (its default), not an inherited header name',
    async run(world) {
      world.auth.routes.set('/login', (_seen, response) => {
        response.setHeader('authorization', `Bearer ${TOKEN}`);
        response.setHeader('x-polluted-token', 'wrong');
        response.end();
      });
      const fetcher = new HeaderTokenFetcher({ name: 'header', baseUrl: world.auth.url, endpoint: '/login' });
      try {
        const token = await fetcher.fetch();
        check(token.accessToken === TOKEN, `token ${token.accessToken}`);
      } finally {
        await fetcher.close();
      }
    },
  },
  {
    group: 'request options',
    name: 'URLSearchParams params and a default removed with undefined: nothing inherited comes back',
    async run(world) {
      await using(
        plainClient(world, (b) => b.withHeader('X-Default', 'd')),
        (c) =>
          c.get('/params', {
            params: new URLSearchParams({ q: 'a b' }),
            headers: { 'X-Default': undefined },
          }),
      );
      const seen = last(world.api);
      sameList(headerNames(seen), [], 'headers');
      check(seen.target === '/params?q=a+b', `target ${seen.target}`);
    },
  },
  {
    group: 'request options',
    name: "a request hook's withHeaders copies own entries only",
    async run(world) {
      const client = plainClient(world, (b) =>
        b.withRequestHook((request) => request.withHeaders({ 'X-Hook': '1' })),
      );
      await using(client, (c) => c.get('/hooked'));
      sameList(headerNames(last(world.api)), ['x-hook'], 'headers');
    },
  },
  // ── redirect options ───────────────────────────────────────────────────────────────────
  {
    group: 'redirects',
    name: 'withRedirects({ follow: true }) follows a chain of two hops (a polluted maxRedirects: 0 is ignored)',
    async run(world) {
      world.api.routes.set('/r1', (_seen, response) => {
        response.statusCode = 302;
        response.setHeader('location', '/r2');
        response.end();
      });
      world.api.routes.set('/r2', (_seen, response) => {
        response.statusCode = 307;
        response.setHeader('location', '/r3');
        response.end();
      });
      const response = await using(
        plainClient(world, (b) => b.withRedirects({ follow: true })),
        (c) => c.get('/r1'),
      );
      check(
        response.statusCode === 200 && last(world.api).target === '/r3',
        `ended at ${last(world.api).target}`,
      );
    },
  },
  {
    group: 'redirects',
    name: 'withRedirects({ maxRedirects: 1 }) still stops after one hop',
    async run(world) {
      world.api.routes.set('/loop', (_seen, response) => {
        response.statusCode = 302;
        response.setHeader('location', '/loop');
        response.end();
      });
      const error = await using(
        plainClient(world, (b) => b.withRedirects({ maxRedirects: 1 })),
        (c) => c.get('/loop'),
      ).catch((e: unknown) => e);
      check(error instanceof TooManyRedirectsException, `got ${String(error)}`);
    },
  },
  {
    group: 'redirects',
    name: 'a redirect to another origin still drops the credentials; per-request followRedirects: true follows',
    async run(world) {
      world.api.routes.set('/away', (_seen, response) => {
        response.statusCode = 302;
        response.setHeader('location', `${world.auth.url}/elsewhere`);
        response.end();
      });
      await using(
        plainClient(world, (b) => b.withBearerToken('own-token')),
        (c) => c.get('/away', { followRedirects: true }),
      );
      const hop = last(world.auth);
      check(hop.target === '/elsewhere', `hop ${hop.target}`);
      check(!hop.headers.has('authorization'), 'credentials followed the redirect');
      sameList(headerNames(hop), [], 'headers');
    },
  },
  {
    group: 'builder',
    name: 'createClient({ baseUrl, logging: false, maxRetries: 0 }) adds nothing inherited',
    async run(world) {
      world.api.routes.set('/unavailable', (_seen, response) => {
        response.statusCode = 503;
        response.end('{}');
      });
      const before = world.api.seen.length;
      await using(createClient({ baseUrl: world.api.url, logging: false, maxRetries: 0 }), (c) =>
        c.get('/unavailable'),
      );
      check(world.api.seen.length - before === 1, 'retried');
      sameList(headerNames(last(world.api)), [], 'headers');
    },
  },
  {
    group: 'builder',
    name: 'withBearerToken: an absolute URL to another origin gets no credentials (no inherited trust)',
    async run(world) {
      await using(
        plainClient(world, (b) => b.withBearerToken('own-token')),
        async (c) => {
          await c.get('/mine');
          check(
            last(world.api).headers.get('authorization') === 'Bearer own-token',
            'no credentials at home',
          );
          await c.get(`${world.auth.url}/other`);
          check(!last(world.auth).headers.has('authorization'), 'credentials sent to another origin');
        },
      );
    },
  },
  {
    group: 'hooks',
    name: 'TokenAuthHook with its own headerName and an empty headerPrefix',
    async run(world) {
      const manager = new TokenManager(staticProvider(), undefined, { logger: silent });
      await using(
        plainClient(world, (b) => b.withTokenAuth(manager, { headerName: 'X-Token', headerPrefix: '' })),
        (c) => c.get('/protected'),
      );
      sameList(headerNames(last(world.api)), ['x-token'], 'headers');
      check(
        last(world.api).headers.get('x-token') === TOKEN,
        `x-token ${last(world.api).headers.get('x-token')}`,
      );
    },
  },
  {
    group: 'hooks',
    name: 'own excludedPathPatterns: /public/* goes without, everything else with credentials',
    async run(world) {
      const hook = new ApiKeyAuthHook('key-own', { excludedPathPatterns: ['/public/*'] });
      await using(
        plainClient(world, (b) => b.withAuthHook(hook)),
        async (c) => {
          await c.get('/public/x');
          check(!last(world.api).headers.has('x-api-key'), 'credentials on an excluded path');
          await c.get('/Public/x');
          check(last(world.api).headers.get('x-api-key') === 'key-own', 'caseInsensitivePaths was inherited');
          await c.get('/private');
          check(last(world.api).headers.get('x-api-key') === 'key-own', 'credentials dropped');
        },
      );
    },
  },
  {
    group: 'provider',
    name: 'authMethod header and a scope: Basic credentials, the form carries grant_type and scope once',
    async run(world) {
      tokenAnswer(world, `{"access_token":"${TOKEN}","expires_in":3600}`);
      const provider = new ClientCredentialsTokenProvider({
        tokenUrl: `${world.auth.url}/token`,
        clientId: 'own-client',
        clientSecret: 'own-secret',
        serviceName: 'basic',
        authMethod: 'header',
        scope: 'read',
      });
      try {
        await provider.fetchToken();
      } finally {
        await provider.close();
      }
      const seen = last(world.auth);
      sameList(formPairs(seen.body), ['grant_type=client_credentials', 'scope=read'], 'form');
      check(
        seen.headers.get('authorization') ===
          `Basic ${Buffer.from('own-client:own-secret').toString('base64')}`,
        'basic',
      );
    },
  },
  {
    group: 'provider',
    name: 'discovery and private_key_jwt: the discovered endpoint, the own key, no polluted field',
    async run(world) {
      world.auth.routes.set('/.well-known/oauth-authorization-server', (_seen, response) => {
        response.setHeader('content-type', 'application/json');
        response.end(JSON.stringify({ issuer: world.auth.url, token_endpoint: `${world.auth.url}/token` }));
      });
      tokenAnswer(world, `{"access_token":"${TOKEN}","expires_in":3600}`);
      const provider = new ClientCredentialsTokenProvider({
        issuer: world.auth.url,
        clientId: 'own-client',
        privateKey: generateKeyPairSync('ed25519').privateKey,
        serviceName: 'discovered',
      });
      try {
        await provider.fetchToken();
      } finally {
        await provider.close();
      }
      const seen = last(world.auth);
      check(seen.target === '/token', `token request to ${seen.target}`);
      sameList(
        formPairs(seen.body).map((pair) => pair.split('=')[0]!),
        ['client_assertion', 'client_assertion_type', 'client_id', 'grant_type'],
        'form fields',
      );
      const claims = JSON.parse(
        Buffer.from(
          new URLSearchParams(seen.body).get('client_assertion')!.split('.')[1]!,
          'base64url',
        ).toString(),
      ) as Record<string, unknown>;
      check(claims.aud === world.auth.url && claims.iss === 'own-client', `claims ${JSON.stringify(claims)}`);
    },
  },
  {
    group: 'provider',
    name: 'token exchange: the own subject only; a missing issued_token_type is not taken from the prototype',
    async run(world) {
      tokenAnswer(world, `{"access_token":"${TOKEN}","expires_in":3600}`);
      const provider = new TokenExchangeTokenProvider({
        tokenUrl: `${world.auth.url}/token`,
        clientId: 'own-client',
        clientSecret: 'own-secret',
        subjectToken: 'own-subject',
        serviceName: 'exchange',
      });
      let refused = false;
      try {
        await provider.fetchToken();
      } catch {
        refused = true;
      } finally {
        await provider.close();
      }
      check(refused, 'a token without issued_token_type was accepted');
      sameList(
        formPairs(last(world.auth).body),
        [
          'client_id=own-client',
          'client_secret=own-secret',
          'grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Atoken-exchange',
          'subject_token=own-subject',
          'subject_token_type=urn%3Aietf%3Aparams%3Aoauth%3Atoken-type%3Aaccess_token',
        ],
        'form',
      );
    },
  },
  {
    group: 'provider',
    name: 'a refresh posts the refresh-token grant with the own refresh token only',
    async run(world) {
      tokenAnswer(world, `{"access_token":"${TOKEN}","expires_in":3600,"refresh_token":"own-refresh"}`);
      const provider = new ClientCredentialsTokenProvider({
        tokenUrl: `${world.auth.url}/token`,
        clientId: 'c',
        clientSecret: 's3cret',
        serviceName: 'refresh',
      });
      try {
        const first = await provider.fetchToken();
        check(first.refreshToken === 'own-refresh', `refresh token ${first.refreshToken}`);
        await provider.refreshToken(first);
      } finally {
        await provider.close();
      }
      sameList(
        formPairs(last(world.auth).body),
        ['client_id=c', 'client_secret=s3cret', 'grant_type=refresh_token', 'refresh_token=own-refresh'],
        'form',
      );
    },
  },
  {
    group: 'manager',
    name: 'forceRefresh() and getToken({}) behave as without pollution',
    async run() {
      let issued = 0;
      const provider: TokenProvider = {
        serviceName: 'force',
        fetchToken: async () =>
          new TokenData({ accessToken: `f${++issued}`, expiresAt: new Date(Date.now() + 3600_000) }),
        refreshToken: async () =>
          new TokenData({ accessToken: `f${++issued}`, expiresAt: new Date(Date.now() + 3600_000) }),
      };
      const manager = new TokenManager(provider, undefined, { logger: silent });
      check((await manager.getToken({})).accessToken === 'f1', 'first token');
      check((await manager.forceRefresh()).accessToken === 'f2', 'forced token');
      check((await manager.getToken()).accessToken === 'f2', 'cached token');
      check(manager.stats.fetches === 1 && manager.stats.refreshes === 1, JSON.stringify(manager.stats));
    },
  },
  {
    group: 'pipeline',
    name: 'a two-step pipeline runs in its own dependency order and passes the token in a function header',
    async run(world) {
      world.auth.routes.set('/app', (_seen, response) => {
        response.setHeader('content-type', 'application/json');
        response.end('{"access_token":"app-token","expires_in":3600}');
      });
      world.auth.routes.set('/user', (_seen, response) => {
        response.setHeader('content-type', 'application/json');
        response.end('{"access_token":"user-token","expires_in":3600}');
      });
      const app = new BodyTokenFetcher({ name: 'app', baseUrl: world.auth.url, endpoint: '/app' });
      const user = new BodyTokenFetcher({
        name: 'user',
        baseUrl: world.auth.url,
        endpoint: '/user',
        dependsOn: ['app'],
        requestHeaders: (context) => ({ 'X-App-Token': context.getTokenValue('app')! }),
      });
      const pipeline = new TokenFetchPipeline({ steps: [user, app] });
      try {
        check((await pipeline.execute()).accessToken === 'user-token', 'final token');
      } finally {
        await pipeline.close();
      }
      const [first, second] = world.auth.seen.slice(-2);
      check(
        first!.target === '/app' && second!.target === '/user',
        `order ${first!.target} ${second!.target}`,
      );
      sameList(headerNames(second!), ['content-type', 'x-app-token'], 'headers');
    },
  },
  {
    group: 'pipeline',
    name: 'a GET fetcher sends exactly its requestData as the query',
    async run(world) {
      tokenAnswer(world, `{"access_token":"${TOKEN}"}`);
      const fetcher = new BodyTokenFetcher({
        name: 'get',
        baseUrl: world.auth.url,
        endpoint: '/token',
        method: 'GET',
        requestData: { key: 'own' },
      });
      try {
        await fetcher.fetch();
      } finally {
        await fetcher.close();
      }
      check(last(world.auth).target === '/token?key=own', `target ${last(world.auth).target}`);
      sameList(headerNames(last(world.auth)), [], 'headers');
    },
  },
  // ── JSON with an inherited toJSON ──────────────────────────────────────────────────────
  {
    group: 'json',
    name: 'an inherited toJSON cannot replace a JSON body or a JSON token request',
    async run(world) {
      tokenAnswer(world, `{"access_token":"${TOKEN}"}`);
      const client = plainClient(world);
      const fetcher = new BodyTokenFetcher({
        name: 'json',
        baseUrl: world.auth.url,
        endpoint: '/token',
        contentType: 'json',
        requestData: { client_id: 'c' },
      });
      try {
        // Connections first: undici copies its options with JSON.stringify, which would call it too.
        await client.get('/warm-up');
        await fetcher.fetch();
        (Object.prototype as Record<string, unknown>).toJSON = () => ({ replaced: true });
        await client.post('/json', { json: { a: 1, nested: [{ b: 2 }], when: new Date(0) } });
        check(
          last(world.api).body === '{"a":1,"nested":[{"b":2}],"when":"1970-01-01T00:00:00.000Z"}',
          `body ${last(world.api).body}`,
        );
        await fetcher.fetch();
        check(last(world.auth).body === '{"client_id":"c"}', `token request body ${last(world.auth).body}`);
      } finally {
        await client.close();
        await fetcher.close();
      }
    },
  },
];
