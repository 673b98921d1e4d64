// Unknown options are errors at every entry point, and the library's value objects are frozen.
import { describe, expect, it } from 'vitest';
import {
  ApiKeyAuthHook,
  BasicAuthHook,
  BearerTokenAuthHook,
  BodyTokenFetcher,
  CircuitBreakerRetryStrategy,
  ClientCredentialsTokenProvider,
  CompositeAuthHook,
  ConditionalAuthRetryStrategy,
  CorrelationIdHook,
  createClient,
  ExponentialAuthRetryStrategy,
  ExponentialBackoffRetryStrategy,
  HeaderTokenFetcher,
  HttpClient,
  HttpClientConfigBuilder,
  HttpHeaders,
  HttpRequest,
  HttpResponse,
  InMemoryTokenStorage,
  JwtBearerTokenProvider,
  LoggingRequestHook,
  NoAuthRetryStrategy,
  PasswordGrantTokenProvider,
  PipelineTokenProvider,
  RefreshTokenProvider,
  RequestBuildException,
  SimpleAuthRetryStrategy,
  SimpleRetryStrategy,
  TokenAuthHook,
  TokenData,
  TokenExchangeTokenProvider,
  TokenFetchPipeline,
  TokenManager,
  toCurl,
} from '../../src/index';
import { KeyvTokenStorage } from '../../src/keyv';
import { RedisTokenStorage } from '../../src/redis';

const provider = {
  serviceName: 'svc',
  fetchToken: async () => new TokenData({ accessToken: 'a' }),
  refreshToken: async () => new TokenData({ accessToken: 'b' }),
};
const oauth = {
  tokenUrl: 'https://auth.test/token',
  clientId: 'id',
  clientSecret: 'secret',
  serviceName: 'svc',
};
const fetcher = { name: 'step', baseUrl: 'https://auth.test', endpoint: '/token' };
const bogus = { bogus: 1 } as never;

/** Every public constructor or function that takes an options object, with valid options. */
const entryPoints: Array<[string, (extra: object) => unknown]> = [
  ['SimpleRetryStrategy', (o) => new SimpleRetryStrategy({ ...o })],
  ['ExponentialBackoffRetryStrategy', (o) => new ExponentialBackoffRetryStrategy({ ...o })],
  ['CircuitBreakerRetryStrategy', (o) => new CircuitBreakerRetryStrategy({ ...o })],
  ['NoAuthRetryStrategy', (o) => new NoAuthRetryStrategy({ ...o })],
  ['SimpleAuthRetryStrategy', (o) => new SimpleAuthRetryStrategy({ ...o })],
  ['ExponentialAuthRetryStrategy', (o) => new ExponentialAuthRetryStrategy({ ...o })],
  ['ConditionalAuthRetryStrategy', (o) => new ConditionalAuthRetryStrategy({ ...o })],
  ['BearerTokenAuthHook', (o) => new BearerTokenAuthHook('token', { ...o })],
  ['ApiKeyAuthHook', (o) => new ApiKeyAuthHook('key', { ...o })],
  ['BasicAuthHook', (o) => new BasicAuthHook('user', 'pass', { ...o })],
  ['TokenAuthHook', (o) => new TokenAuthHook(new TokenManager(provider), { ...o })],
  ['CompositeAuthHook', (o) => new CompositeAuthHook([new BearerTokenAuthHook('t')], { ...o })],
  ['CorrelationIdHook', (o) => new CorrelationIdHook({ ...o })],
  ['LoggingRequestHook', (o) => new LoggingRequestHook({ ...o })],
  ['withApiKey', (o) => new HttpClientConfigBuilder().withApiKey('key', { ...o })],
  ['withRedirects', (o) => new HttpClientConfigBuilder().withRedirects({ ...o })],
  ['withTls', (o) => new HttpClientConfigBuilder().withTls({ ...o })],
  ['withLogging', (o) => new HttpClientConfigBuilder().withLogging({ ...o })],
  ['createClient', (o) => createClient({ logging: false, ...o })],
  ['TokenData', (o) => new TokenData({ accessToken: 'a', ...o })],
  ['TokenData.fromResponse', (o) => TokenData.fromResponse({ access_token: 'a' }, { ...o })],
  ['TokenManager', (o) => new TokenManager(provider, undefined, { ...o })],
  ['InMemoryTokenStorage', (o) => new InMemoryTokenStorage({ ...o })],
  ['ClientCredentialsTokenProvider', (o) => new ClientCredentialsTokenProvider({ ...oauth, ...o })],
  [
    'PasswordGrantTokenProvider',
    (o) => new PasswordGrantTokenProvider({ ...oauth, username: 'u', password: 'p', ...o }),
  ],
  ['RefreshTokenProvider', (o) => new RefreshTokenProvider({ ...oauth, refreshToken: 'r', ...o })],
  [
    'JwtBearerTokenProvider',
    (o) => new JwtBearerTokenProvider({ ...oauth, assertion: async () => 'a.b.c', ...o }),
  ],
  ['TokenExchangeTokenProvider', (o) => new TokenExchangeTokenProvider({ ...oauth, ...o })],
  ['tls of a provider', (o) => new ClientCredentialsTokenProvider({ ...oauth, tls: { ...o } })],
  ['BodyTokenFetcher', (o) => new BodyTokenFetcher({ ...fetcher, ...o })],
  ['HeaderTokenFetcher', (o) => new HeaderTokenFetcher({ ...fetcher, ...o })],
  ['TokenFetchPipeline', (o) => new TokenFetchPipeline({ steps: [new BodyTokenFetcher(fetcher)], ...o })],
  [
    'PipelineTokenProvider',
    (o) =>
      new PipelineTokenProvider(new TokenFetchPipeline({ steps: [new BodyTokenFetcher(fetcher)] }), {
        serviceName: 's',
        ...o,
      }),
  ],
  ['KeyvTokenStorage', (o) => new KeyvTokenStorage({ keyv: new Map() as never, ...o })],
  ['RedisTokenStorage', (o) => new RedisTokenStorage({ client: { call: async () => null }, ...o })],
  ['toCurl', (o) => toCurl(new HttpRequest({ method: 'GET', url: 'https://h.test/' }), { ...o })],
];

