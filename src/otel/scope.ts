import type { AsyncLocalStorage } from 'node:async_hooks';
import type { Context, Span } from '@opentelemetry/api';

/** One send of a call, kept until the call ends (a child span is made for it when there are several). */
export interface SendRecord {
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

/** One logical request: its CLIENT span and its sends. */
export interface CallState {
  readonly span: Span;
  readonly context: Context;
  readonly sends: SendRecord[];
}

/**
 * What the instrumentation's `AsyncLocalStorage` holds inside a call or a token request (bound
 * to the start channels with `bindStore`, so it follows the async work of that call).
 */
export interface Scope {
  /** The OpenTelemetry context whose span is the parent of anything started inside. */
  readonly context: Context;
  /** The call, when the innermost scope is a call. */
  readonly call?: CallState;
}

export type ScopeStorage = AsyncLocalStorage<Scope>;

/** Epoch milliseconds with sub-millisecond precision. */
export function epochNow(): number {
  return performance.timeOrigin + performance.now();
}
