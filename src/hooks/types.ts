import type { HttpRequest } from '../http/request';
import type { HttpResponse } from '../http/response';
import type { RequestContext } from '../middleware/context';

/** A hook's answer: a replacement, or nothing (a function without `return`) to keep what it got. */
// biome-ignore lint/suspicious/noConfusingVoidType: hooks written as functions without a return must type-check
export type Replacement<T> = T | void | Promise<T | void>;

/** Runs before each attempt; returns the request to send (or nothing to keep it). */
export interface RequestHook {
  beforeRequest(request: HttpRequest, context: RequestContext): Replacement<HttpRequest>;
}

/** Runs after each attempt's response; returns the response to use (or nothing to keep it). */
export interface ResponseHook {
  afterResponse(response: HttpResponse, context: RequestContext): Replacement<HttpResponse>;
}

/** Runs when an attempt fails with an error (before any retry). */
export interface ErrorHook {
  onError(error: unknown, context: RequestContext): void | Promise<void>;
}

export type RequestHookFunction = RequestHook['beforeRequest'];
export type ResponseHookFunction = ResponseHook['afterResponse'];
export type ErrorHookFunction = ErrorHook['onError'];

/**
 * A logger: `console`, pino, winston and bunyan all fit. Each call gets one preformatted,
 * redacted message string.
 */
export interface Logger {
  /** pino and winston have it: lines of disabled levels are not even formatted. */
  isLevelEnabled?(level: 'debug' | 'info' | 'warn' | 'error'): boolean;
  debug?(message: string): unknown;
  info(message: string): unknown;
  warn(message: string): unknown;
  error(message: string): unknown;
}
