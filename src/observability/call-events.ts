import { describeError } from '../checks/describe-error';
import type { HttpRequest } from '../http/request';
import type { HttpResponse } from '../http/response';
import type { Handler } from '../middleware/chain';
import type { RequestContext } from '../middleware/context';
import type { CallMessage } from './event-messages';
import { channels } from './events';
import { Runners } from './runners';

/** The call message of each observed call, so its sends can name the call they belong to. */
const calls = new WeakMap<RequestContext, CallMessage>();

/** True while someone listens to the call-level channels (checked once per call). */
export function callObserved(): boolean {
  return channels.callStart.hasSubscribers || channels.callEnd.hasSubscribers;
}

/** The observed call a send belongs to, if its call is observed. */
export function callOf(context: RequestContext): CallMessage | undefined {
  return calls.get(context);
}

/**
 * Runs one call between `requestforge:call:start` and `requestforge:call:end`, publishing the
 * same message to both. The start is published with `runStores` (an `AsyncLocalStorage` bound
 * with `bindStore` follows the call), and the call runs inside every runner a subscriber handed
 * to `message.wrap` (OpenTelemetry makes the call's span the active one that way).
 */
export async function observeCall(
  handler: Handler,
  request: HttpRequest,
  context: RequestContext,
): Promise<HttpResponse> {
  const runners = new Runners();
  const message: CallMessage = {
    method: request.method,
    url: request.redactor.url(request.url),
    sends: 0,
    wrap: runners.wrap,
  };
  calls.set(context, message);
  const started = performance.now();
  try {
    const response = await channels.callStart.runStores(message, () =>
      runners.run(() => handler(request, context)),
    );
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
