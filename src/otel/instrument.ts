import diagnosticsChannel from 'node:diagnostics_channel';
import {
  diag,
  type MeterProvider,
  ProxyTracerProvider,
  type TracerProvider,
  trace,
} from '@opentelemetry/api';
import {
  type AuthReplayMessage,
  type CallMessage,
  CHANNELS,
  type CircuitStateMessage,
  type SendEndMessage,
  type SendStartMessage,
  type TokenCacheHitMessage,
  type TokenRequestMessage,
  VERSION,
} from 'requestforge';
import { optionKeys, readOptions } from '../checks/options';
import { cachedServerAttributes, HTTP, methodAttributes, RF } from './attributes';
import { HttpSpans } from './http-spans';
import type { Instruments } from './instruments';
import { MeterBinding } from './meter-binding';
import { TokenSpans } from './token-spans';

/** Options of {@link instrumentRequestforge}. */
export interface InstrumentationOptions {
  /**
   * Where spans go.
   * @default the global tracer provider (`trace.setGlobalTracerProvider`, done by the SDK's `start()`/`register()`)
   * @example new NodeTracerProvider({ spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter())] })
   */
  readonly tracerProvider?: TracerProvider;
  /**
   * Where metrics go. Without this option, the global meter provider: one registered after
   * `instrumentRequestforge()` (the SDK started later) is picked up at the next call, although
   * the OpenTelemetry metrics API itself has no late binding.
   * @default the global meter provider (`metrics.setGlobalMeterProvider`)
   * @example new MeterProvider({ readers: [new PeriodicExportingMetricReader({ exporter: new OTLPMetricExporter() })] })
   */
  readonly meterProvider?: MeterProvider;
}

/** A running instrumentation, returned by {@link instrumentRequestforge}. */
export interface RequestforgeInstrumentation {
  /** Stops recording: unsubscribes from every channel. Calls in flight are not recorded further. Idempotent. */
  disable(): void;
}

const KEYS = optionKeys<InstrumentationOptions>()({ tracerProvider: true, meterProvider: true });

/** The API's own no-op tracer provider: what a `ProxyTracerProvider` delegates to while no SDK is registered. */
const NOOP_TRACER_PROVIDER = new ProxyTracerProvider().getDelegate();

/** Whether spans are recorded now: a global provider can be registered later, so this is asked per call. */
function tracingLive(provider: TracerProvider): () => boolean {
  if (!(provider instanceof ProxyTracerProvider)) return () => true;
  return () => provider.getDelegate() !== NOOP_TRACER_PROVIDER;
}

/** Runs a subscriber so that it can never throw into the request path (a throw there is an uncaught exception). */
function guarded<T>(what: string, handler: (message: T) => void): (message: unknown) => void {
  return (message) => {
    try {
      handler(message as T);
    } catch (error) {
      diag.error(`requestforge instrumentation: ${what} failed`, error);
    }
  };
}

/** Metric-only subscriptions: left out without a meter, so a cache hit publishes nothing then. */
function metricsOnly(instruments: Instruments) {
  return {
    [CHANNELS.tokenCacheHit]: guarded<TokenCacheHitMessage>('cache hit', (message) =>
      instruments.tokenCacheHits.add(1, { [RF.tokenService]: message.serviceName }),
    ),
    [CHANNELS.circuitState]: guarded<CircuitStateMessage>('circuit state', (message) =>
      instruments.circuitStateChanges.add(1, {
        [RF.circuitState]: message.state,
        [RF.circuitPrevious]: message.previous,
      }),
    ),
  };
}

/** Counters that also add events to the active span: subscribed with or without a meter. */
function counters(instruments: Instruments) {
  return {
    [CHANNELS.authReplay]: guarded<AuthReplayMessage>('auth replay', (message) => {
      instruments.authReplays.add(
        1,
        methodAttributes(message.method, { ...cachedServerAttributes(message.url) }),
      );
      trace.getActiveSpan()?.addEvent('requestforge.auth.replay', {
        [RF.replay]: message.replay,
        [HTTP.statusCode]: message.statusCode,
      });
    }),
    [CHANNELS.requestRetry]: guarded<{
      method: string;
      url: string;
      reason: string | number;
      delayMs: number;
    }>('retry', (message) => {
      const reason = String(message.reason);
      const attributes = methodAttributes(message.method, { ...cachedServerAttributes(message.url) });
      attributes[RF.retryReason] = reason;
      instruments.retries.add(1, attributes);
      trace.getActiveSpan()?.addEvent('requestforge.retry', {
        [RF.retryReason]: reason,
        [RF.retryDelayMs]: message.delayMs,
      });
    }),
  };
}

