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
  errorType,
  HTTP,
  methodAttributes,
  requestAttributes,
  serverAttributes,
  spanName,
} from './attributes';
import type { Instruments } from './instruments';
import { type CallState, epochNow, type Scope, type ScopeStorage, type SendRecord } from './scope';

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
 * Spans of logical requests and their sends: one CLIENT span per call named after its method; when
 * a call went on the wire more than once (retries, 401 replays, redirect hops) each send also
 * gets a CLIENT child span with `http.request.resend_count`. The first send's child is made when
 * the second starts, with its recorded times: until then the call span is the send's span.
 * Trace context goes out through the global propagator, on the span of the send.
 */
export class HttpSpans {
  readonly #tracer: Tracer;
  readonly #instruments: Instruments;
  readonly #storage: ScopeStorage;
  readonly #calls = new WeakMap<CallMessage, CallState>();

  constructor(tracer: Tracer, instruments: Instruments, storage: ScopeStorage) {
    this.#tracer = tracer;
    this.#instruments = instruments;
    this.#storage = storage;
  }

  /** `bindStore` transform of `requestforge:call:start`: starts the call span, returns the call's scope. */
  startCall(message: CallMessage): Scope {
    const parent = this.#storage.getStore()?.context ?? otelContext.active();
    const span = this.#tracer.startSpan(
      spanName(message.method),
      { kind: SpanKind.CLIENT, attributes: requestAttributes(message.method, message.url) },
      parent,
    );
    const call: CallState = { span, context: trace.setSpan(parent, span), sends: [] };
    this.#calls.set(message, call);
    return { context: call.context, call };
  }

  endCall(message: CallMessage): void {
    const call = this.#calls.get(message);
    if (call === undefined) return;
    this.#calls.delete(message);
    if (message.sends > 1) call.span.setAttribute(HTTP.resendCount, message.sends - 1);
    finish(call.span, message.statusCode, message.error);
  }

  startSend(message: SendStartMessage): void {
    const call = this.#storage.getStore()?.call;
    if (call === undefined) return;
    const record: SendRecord = {
      send: message.send,
      method: message.method,
      url: message.url,
      startTime: epochNow(),
      startedAt: performance.now(),
    };
    call.sends.push(record);
    let sendContext: Context = call.context;
    if (message.send > 1) {
      const first = call.sends[0];
      if (first !== undefined && first !== record && first.span === undefined) {
        this.#childSpan(call, first);
        if (first.endTime !== undefined) finish(first.span!, first.statusCode, first.error, first.endTime);
      }
      sendContext = trace.setSpan(call.context, this.#childSpan(call, record));
    }
    const carrier: Record<string, string> = {};
    propagation.inject(sendContext, carrier);
    for (const name of Object.keys(carrier)) message.addHeader(name, carrier[name]!);
  }

  endSend(message: SendEndMessage): void {
    const call = this.#storage.getStore()?.call;
    const record = call?.sends.findLast((candidate) => candidate.send === message.send);
    if (record === undefined) return;
    record.endTime = epochNow();
    record.statusCode = message.statusCode;
    record.error = message.error;
    if (record.span !== undefined) finish(record.span, record.statusCode, record.error, record.endTime);
    const attributes: Attributes = methodAttributes(record.method);
    serverAttributes(record.url, attributes);
    if (record.statusCode !== undefined) attributes[HTTP.statusCode] = record.statusCode;
    const type = errorType(record.statusCode, record.error);
    if (type !== undefined) attributes[HTTP.errorType] = type;
    this.#instruments.requestDuration.record((performance.now() - record.startedAt) / 1000, attributes);
  }

  #childSpan(call: CallState, record: SendRecord): Span {
    const attributes = requestAttributes(record.method, record.url);
    if (record.send > 1) attributes[HTTP.resendCount] = record.send - 1;
    record.span = this.#tracer.startSpan(
      spanName(record.method),
      { kind: SpanKind.CLIENT, attributes, startTime: record.startTime },
      call.context,
    );
    return record.span;
  }
}