describe('unknown options', () => {
  it.each(entryPoints)('%s accepts its options and refuses an unknown one, naming it', (_name, create) => {
    expect(() => create({})).not.toThrow();
    expect(() => create(bogus)).toThrow(TypeError);
    expect(() => create(bogus)).toThrow(/"bogus"/);
  });

  it('request options: a typo is a RequestBuildException naming it, before anything is sent', async () => {
    const client = new HttpClient(new HttpClientConfigBuilder().withBaseUrl('http://127.0.0.1:9').build());
    for (const typo of [{ files: {} }, { param: { a: 1 } }, { header: { a: 'b' } }]) {
      const error = await client.post('/upload', typo as never).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RequestBuildException);
      expect((error as Error).message).toContain(`"${Object.keys(typo)[0]}"`);
      expect((error as RequestBuildException).attempts).toBe(0);
    }
    await expect(client.request({ method: 'GET', url: '/', bogus: 1 } as never)).rejects.toThrow(/"bogus"/);
    await expect(client.get('/', { method: 'POST' } as never)).rejects.toBeInstanceOf(RequestBuildException);
    await expect(client.requestMany([], { bogus: 1 } as never)).rejects.toThrow(/"bogus"/);
    expect(() => new HttpRequest({ method: 'GET', url: 'https://h.test/', bogus: 1 } as never)).toThrow(
      /"bogus"/,
    );
    await client.close();
  });

  it('a subclass may add options of its own', () => {
    class TracedRetry extends SimpleRetryStrategy {
      constructor(options: { maxRetries: number; traceName: string }) {
        super(options as never);
      }
    }
    expect(() => new TracedRetry({ maxRetries: 1, traceName: 'x' })).not.toThrow();
  });
});

describe('frozen value objects', () => {
  const request = new HttpRequest({ method: 'GET', url: 'https://h.test/x' });
  const response = new HttpResponse({
    statusCode: 200,
    headers: new HttpHeaders({}),
    elapsedMs: 1,
    url: request.url,
    request,
  });
  const token = new TokenData({ accessToken: 'a', expiresAt: new Date(Date.now() + 60_000) });
  const config = new HttpClientConfigBuilder().withBaseUrl('https://h.test').build();
  const frozen: Array<[string, object, string]> = [
    ['HttpRequest', request, 'url'],
    ['HttpRequest.withHeaders()', request.withHeaders({ 'x-a': '1' }), 'method'],
    ['HttpResponse', response, 'statusCode'],
    ['TokenData', token, 'accessToken'],
    ['HttpClientConfig', config, 'baseUrl'],
    ['ExponentialBackoffRetryStrategy', new ExponentialBackoffRetryStrategy(), 'maxRetries'],
    ['SimpleAuthRetryStrategy', new SimpleAuthRetryStrategy(), 'maxRetries'],
    ['BearerTokenAuthHook', new BearerTokenAuthHook('t'), 'retryStrategy'],
  ];

  it.each(frozen)('assigning to %s throws in strict mode', (_name, value, field) => {
    expect(Object.isFrozen(value)).toBe(true);
    expect(() => {
      (value as Record<string, unknown>)[field] = 'changed';
    }).toThrow(TypeError);
  });

  it('nested values cannot be changed either: headers, config lists, token dates', () => {
    expect(() => {
      (request.headers as Record<string, string>)['x-evil'] = '1';
    }).toThrow(TypeError);
    expect(() => (config.trustedOrigins as string[]).push('https://evil.test')).toThrow(TypeError);
    token.expiresAt!.setTime(0);
    expect(token.expiresAt!.getTime()).toBeGreaterThan(Date.now());
  });
});