/**
 * Records requestforge's work as OpenTelemetry spans and metrics, from its diagnostics channels
 * (no monkey-patching). Call it once, early, after your SDK is set up.
 *
 * - A `CLIENT` span per logical request named after its method, with the stable HTTP semantic
 *   conventions (`http.request.method`, `url.full` with credentials redacted, `server.address`,
 *   `server.port`, `http.response.status_code`, `error.type`, `http.request.resend_count`); a
 *   child per send when a request was retried, replayed after a 401 or redirected.
 * - `requestforge.token.fetch` spans for token requests (service, reason, grant, outcome).
 * - `traceparent`/`tracestate` on every send, through the global propagator.
 * - Metrics: `http.client.request.duration`, `requestforge.token.requests`,
 *   `requestforge.token.cache_hits`, `requestforge.auth.replays`, `requestforge.retries`,
 *   `requestforge.circuit_breaker.state_changes`.
 *
 * @example
 * ```ts
 * import { instrumentRequestforge } from 'requestforge/otel';
 * const instrumentation = instrumentRequestforge(); // the global providers
 * // … on shutdown:
 * instrumentation.disable();
 * ```
 */
export function instrumentRequestforge(options?: InstrumentationOptions): RequestforgeInstrumentation {
  const given = readOptions(options, 'instrumentRequestforge', KEYS);
  if (given.tracerProvider !== undefined && typeof given.tracerProvider?.getTracer !== 'function')
    throw new TypeError('instrumentRequestforge: tracerProvider must have getTracer()');
  if (given.meterProvider !== undefined && typeof given.meterProvider?.getMeter !== 'function')
    throw new TypeError('instrumentRequestforge: meterProvider must have getMeter()');
  const tracer = (given.tracerProvider ?? trace).getTracer('requestforge', VERSION);
  const meters = new MeterBinding(given.meterProvider);
  const { instruments } = meters;
  const tracing = tracingLive(given.tracerProvider ?? trace.getTracerProvider());
  const http = new HttpSpans(tracer, instruments, tracing, meters);
  const tokens = new TokenSpans(tracer, instruments);
  const subscriptions: Record<string, (message: unknown) => void> = {
    [CHANNELS.callEnd]: guarded<CallMessage>('call end', (message) => http.endCall(message)),
    [CHANNELS.requestStart]: guarded<SendStartMessage>('send start', (message) => http.startSend(message)),
    [CHANNELS.requestEnd]: guarded<SendEndMessage>('send end', (message) => http.endSend(message)),
    [CHANNELS.tokenStart]: guarded<TokenRequestMessage>('token start', (message) => tokens.start(message)),
    [CHANNELS.tokenEnd]: guarded<TokenRequestMessage>('token end', (message) => tokens.end(message)),
    ...counters(instruments),
  };
  const meteredOnly = metricsOnly(instruments);
  const subscribe = (handlers: Record<string, (message: unknown) => void>) => {
    for (const [name, handler] of Object.entries(handlers)) diagnosticsChannel.subscribe(name, handler);
  };
  // With no SDK at all (no-op tracer and meter) only call:start is watched, so the sends and the
  // token cache pay nothing; the first call after a tracer or meter provider is registered wakes
  // the rest.
  let awake = false;
  let meteredAwake = false;
  const wake = () => {
    if (!awake) subscribe(subscriptions);
    awake = true;
    if (meters.metered && !meteredAwake) {
      subscribe(meteredOnly);
      meteredAwake = true;
    }
  };
  const onCallStart = guarded<CallMessage>('call start', (message) => {
    if (!meteredAwake && meters.bind()) wake();
    if (!awake) {
      if (!tracing()) return;
      wake();
    }
    http.startCall(message);
  });
  diagnosticsChannel.subscribe(CHANNELS.callStart, onCallStart);
  if (meters.metered || tracing()) wake();

  let enabled = true;
  return Object.freeze({
    disable(): void {
      if (!enabled) return;
      enabled = false;
      diagnosticsChannel.unsubscribe(CHANNELS.callStart, onCallStart);
      const unsubscribe = (handlers: Record<string, (message: unknown) => void>) => {
        for (const [name, handler] of Object.entries(handlers)) diagnosticsChannel.unsubscribe(name, handler);
      };
      if (awake) unsubscribe(subscriptions);
      if (meteredAwake) unsubscribe(meteredOnly);
    },
  });
}
