import { hasForbiddenHeaderChars, isToken } from '../checks/syntax';
import type { HttpRequest } from '../http/request';
import type { RequestContext } from '../middleware/context';
import type { CallMessage, SendEndMessage } from './event-messages';

/** Headers that frame the message or the connection: only the client itself sets them. */
const FRAMING = new Set([
  'host',
  'content-length',
  'content-type',
  'content-encoding',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'upgrade',
  'te',
  'trailer',
  'expect',
  'proxy-connection',
]);

const MAX_VALUE_CHARS = 8192;

/**
 * The message of one observed send, published to `requestforge:request:start` and, completed,
 * to `requestforge:request:end` (a class: no closure per send). It is also the seam through
 * which a start subscriber adds headers (trace context) to the send: requests are frozen, so the
 * additions are collected while the message is being published and applied to a copy of the
 * request afterwards. A subscriber can never set or replace a credential header (the client's
 * redactor decides which names are credentials) or a framing header; a bad name or value is a
 * `TypeError` naming the header, never quoting the value.
 */
export class SendEvent implements SendEndMessage {
  readonly method: string;
  readonly url: string;
  readonly attempt: number;
  readonly send: number;
  readonly call: CallMessage | undefined;
  statusCode?: number;
  elapsedMs?: number;
  error?: string;
  readonly #request: HttpRequest;
  #added: Record<string, string> | undefined;
  #open = true;

  constructor(request: HttpRequest, context: RequestContext) {
    this.method = request.method;
    this.url = request.redactor.url(request.url);
    this.attempt = context.attempt;
    this.send = context.sends;
    this.call = context.call;
    this.#request = request;
  }

  addHeader(name: string, value: string): void {
    if (!this.#open)
      throw new TypeError('addHeader: the send has started; add headers while the message is published');
    if (!isToken(name)) throw new TypeError('addHeader: invalid header name');
    const lower = name.toLowerCase();
    if (this.#request.redactor.isSensitive(lower) || FRAMING.has(lower) || lower.startsWith('proxy-')) {
      throw new TypeError(`addHeader: "${lower}" may not be set by a diagnostics subscriber`);
    }
    if (typeof value !== 'string' || value.length > MAX_VALUE_CHARS || hasForbiddenHeaderChars(value)) {
      throw new TypeError(`addHeader: invalid value for "${lower}"`);
    }
    this.#added ??= {};
    this.#added[lower] = value;
  }

  /** Closes the seam and returns the request to send: a copy carrying the additions, or the request itself. */
  applyTo(request: HttpRequest): HttpRequest {
    this.#open = false;
    return this.#added === undefined ? request : request.withHeaders(this.#added);
  }
}
