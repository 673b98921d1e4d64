import { describeError } from '../checks/describe-error';
import type { HttpRequest } from '../http/request';
import type { HttpResponse } from '../http/response';
import type { Handler } from '../middleware/chain';
import type { RequestContext } from '../middleware/context';
import type { CallMessage } from './event-messages';
import { channels } from './events';

/** True while someone listens to the call-level channels (checked once per call). */
export function callObserved(): boolean {
  return channels.callStart.hasSubscribers || channels.callEnd.hasSubscribers;
}

/**
 * Runs one call inside `requestforge:call:start`'s `runStores` (so a subscriber's
 * `AsyncLocalStorage` holds its value for every send, hook and token fetch of the call) and
 * publishes the same message, completed, on `requestforge:call:end`.
 */
export async function observeCall(
  handler: Handler,
  request: HttpRequest,
  context: RequestContext,
): Promise<HttpResponse> {
  const message: CallMessage = {
    method: request.method,
    url: request.redactor.url(request.url),
    sends: 0,
  };
  const started = performance.now();
  try {
    const response = await channels.callStart.runStores(message, handler, undefined, request, context);
    message.statusCode = response.statusCode;
    return response;
  } catch (error) {
    message.error = describeError(error);
    throw error;
  } finally {
    message.sends = context.sends;
    message.elapsedMs = performance.now() - started;
    if (channels.callEnd.hasSubscribers) channels.callEnd.publish(message);
  }
}
