import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import {
  CircuitBreakerRetryStrategy,
  ClientCredentialsTokenProvider,
  HttpClient,
  HttpClientConfigBuilder,
  PasswordGrantTokenProvider,
  TokenManager,
} from 'requestforge';
import { instrumentRequestforge, type RequestforgeInstrumentation } from 'requestforge/otel';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type LoopbackServer, startServer } from '../support/loopback-server';
import { CLIENT, type OAuthTestServer, startOAuthServer, USER } from '../support/oauth-server';
import { type OtelHarness, parentOf, parseTraceparent, startOtel } from './harness';

let otel: OtelHarness;
let instrumentation: RequestforgeInstrumentation;
let api: LoopbackServer;
let oauth: OAuthTestServer;

beforeAll(async () => {
  otel = startOtel();
  instrumentation = instrumentRequestforge({
    tracerProvider: otel.tracerProvider,
    meterProvider: otel.meterProvider,
  });
  [api, oauth] = await Promise.all([startServer(), startOAuthServer()]);
});

afterAll(async () => {
  instrumentation.disable();
  await Promise.all([api.close(), oauth.close(), otel.shutdown()]);
});

beforeEach(() => {
  otel.resetSpans();
  api.requests.length = 0;
  oauth.apiRequests.length = 0;
});

const named = (name: string) => (span: ReadableSpan) => span.name === name;

describe('requestforge/otel: HTTP client spans', () => {
  it('one CLIENT span per request with the stable HTTP conventions, and its traceparent reaches the server', async () => {
    const client = new HttpClient(new HttpClientConfigBuilder().withBaseUrl(api.url).build());
    await client.get('/users', { params: { page: 2, api_key: 'query-secret-Kx9' } });
    await client.close();

    const [span, ...others] = otel.spans();
    expect(others).toEqual([]);
    expect(span!.name).toBe('GET');
    expect(span!.kind).toBe(SpanKind.CLIENT);
    expect(span!.attributes).toEqual({
      'http.request.method': 'GET',
      'url.full': `${api.url}/users?page=2&api_key=[REDACTED]`,
      'url.scheme': 'http',
      'server.address': '127.0.0.1',
      'server.port': api.port,
      'http.response.status_code': 200,
    });
    expect(span!.status.code).toBe(SpanStatusCode.UNSET);
    const sent = parseTraceparent(api.requests[0]!.headers.traceparent);
    expect(sent).toEqual({ traceId: span!.spanContext().traceId, spanId: span!.spanContext().spanId });
  });

  it('a retried request: one call span, a child per send, resend counts, the retry as an event and a counter', async () => {
    let calls = 0;
    api.handle((_request, response) => {
      calls++;
      response.writeHead(calls === 1 ? 503 : 200, { 'content-type': 'application/json' });
      response.end('{}');
    });
    const client = new HttpClient(
      new HttpClientConfigBuilder()
        .withBaseUrl(api.url)
        .withRetry({ maxRetries: 2, baseDelayMs: 1, maxDelayMs: 1 })
        .build(),
    );
    const retriesBefore = await otel.count('requestforge.retries');
    expect((await client.get('/flaky')).statusCode).toBe(200);
    await client.close();

    const spans = otel.spans();
    expect(spans).toHaveLength(3);
    const call = spans.find((span) => parentOf(span) === undefined)!;
    const children = spans.filter((span) => parentOf(span) === call.spanContext().spanId);
    expect(children).toHaveLength(2);
    expect(call.attributes['http.request.resend_count']).toBe(1);
    expect(call.attributes['http.response.status_code']).toBe(200);
    const [first, second] = children.sort((a, b) => (a.startTime[1] > b.startTime[1] ? 1 : -1));
    expect(first!.kind).toBe(SpanKind.CLIENT);
    expect(first!.attributes['http.response.status_code']).toBe(503);
    expect(first!.attributes['error.type']).toBe('503');
    expect(first!.status.code).toBe(SpanStatusCode.ERROR);
    expect(first!.attributes['http.request.resend_count']).toBeUndefined();
    expect(second!.attributes['http.request.resend_count']).toBe(1);
    expect(second!.attributes['http.response.status_code']).toBe(200);
    expect(call.events.map((event) => event.name)).toEqual(['requestforge.retry']);
    expect(call.events[0]!.attributes).toMatchObject({ 'requestforge.retry.reason': '503' });
    expect(await otel.count('requestforge.retries')).toBe(retriesBefore + 1);
    // The second send went out with its own span as the parent.
    expect(parseTraceparent(api.requests[1]!.headers.traceparent)?.spanId).toBe(second!.spanContext().spanId);
    expect(parseTraceparent(api.requests[0]!.headers.traceparent)?.traceId).toBe(call.spanContext().traceId);
    api.handle((_request, response) => response.end('{}'));
  });

  it('a failed send: error.type is the stable error code, the span status is an error', async () => {
    const closed = await startServer();
    await closed.close();
    const client = new HttpClient(new HttpClientConfigBuilder().withBaseUrl(closed.url).build());
    await expect(client.get('/down')).rejects.toMatchObject({ code: 'ERR_CONNECTION' });
    await client.close();
    const [span] = otel.spans();
    expect(span!.attributes['error.type']).toBe('ERR_CONNECTION');
    expect(span!.attributes['http.response.status_code']).toBeUndefined();
    expect(span!.status.code).toBe(SpanStatusCode.ERROR);
  });

  it('records http.client.request.duration per send, in seconds, with low-cardinality attributes', async () => {
    const client = new HttpClient(new HttpClientConfigBuilder().withBaseUrl(api.url).build());
    await client.get('/measured');
    await client.close();
    const metric = (await otel.metrics()).find((m) => m.descriptor.name === 'http.client.request.duration')!;
    expect(metric.descriptor.unit).toBe('s');
    const point = metric.dataPoints.find((p) => p.attributes['http.response.status_code'] === 200)!;
    expect(point.attributes).toEqual({
      'http.request.method': 'GET',
      'server.address': '127.0.0.1',
      'server.port': api.port,
      'url.scheme': 'http',
      'http.response.status_code': 200,
    });
    expect((point.value as { count: number }).count).toBeGreaterThanOrEqual(1);
  });

  it('counts circuit breaker state changes', async () => {
    api.handle((_request, response) => {
      response.writeHead(503);
      response.end();
    });
    const breaker = new CircuitBreakerRetryStrategy({ maxRetries: 0, failureThreshold: 1 });
    const client = new HttpClient(
      new HttpClientConfigBuilder().withBaseUrl(api.url).withRetryStrategy(breaker).build(),
    );
    await client.get('/down');
    expect(breaker.state).toBe('open');
    breaker.reset();
    await client.close();
    expect(
      await otel.count('requestforge.circuit_breaker.state_changes', {
        'requestforge.circuit_breaker.state': 'open',
      }),
    ).toBe(1);
    expect(
      await otel.count('requestforge.circuit_breaker.state_changes', {
        'requestforge.circuit_breaker.state': 'closed',
      }),
    ).toBe(1);
    api.handle((_request, response) => response.end('{}'));
  });
});

