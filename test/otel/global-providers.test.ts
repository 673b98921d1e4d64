// With no SDK registered the instrumentation does no span work and sends no trace headers; a
// tracer or meter provider registered later (the usual start-up order) is picked up.
import { metrics, propagation, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { HttpClient, HttpClientConfigBuilder } from 'requestforge';
import { instrumentRequestforge } from 'requestforge/otel';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type LoopbackServer, startServer } from '../support/loopback-server';

let server: LoopbackServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());

it('no SDK: nothing recorded, no traceparent; a global provider registered afterwards is used', async () => {
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  const instrumentation = instrumentRequestforge();
  const client = new HttpClient(new HttpClientConfigBuilder().withBaseUrl(server.url).build());
  await client.get('/before');
  expect(server.requests[0]!.headers.traceparent).toBeUndefined();

  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  trace.setGlobalTracerProvider(provider);
  await client.get('/after');
  await client.close();
  instrumentation.disable();
  const [span] = exporter.getFinishedSpans();
  expect(span?.attributes['url.full']).toBe(`${server.url}/after`);
  expect(server.requests[1]!.headers.traceparent).toContain(span!.spanContext().spanId);
  await provider.shutdown();
  trace.disable();
  propagation.disable();
});

it('a global meter provider registered after instrumentRequestforge() gets the metrics from the next call on', async () => {
  const instrumentation = instrumentRequestforge();
  const client = new HttpClient(new HttpClientConfigBuilder().withBaseUrl(server.url).build());
  await client.get('/before');

  const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
  const provider = new MeterProvider({ readers: [reader] });
  metrics.setGlobalMeterProvider(provider);
  await client.get('/after');
  await client.get('/after');
  await client.close();
  await reader.forceFlush();
  instrumentation.disable();
  const duration = exporter
    .getMetrics()
    .flatMap((resource) => resource.scopeMetrics.flatMap((scope) => scope.metrics))
    .find((metric) => metric.descriptor.name === 'http.client.request.duration');
  const counts = (duration?.dataPoints ?? []).map((point) => (point.value as { count: number }).count);
  // Both calls after the registration, none before it (its meter was the no-op one).
  expect(counts.reduce((sum, count) => sum + count, 0)).toBe(2);
  await provider.shutdown();
  metrics.disable();
});
