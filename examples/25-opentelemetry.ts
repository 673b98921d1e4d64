// Observability: OpenTelemetry spans, metrics and trace propagation from requestforge/otel.
// A service registers its SDK (here with in-memory exporters, to print what would be exported).
import { context, propagation } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import {
  ClientCredentialsTokenProvider,
  HttpClient,
  HttpClientConfigBuilder,
  TokenManager,
} from 'requestforge';
import { instrumentRequestforge } from 'requestforge/otel';
import { exampleAuth, standIn } from './support/stand-ins';

// 1. The SDK, as a service sets it up (an OTLP exporter to Jaeger, Tempo or a collector in production).
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
propagation.setGlobalPropagator(new W3CTraceContextPropagator());
const spans = new InMemorySpanExporter();
const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
const metricsOut = new InMemoryMetricExporter(0);
const reader = new PeriodicExportingMetricReader({ exporter: metricsOut, exportIntervalMillis: 60_000 });
const meterProvider = new MeterProvider({ readers: [reader] });

// 2. One call instruments every requestforge client in the process.
const instrumentation = instrumentRequestforge({ tracerProvider, meterProvider });

// 3. An API that rejects revoked tokens, and says what trace context it received.
const auth = await exampleAuth(); // stands in for https://auth.example.com
const live = await auth.api();
const api = await standIn('api.example.com', (req) => {
  console.log(
    `  [api.example.com] ${req.method} ${req.url} traceparent: ${req.headers.traceparent ?? 'none'}`,
  );
  return { json: { ok: true } };
});
const provider = new ClientCredentialsTokenProvider({
  tokenUrl: `${auth.url}/oauth/token`,
  clientId: 'your-client-id',
  clientSecret: 'your-client-secret',
  serviceName: 'orders-api',
});
const manager = new TokenManager(provider);
const client = new HttpClient(
  new HttpClientConfigBuilder()
    .withBaseUrl(live.url)
    .withTokenAuth(manager)
    .withTrustedOrigins([api.url])
    .build(),
);

await client.get('/orders'); // a token fetch, then the request
auth.revokeAll();
await client.get('/orders'); // 401 → renewal → replay: a call span with two send children
await client.get(`${api.url}/inventory`); // the server receives traceparent

// 4. What an exporter would send: the span tree, then the metrics.
const finished = spans.getFinishedSpans();
const childrenOf = (parent: ReadableSpan | undefined) =>
  finished.filter((span) => span.parentSpanContext?.spanId === parent?.spanContext().spanId);
const show = (span: ReadableSpan, depth: number) => {
  const keys = [
    'http.response.status_code',
    'http.request.resend_count',
    'requestforge.token.reason',
    'requestforge.token.outcome',
  ];
  const attributes = keys
    .filter((key) => span.attributes[key] !== undefined)
    .map((key) => `${key}=${span.attributes[key]}`);
  console.log(`${'  '.repeat(depth)}${span.name} ${attributes.join(' ')}`.trimEnd());
  for (const child of childrenOf(span)) show(child, depth + 1);
};
console.log('spans:');
for (const root of childrenOf(undefined)) show(root, 1);

await reader.forceFlush();
console.log('metrics:');
for (const metric of metricsOut.getMetrics()[0]?.scopeMetrics[0]?.metrics ?? []) {
  const total = metric.dataPoints.reduce(
    (sum, point) => sum + (typeof point.value === 'number' ? point.value : point.value.count),
    0,
  );
  console.log(`  ${metric.descriptor.name} ${total}`);
}

instrumentation.disable();
await client.close();
await provider.close();
await Promise.all([
  api.close(),
  live.close(),
  auth.close(),
  tracerProvider.shutdown(),
  meterProvider.shutdown(),
]);
