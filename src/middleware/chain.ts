import type { HttpRequest } from '../http/request';
import type { HttpResponse } from '../http/response';
import type { RequestContext } from './context';

/** Sends a request and resolves with its response: the transport, or the rest of the chain. */
export type Handler = (request: HttpRequest, context: RequestContext) => Promise<HttpResponse>;

/** One link of the chain: may change the request, call `next` (any number of times), change the response. */
export type Middleware = (
  request: HttpRequest,
  context: RequestContext,
  next: Handler,
) => Promise<HttpResponse>;

/** Composes middleware outermost-first around a terminal handler, once, at client construction. */
export function compose(middleware: readonly Middleware[], terminal: Handler): Handler {
  let handler = terminal;
  for (let i = middleware.length - 1; i >= 0; i--) {
    const link = middleware[i]!;
    const next = handler;
    handler = (request, context) => link(request, context, next);
  }
  return handler;
}

/** `next(request, context)`, with a synchronous throw turned into a rejected promise. */
export function sendThrough(
  next: Handler,
  request: HttpRequest,
  context: RequestContext,
): Promise<HttpResponse> {
  try {
    return next(request, context);
  } catch (error) {
    return Promise.reject(error);
  }
}
