import type { HttpRequest } from '../http/request';
import type { HttpResponse } from '../http/response';

/** How one request is sent. */
export interface SendOptions {
  /** Deadline for the whole exchange (connect, headers and, unless streaming, the body). */
  readonly timeoutMs: number;
  /** Bodies larger than this fail with `ResponseTooLargeException` (ignored when streaming). */
  readonly maxResponseBytes: number;
  /** Resolve at the response headers and expose the body as a stream. */
  readonly stream: boolean;
}

/** Sends one HTTP request and reads its response. The only layer that touches the network. */
export interface Transport {
  send(request: HttpRequest, options: SendOptions): Promise<HttpResponse>;
  close(): Promise<void>;
}
