import { describeError } from '../checks/describe-error';
import type { HttpClientConfig } from '../config/http-client-config';
import type { HttpRequest } from '../http/request';
import type { HttpResponse } from '../http/response';
import type { Handler } from '../middleware/chain';
import type { RequestContext } from '../middleware/context';
import { channels } from '../observability/events';
import { SendEvent } from '../observability/send-headers';
import type { SendOptions, Transport } from '../transport/transport';

/**
 * The last link of the chain: counts the send, picks the send options (buffered or streamed,
 * the request's own timeout) and hands the request to the transport. While someone subscribes to
 * `requestforge:request:start`/`end`, the send is wrapped in those events; otherwise nothing
 * is built.
 */
export function transportLink(transport: Transport, config: HttpClientConfig): Handler {
  const buffered: SendOptions = Object.freeze({
    timeoutMs: config.timeoutMs,
    maxResponseBytes: config.maxResponseBytes,
    stream: false,
  });
  const streamed: SendOptions = Object.freeze({ ...buffered, stream: true });
  const optionsFor = (request: HttpRequest, context: RequestContext): SendOptions => {
    const defaults = context.stream ? streamed : buffered;
    return request.timeoutMs === undefined || request.timeoutMs === defaults.timeoutMs
      ? defaults
      : { ...defaults, timeoutMs: request.timeoutMs };
  };
  return (request, context) => {
    context.sends++;
    const options = optionsFor(request, context);
    if (!channels.requestStart.hasSubscribers && !channels.requestEnd.hasSubscribers) {
      return transport.send(request, options);
    }
    return observed(transport, request, context, options);
  };
}

function observed(
  transport: Transport,
  request: HttpRequest,
  context: RequestContext,
  options: SendOptions,
): Promise<HttpResponse> {
  // One message for both channels; a start subscriber may add trace headers (never credentials).
  const event = new SendEvent(request, context);
  if (channels.requestStart.hasSubscribers) channels.requestStart.publish(event);
  return transport.send(event.applyTo(request), options).then(
    (response) => {
      event.statusCode = response.statusCode;
      event.elapsedMs = response.elapsedMs;
      if (channels.requestEnd.hasSubscribers) channels.requestEnd.publish(event);
      return response;
    },
    (error: unknown) => {
      event.error = describeError(error);
      if (channels.requestEnd.hasSubscribers) channels.requestEnd.publish(event);
      throw error;
    },
  );
}
