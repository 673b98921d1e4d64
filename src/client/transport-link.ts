import { describeError } from '../checks/describe-error';
import type { HttpClientConfig } from '../config/http-client-config';
import type { HttpRequest } from '../http/request';
import type { HttpResponse } from '../http/response';
import type { Handler } from '../middleware/chain';
import type { RequestContext } from '../middleware/context';
import { channels, publish } from '../observability/events';
import { SendHeaders } from '../observability/send-headers';
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

async function observed(
  transport: Transport,
  request: HttpRequest,
  context: RequestContext,
  options: SendOptions,
): Promise<HttpResponse> {
  const base = () => ({
    method: request.method,
    url: request.redactor.url(request.url),
    attempt: context.attempt,
    send: context.sends,
  });
  // A subscriber may add trace headers to this send (never credentials): see SendHeaders.
  const added = new SendHeaders(request);
  publish(channels.requestStart, () => ({ ...base(), addHeader: added.add }));
  request = added.applyTo(request);
  try {
    const response = await transport.send(request, options);
    publish(channels.requestEnd, () => ({
      ...base(),
      statusCode: response.statusCode,
      elapsedMs: response.elapsedMs,
    }));
    return response;
  } catch (error) {
    publish(channels.requestEnd, () => ({ ...base(), error: describeError(error) }));
    throw error;
  }
}
