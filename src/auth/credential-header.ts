import { ownRecord } from '../checks/options';
import type { HttpRequest } from '../http/request';

type Headers = Readonly<Record<string, string>>;

/**
 * Adds one credential header (a lower-case name, a value already checked) to requests. The
 * frozen headers object it makes is reused while the request's headers and the value are the
 * ones it was made from: most requests carry the client's shared default headers, so the
 * headers with credentials are built once per token (once for static credentials), not per
 * request. A request with headers of its own gets a copy of its own, as before.
 */
export class CredentialHeader {
  readonly #name: string;
  #source: Headers | undefined;
  #value = '';
  #headers: Headers | undefined;

  constructor(name: string) {
    this.#name = name;
  }

  /** `request` with the header set to `value`. */
  attach(request: HttpRequest, value: string): HttpRequest {
    const source = request.headers;
    if (source !== this.#source || value !== this.#value || this.#headers === undefined) {
      const headers = ownRecord(source);
      headers[this.#name] = value;
      this.#headers = Object.freeze(headers);
      this.#source = source;
      this.#value = value;
    }
    return request.withFrozenHeaders(this.#headers);
  }
}
