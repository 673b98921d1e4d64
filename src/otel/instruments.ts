import type { Counter, Histogram, Meter } from '@opentelemetry/api';

/** The bucket boundaries the HTTP semantic conventions advise for `http.client.request.duration` (seconds). */
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

/** The metric instruments requestforge records, created once per instrumentation. */
export interface Instruments {
  readonly requestDuration: Histogram;
  readonly tokenRequests: Counter;
  readonly tokenCacheHits: Counter;
  readonly authReplays: Counter;
  readonly retries: Counter;
  readonly circuitStateChanges: Counter;
}

export function createInstruments(meter: Meter): Instruments {
  return {
    requestDuration: meter.createHistogram('http.client.request.duration', {
      description: 'Duration of HTTP client requests (each send: retries, replays and redirect hops count).',
      unit: 's',
      advice: { explicitBucketBoundaries: DURATION_BUCKETS },
    }),
    tokenRequests: meter.createCounter('requestforge.token.requests', {
      description: 'Token requests made by TokenManagers (provider calls), by service, reason and outcome.',
      unit: '{request}',
    }),
    tokenCacheHits: meter.createCounter('requestforge.token.cache_hits', {
      description: 'Requests served a token from memory, without any I/O.',
      unit: '{hit}',
    }),
    authReplays: meter.createCounter('requestforge.auth.replays', {
      description: 'Requests sent again with a renewed token after an auth error (401).',
      unit: '{replay}',
    }),
    retries: meter.createCounter('requestforge.retries', {
      description: 'Request retries after a transient failure (status or error).',
      unit: '{retry}',
    }),
    circuitStateChanges: meter.createCounter('requestforge.circuit_breaker.state_changes', {
      description: 'Circuit breaker state changes, by the new state.',
      unit: '{change}',
    }),
  };
}
