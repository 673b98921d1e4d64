import type { HttpRequest } from '../http/request';
import type { HttpResponse } from '../http/response';
import type { RequestContext } from '../middleware/context';

/** A hook's answer: a replacement, or nothing (a function without `return`) to keep what it got. */
// biome-ignore lint/suspicious/noConfusingVoidType: hooks written as functions without a return must type-check
export type Replacement<T> = T | void | Promise<T | void>;

/** Runs before each attempt; returns the request to send (or nothing to keep it). */
export interface RequestHook {
  /** Called before each attempt with the request and the call's context; returns the request to send, or nothing to keep it. */
  beforeRequest(request: HttpRequest, context: RequestContext): Replacement<HttpRequest>;
}

/** Runs after each attempt's response; returns the response to use (or nothing to keep it). */
export interface ResponseHook {
  /** Called after each attempt with its response and the call's context; returns the response to use, or nothing to keep it. */
  afterResponse(response: HttpResponse, context: RequestContext): Replacement<HttpResponse>;
}

/** Runs when an attempt fails with an error (before any retry). */
export interface ErrorHook {
  /** Called with the error an attempt failed with and the call's context. */
  onError(error: unknown, context: RequestContext): void | Promise<void>;
}

/** A request hook written as a function. */
export type RequestHookFunction = RequestHook['beforeRequest'];
/** A response hook written as a function. */
export type ResponseHookFunction = ResponseHook['afterResponse'];
/** An error hook written as a function. */
export type ErrorHookFunction = ErrorHook['onError'];

/**
 * A logger: `console`, pino, winston and bunyan all fit. Each call gets one preformatted,
 * redacted message string.
 */
export interface Logger {
  /** pino and winston have it: lines of disabled levels are not even formatted. */
  isLevelEnabled?(level: 'debug' | 'info' | 'warn' | 'error'): boolean;
  /** Writes a debug line (optional: `console` has it, some loggers do not). */
  debug?(message: string): unknown;
  /** Writes an info line. */
  info(message: string): unknown;
  /** Writes a warning. */
  warn(message: string): unknown;
  /** Writes an error line. */
  error(message: string): unknown;
}