describe('requestforge/otel: tokens', () => {
  afterEach(() => oauth.clearFailures());

  it('a replayed 401: the call span has a child per send and the renewal span under it, with the token endpoint call inside', async () => {
    const provider = new ClientCredentialsTokenProvider({
      tokenUrl: oauth.tokenUrl,
      clientId: CLIENT.id,
      clientSecret: CLIENT.secret,
      serviceName: 'billing',
    });
    const manager = new TokenManager(provider);
    const client = new HttpClient(
      new HttpClientConfigBuilder().withBaseUrl(oauth.apiUrl).withTokenAuth(manager).build(),
    );
    expect((await client.get('/invoices')).statusCode).toBe(200);
    const replaysBefore = await otel.count('requestforge.auth.replays');
    otel.resetSpans();
    oauth.revokeAll();
    expect((await client.get('/invoices')).statusCode).toBe(200);
    await client.close();
    await provider.close();

    const spans = otel.spans();
    const call = spans.find((span) => span.name === 'GET' && parentOf(span) === undefined)!;
    expect(call.attributes['http.request.resend_count']).toBe(1);
    const sends = spans.filter((span) => span.name === 'GET' && parentOf(span) === call.spanContext().spanId);
    expect(sends.map((span) => span.attributes['http.response.status_code']).sort()).toEqual([200, 401]);
    const renewal = spans.find(named('requestforge.token.fetch'))!;
    expect(parentOf(renewal)).toBe(call.spanContext().spanId);
    expect(renewal.kind).toBe(SpanKind.INTERNAL);
    expect(renewal.attributes).toEqual({
      'requestforge.token.service': 'billing',
      'requestforge.token.reason': 'invalidated',
      'requestforge.token.grant': 'client_credentials',
      'requestforge.token.outcome': 'success',
    });
    const tokenCall = spans.find((span) => span.name === 'POST')!;
    expect(parentOf(tokenCall)).toBe(renewal.spanContext().spanId);
    expect(tokenCall.attributes['url.full']).toBe(oauth.tokenUrl);
    expect(call.events.map((event) => event.name)).toEqual(['requestforge.auth.replay']);
    expect(await otel.count('requestforge.auth.replays')).toBe(replaysBefore + 1);
    expect(
      await otel.count('requestforge.token.requests', {
        'requestforge.token.reason': 'invalidated',
        'requestforge.token.outcome': 'success',
      }),
    ).toBe(1);
    expect(
      await otel.count('requestforge.token.cache_hits', { 'requestforge.token.service': 'billing' }),
    ).toBeGreaterThanOrEqual(1);
  });

  it('a refused token request: outcome failure, error.type and the OAuth error code', async () => {
    const provider = new ClientCredentialsTokenProvider({
      tokenUrl: oauth.tokenUrl,
      clientId: CLIENT.id,
      clientSecret: 'a-wrong-secret-Yt3',
      serviceName: 'wrong-secret',
      maxRetries: 0,
    });
    const manager = new TokenManager(provider);
    await expect(manager.getToken()).rejects.toMatchObject({ code: 'ERR_AUTHENTICATION' });
    await provider.close();
    const span = otel.spans().find(named('requestforge.token.fetch'))!;
    expect(span.attributes).toMatchObject({
      'requestforge.token.service': 'wrong-secret',
      'requestforge.token.reason': 'initial',
      'requestforge.token.outcome': 'failure',
      'error.type': 'ERR_AUTHENTICATION',
      'requestforge.token.oauth_error': 'invalid_client',
    });
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(
      await otel.count('requestforge.token.requests', {
        'requestforge.token.service': 'wrong-secret',
        'requestforge.token.outcome': 'failure',
      }),
    ).toBe(1);
  });

  it('no secret anywhere in any exported attribute, event or metric', async () => {
    const provider = new PasswordGrantTokenProvider({
      tokenUrl: oauth.tokenUrl,
      clientId: CLIENT.id,
      clientSecret: CLIENT.secret,
      username: USER.username,
      password: USER.password,
      serviceName: 'secrets-check',
      authMethod: 'header',
    });
    const manager = new TokenManager(provider);
    const client = new HttpClient(
      new HttpClientConfigBuilder()
        .withBaseUrl(oauth.apiUrl)
        .withTokenAuth(manager)
        .withHeader('x-api-key', 'header-secret-Qm7')
        .build(),
    );
    await client.get('/data', { params: { access_token: 'query-secret-Zr4' } });
    oauth.revokeAll();
    await client.get('/data');
    await manager.forceRefresh();
    await client.close();
    await provider.close();

    const secrets = [
      CLIENT.secret,
      USER.password,
      'header-secret-Qm7',
      'query-secret-Zr4',
      Buffer.from(`${CLIENT.id}:${CLIENT.secret}`).toString('base64'),
      ...oauth.issued.flatMap((token) => [token.accessToken, token.refreshToken ?? '']).filter(Boolean),
    ];
    expect(oauth.issued.length).toBeGreaterThanOrEqual(3);
    const exported = JSON.stringify({
      spans: otel.spans().map((span) => ({
        name: span.name,
        attributes: span.attributes,
        events: span.events,
        links: span.links,
        resource: span.resource.attributes,
      })),
      metrics: await otel.metrics(),
    });
    expect(exported).toContain('requestforge.token.fetch');
    for (const secret of secrets) expect(exported).not.toContain(secret);
  });
});

describe('requestforge/otel: lifecycle', () => {
  it('refuses unknown options and providers that are not providers', () => {
    expect(() => instrumentRequestforge({ tracer: {} } as never)).toThrow(/unknown option "tracer"/);
    expect(() => instrumentRequestforge({ tracerProvider: {} as never })).toThrow(TypeError);
    expect(() => instrumentRequestforge({ meterProvider: {} as never })).toThrow(TypeError);
  });

  it('disable() stops spans and propagation', async () => {
    const second = instrumentRequestforge({
      tracerProvider: otel.tracerProvider,
      meterProvider: otel.meterProvider,
    });
    second.disable();
    second.disable();
    instrumentation.disable();
    const client = new HttpClient(new HttpClientConfigBuilder().withBaseUrl(api.url).build());
    await client.get('/quiet');
    await client.close();
    expect(otel.spans()).toEqual([]);
    expect(api.requests[0]!.headers.traceparent).toBeUndefined();
    instrumentation = instrumentRequestforge({
      tracerProvider: otel.tracerProvider,
      meterProvider: otel.meterProvider,
    });
  });
});
