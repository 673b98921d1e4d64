// The OpenTelemetry SDK wired with its in-memory span and metric exporters, the async-hooks
// context manager and the W3C trace-context propagator: what a service would register.
import { context, propagation } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  type MetricData,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';

export interface OtelHarness {
  readonly tracerProvider: BasicTracerProvider;
  readonly meterProvider: MeterProvider;
  /** Finished spans so far. */
  spans(): ReadableSpan[];
  /** Collects and returns every metric recorded so far (cumulative). */
  metrics(): Promise<MetricData[]>;
  /** The sum of a counter's data points whose attributes include `where`. */
  count(name: string, where?: Record<string, unknown>): Promise<number>;
  /** Forgets the finished spans. */
  resetSpans(): void;
  shutdown(): Promise<void>;
}

export function startOtel(): OtelHarness {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  const spanExporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spanExporter)] });
  const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const reader = new PeriodicExportingMetricReader({
    exporter: metricExporter,
    exportIntervalMillis: 3_600_000,
  });
  const meterProvider = new MeterProvider({ readers: [reader] });
  const metrics = async () => {
    metricExporter.reset();
    await reader.forceFlush();
    return metricExporter.getMetrics().flatMap((resource) => resource.scopeMetrics.flatMap((s) => s.metrics));
  };
  return {
    tracerProvider,
    meterProvider,
    spans: () => spanExporter.getFinishedSpans(),
    metrics,
    async count(name, where = {}) {
      const metric = (await metrics()).find((m) => m.descriptor.name === name);
      let total = 0;
      for (const point of metric?.dataPoints ?? []) {
        const matches = Object.entries(where).every(([key, value]) => point.attributes[key] === value);
        if (matches) total += typeof point.value === 'number' ? point.value : point.value.count;
      }
      return total;
    },
    resetSpans: () => spanExporter.reset(),
    async shutdown() {
      await tracerProvider.shutdown();
      await meterProvider.shutdown();
      propagation.disable();
      context.disable();
    },
  };
}

/** The parent span id of a finished span (SDK 2.x keeps the parent's whole context). */
export function parentOf(span: ReadableSpan): string | undefined {
  return span.parentSpanContext?.spanId;
}

/** `traceparent` → its trace id and parent (span) id. */
export function parseTraceparent(header: unknown): { traceId: string; spanId: string } | undefined {
  const match = typeof header === 'string' ? /^00-([0-9a-f]{32})-([0-9a-f]{16})-0[01]$/.exec(header) : null;
  return match ? { traceId: match[1]!, spanId: match[2]! } : undefined;
}
