// The shapes of the messages requestforge publishes on its diagnostics channels (see CHANNELS).
// Every field is secret-free: URLs are redacted, errors are named by their stable code.
import type { Runner } from './runners';

/**
 * `requestforge:call:start` and `requestforge:call:end`: one logical request (one `client.get`,
 * `request`, `stream`…), however many times it went on the wire. The same object is published
 * to both channels; the outcome fields are filled in before `call:end`. The start is published
 * with `runStores`, so an `AsyncLocalStorage` bound to `requestforge:call:start` with
 * `bindStore` holds its value for the whole call (every send, hook and token fetch inside it).
 *
 * @example
 * ```ts
 * import diagnosticsChannel from 'node:diagnostics_channel';
 * diagnosticsChannel.subscribe(CHANNELS.callEnd, (message) => {
 *   const call = message as CallMessage;
 *   console.log(call.method, call.url, call.statusCode ?? call.error, `${call.sends} send(s)`);
 * });
 * ```
 */
export interface CallMessage {
  /** Upper-case HTTP method. */
  readonly method: string;
  /** The URL the caller asked for, credentials in its query redacted. */
  readonly url: string;
  /** How many times the request went on the wire (retries, 401 replays and redirect hops included); set at the end. */
  sends: number;
  /** The final response's status, when there is one. */
  statusCode?: number;
  /** The stable code of the error the call failed with (`ERR_TIMEOUT`, …), when it failed. */
  error?: string;
  /** Wall time of the whole call, in milliseconds; set at the end. */
  elapsedMs?: number;
  /**
   * Runs the call inside `runner` (callable while `call:start` is being published): what the
   * OpenTelemetry instrumentation uses to make the call's span the active one for everything the
   * call does (hooks, token requests, sends).
   */
  wrap(runner: Runner): void;
}

/**
 * `requestforge:request:start`: one send of a call, right before it goes on the wire. The same
 * object is published to `requestforge:request:end`, completed (see {@link SendEndMessage}).
 *
 * @example
 * ```ts
 * diagnosticsChannel.subscribe(CHANNELS.requestStart, (message) => {
 *   (message as SendStartMessage).addHeader('x-request-source', 'batch');
 * });
 * ```
 */
export interface SendStartMessage {
  /** Upper-case HTTP method of this send (a 303 turns a POST into a GET). */
  readonly method: string;
  /** The URL of this send (its redirect hop), credentials in its query redacted. */
  readonly url: string;
  /** The request-retry attempt this send belongs to: 0 first, then 1, 2, … */
  readonly attempt: number;
  /** The send's number within its call: 1 first, then 2, 3, … across retries, replays and hops. */
  readonly send: number;
  /** The call this send belongs to, when the call-level channels are observed. */
  readonly call?: CallMessage;
  /**
   * Adds a header to this send only (trace context such as `traceparent`). Callable only while
   * the message is being published. Throws a `TypeError` for an invalid name or value, and for
   * credential headers (`authorization`, cookies, API keys, the client's sensitive keys) and
   * framing headers (`host`, `content-length`, `transfer-encoding`, `connection`, …), which a
   * subscriber may never set.
   */
  addHeader(name: string, value: string): void;
}

/** `requestforge:request:end`: the start message of the send, with its outcome filled in. */
export interface SendEndMessage extends SendStartMessage {
  /** The response status, when the send got a response. */
  statusCode?: number;
  /** Time to the response (headers, and the body when buffered), in milliseconds. */
  elapsedMs?: number;
  /** The stable code of the error the send failed with. */
  error?: string;
}

/**
 * `requestforge:token:start` and `requestforge:token:end`: one provider call of a
 * `TokenManager` (a new token or a renewal; the token endpoint's HTTP requests run inside it).
 * The same object is published to both; the start is published with `runStores`.
 */
export interface TokenRequestMessage {
  /** The provider's service name. */
  readonly serviceName: string;
  /** Why: `initial`, `expired`, `invalidated` (the API rejected the token), `forced` or `background`. */
  readonly reason: string;
  /** The grant asked for: `refresh_token`, the provider's `grantType` (`client_credentials`, …), or `custom`. */
  readonly grant: string;
  /** `success` or `failure`; set at the end. */
  outcome?: 'success' | 'failure';
  /** The stable code of the error, when it failed (`ERR_AUTHENTICATION`, …). */
  error?: string;
  /** The OAuth error code the token endpoint answered (`invalid_client`, …), when there was one. */
  oauthError?: string;
  /** Wall time of the provider call, in milliseconds; set at the end. */
  durationMs?: number;
  /** Runs the provider call inside `runner` (callable while `token:start` is being published). */
  wrap(runner: Runner): void;
}

/** `requestforge:token:cache-hit`: a request was served a token from memory without any I/O. */
export interface TokenCacheHitMessage {
  /** The provider's service name. */
  readonly serviceName: string;
}

/** `requestforge:auth:replay`: a request is sent again after an auth error (401) with a renewed token. */
export interface AuthReplayMessage {
  /** Upper-case HTTP method. */
  readonly method: string;
  /** The URL, credentials in its query redacted. */
  readonly url: string;
  /** The replay's number: 1 for the first replay of this request. */
  readonly replay: number;
  /** The status that caused the replay. */
  readonly statusCode: number;
}

/** `requestforge:circuit:state`: a `CircuitBreakerRetryStrategy` changed state. */
export interface CircuitStateMessage {
  /** The state before. */
  readonly previous: 'closed' | 'open' | 'half_open';
  /** The state now. */
  readonly state: 'closed' | 'open' | 'half_open';
}
