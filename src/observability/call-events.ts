import { describeError } from '../checks/describe-error';
import type { HttpRequest } from '../http/request';
import type { HttpResponse } from '../http/response';
import type { Handler } from '../middleware/chain';
import type { RequestContext } from '../middleware/context';
import type { CallMessage } from './event-messages';
import { channels } from './events';
import { WrappableEvent } from './runners';

/** True while someone listens to the call-level channels (checked once per call). */
export function callObserved(): boolean {
  return channels.callStart.hasSubscribers || channels.callEnd.hasSubscribers;
}

/** The message of one observed call (a class: no closure is allocated per call). */
class CallEvent extends WrappableEvent implements CallMessage {
  readonly method: string;
  readonly url: string;
  sends = 0;
  statusCode?: number;
  error?: string;
  elapsedMs?: number;
  readonly #started = performance.now();

  constructor(method: string, url: string) {
    super();
    this.method = method;
    this.url = url;
  }

  run(handler: Handler, request: HttpRequest, context: RequestContext): Promise<HttpResponse> {
    return this.runWrapped(() => handler(request, context));
  }

  end(context: RequestContext): void {
    this.sends = context.sends;
    this.elapsedMs = performance.now() - this.#started;
    if (channels.callEnd.hasSubscribers) channels.callEnd.publish(this);
  }
}

/**
 * Runs one call between `requestforge:call:start` and `requestforge:call:end`, publishing the
 * same message to both. The start is published with `runStores` (an `AsyncLocalStorage` bound
 * with `bindStore` follows the call), and the call runs inside every runner a subscriber handed
 * to `message.wrap` (OpenTelemetry makes the call's span the active one that way). The sends
 * find the message on the context (`context.call`).
 */
export function observeCall(
  handler: Handler,
  request: HttpRequest,
  context: RequestContext,
): Promise<HttpResponse> {
  const event = new CallEvent(request.method, request.redactor.url(request.url));
  context.call = event;
  let sent: Promise<HttpResponse>;
  try {
    sent = channels.callStart.runStores(event, event.run, event, handler, request, context);
  } catch (error) {
    event.error = describeError(error);
    event.end(context);
    throw error;
  }
  return sent.then(
    (response) => {
      event.statusCode = response.statusCode;
      event.end(context);
      return response;
    },
    (error: unknown) => {
      event.error = describeError(error);
      event.end(context);
      throw error;
    },
  );
}
