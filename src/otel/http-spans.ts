import {
  type Attributes,
  type Context,
  context as otelContext,
  propagation,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import type { CallMessage, SendEndMessage, SendStartMessage } from 'requestforge';
import {
  cachedServerAttributes,
  errorType,
  HTTP,
  methodAttributes,
  requestAttributes,
  spanName,
} from './attributes';
import type { Instruments } from './instruments';

/** One send of a call (a child span is made for it when the call has several). */
interface SendRecord {
  readonly send: number;
  readonly method: string;
  readonly url: string;
  /** Epoch milliseconds (fractional), for span times. */
  readonly startTime: number;
  /** `performance.now()` at the start, for the duration histogram. */
  readonly startedAt: number;
  endTime?: number;
  statusCode?: number;
  error?: string;
  span?: Span;
}

/** One logical request: its CLIENT span, the context it runs in, its sends. */
interface CallState {
  readonly span: Span;
  readonly context: Context;
  readonly sends: SendRecord[];
}

/** A message carrying this instrumentation's state under its symbol. */
type Stateful<T> = { [key: symbol]: T | undefined };

function slot<T>(message: object): Stateful<T> {
  return message as unknown as Stateful<T>;
}

/** Epoch milliseconds with sub-millisecond precision. */
function epochNow(): number {
  return performance.timeOrigin + performance.now();
}

/** Sets the outcome attributes and status of an HTTP client span and ends it. */
function finish(
  span: Span,
  statusCode: number | undefined,
  error: string | undefined,
  endTime?: number,
): void {
  if (statusCode !== undefined) span.setAttribute(HTTP.statusCode, statusCode);
  const type = errorType(statusCode, error);
  if (type !== undefined) {
    span.setAttribute(HTTP.errorType, type);
    span.setStatus({ code: SpanStatusCode.ERROR });
  }
  span.end(endTime);
}

/**
 * Spans of logical requests and their sends: one CLIENT span per call named after its method,
 * made the active span for everything the call does; when a call went on the wire more than once
 * (retries, 401 replays, redirect hops) each send also gets a CLIENT child span with
 * `http.request.resend_count`. The first send's child is made when the second starts, with its
 * recorded times: until then the call span is the send's span. Trace context goes out through the
 * global propagator, on the span of the send. Attributes are computed only for recording spans.
 */
export class HttpSpans {
  readonly #tracer: Tracer;
  readonly #instruments: Instruments;
  /** Each instrumentation keeps its state on the messages under its own symbol (cheaper than a WeakMap). */
  readonly #state = Symbol('requestforge.otel');

  readonly #tracing: () => boolean;
  readonly #meters: { readonly metered: boolean };

  /**
   * @param tracing whether spans are recorded now (false while no SDK is registered: then no span,
   *   no context and no propagation work is done)
   * @param meters whether metrics go anywhere (not for the API's no-op meter)
   */
  constructor(
    tracer: Tracer,
    instruments: Instruments,
    tracing: () => boolean,
    meters: { readonly metered: boolean },
  ) {
    this.#tracer = tracer;
    this.#instruments = instruments;
    this.#tracing = tracing;
    this.#meters = meters;
  }

  startCall(message: CallMessage): void {
    if (!this.#tracing()) return;
    const parent = otelContext.active();
    const span = this.#tracer.startSpan(spanName(message.method), { kind: SpanKind.CLIENT }, parent);
    if (span.isRecording()) span.setAttributes(requestAttributes(message.method, message.url));
    const call: CallState = { span, context: trace.setSpan(parent, span), sends: [] };
    slot<CallState>(message)[this.#state] = call;
    message.wrap((run) => otelContext.with(call.context, run));
  }

  endCall(message: CallMessage): void {
    const call = slot<CallState>(message)[this.#state];
    if (call === undefined) return;
    slot<CallState>(message)[this.#state] = undefined;
    if (message.sends > 1) call.span.setAttribute(HTTP.resendCount, message.sends - 1);
    finish(call.span, message.statusCode, message.error);
  }

  startSend(message: SendStartMessage): void {
    const call = message.call === undefined ? undefined : slot<CallState>(message.call)[this.#state];
    if (call === undefined && !this.#meters.metered && !this.#tracing()) return;
    const record: SendRecord = {
      send: message.send,
      method: message.method,
      url: message.url,
      startTime: epochNow(),
      startedAt: performance.now(),
    };
    slot<SendRecord>(message)[this.#state] = record;
    let sendContext = call?.context ?? otelContext.active();
    if (call !== undefined) {
      call.sends.push(record);
      if (message.send > 1) {
        const first = call.sends[0]!;
        if (first !== record && first.span === undefined) {
          this.#childSpan(call, first);
          if (first.endTime !== undefined) finish(first.span!, first.statusCode, first.error, first.endTime);
        }
        sendContext = trace.setSpan(call.context, this.#childSpan(call, record));
      }
    }
    const carrier: Record<string, string> = {};
    propagation.inject(sendContext, carrier);
    for (const name of Object.keys(carrier)) message.addHeader(name, carrier[name]!);
  }

  endSend(message: SendEndMessage): void {
    const record = slot<SendRecord>(message)[this.#state];
    if (record === undefined) return;
    slot<SendRecord>(message)[this.#state] = undefined;
    record.endTime = epochNow();
    record.statusCode = message.statusCode;
    record.error = message.error;
    if (record.span !== undefined) finish(record.span, record.statusCode, record.error, record.endTime);
    if (!this.#meters.metered) return;
    const attributes: Attributes = { ...cachedServerAttributes(record.url) };
    methodAttributes(record.method, attributes);
    if (record.statusCode !== undefined) attributes[HTTP.statusCode] = record.statusCode;
    const type = errorType(record.statusCode, record.error);
    if (type !== undefined) attributes[HTTP.errorType] = type;
    this.#instruments.requestDuration.record((performance.now() - record.startedAt) / 1000, attributes);
  }

  #childSpan(call: CallState, record: SendRecord): Span {
    record.span = this.#tracer.startSpan(
      spanName(record.method),
      { kind: SpanKind.CLIENT, startTime: record.startTime },
      call.context,
    );
    if (record.span.isRecording()) {
      const attributes = requestAttributes(record.method, record.url);
      if (record.send > 1) attributes[HTTP.resendCount] = record.send - 1;
      record.span.setAttributes(attributes);
    }
    return record.span;
  }
}
