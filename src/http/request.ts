import { optionKeys, ownRecord, readOptions } from '../checks/options';
import { RequestBuildException } from '../errors/transport-errors';
import { defaultRedactor, type Redactor } from '../observability/redact';
import { INSPECT } from '../observability/redact-constants';
import type { FormFields, RequestBody } from './body';
import { isReplayableBody } from './body';
import { checkHeader } from './header-validation';
import { MultipartBody } from './multipart';
import { type BaseUrl, buildRequestUrl, type CanonicalUrl, pathForMatching, type QueryParams } from './url';

/** HTTP methods with a verb helper on the client. Any other token works through `request()`. */
export type HttpMethod = 'GET' | 'HEAD' | 'OPTIONS' | 'DELETE' | 'POST' | 'PUT' | 'PATCH';

/** Fields of an {@link HttpRequest}. */
export interface HttpRequestInit {
  /** Upper-case HTTP method. */
  readonly method: string;
  /** An absolute URL string, or an already canonical URL. */
  readonly url: string | CanonicalUrl;
  /** Request headers (names are lower-cased). */
  readonly headers?: Readonly<Record<string, string>>;
  /** The encoded body as it goes on the wire. */
  readonly body?: RequestBody;
  /** The query parameters the caller gave (already part of `url`). */
  readonly params?: QueryParams;
  /** The JSON value the caller gave (already encoded in `body`), kept for redacted logging. */
  readonly json?: unknown;
  /** The form fields the caller gave (already encoded in `body`), kept for redacted logging. */
  readonly data?: FormFields;
  /** Per-attempt timeout; the client default applies when absent. */
  readonly timeoutMs?: number;
  /** Cancels the request, its retries and its waits. */
  readonly signal?: AbortSignal;
  /** `false`: a 3xx comes back as is instead of being followed. */
  readonly followRedirects?: boolean;
}

const INIT_KEYS = optionKeys<HttpRequestInit>()({
  method: true,
  url: true,
  headers: true,
  body: true,
  params: true,
  json: true,
  data: true,
  timeoutMs: true,
  signal: true,
  followRedirects: true,
});

const TRUSTED: unique symbol = Symbol('trusted');
const COPY: unique symbol = Symbol('copy');

interface InternalFields extends HttpRequestInit {
  readonly url: CanonicalUrl;
  readonly headers: Readonly<Record<string, string>>;
  readonly redactor: Redactor;
  readonly credentialsAllowed: boolean;
  readonly base: BaseUrl | undefined;
}

/**
 * An immutable HTTP request as it will be (or was) sent.
 *
 * Printing it (`util.inspect`, `JSON.stringify`, `String`) never shows a credential.
 *
 * @example
 * ```ts
 * const hook = (request: HttpRequest) => request.withHeaders({ 'X-Trace': '1' });
 * ```
 */
export class HttpRequest {
  /** Upper-case HTTP method. */
  readonly method: string;
  /** The canonical absolute URL (no fragment). */
  readonly url: string;
  /** Lower-case header names to values (a null-prototype record: nothing is inherited). */
  readonly headers: Readonly<Record<string, string>>;
  /** The encoded body as it goes on the wire. */
  readonly body: RequestBody | undefined;
  /** The query parameters the caller gave (already part of `url`). */
  readonly params: QueryParams | undefined;
  /** The JSON value the caller gave, if any. */
  readonly json: unknown;
  /** The form fields the caller gave, if any. */
  readonly data: FormFields | undefined;
  /** Per-attempt timeout override. */
  readonly timeoutMs: number | undefined;
  /** The caller's cancellation signal. */
  readonly signal: AbortSignal | undefined;
  /** `false` when this request's redirects are returned as is; `undefined`: the client's policy. */
  readonly followRedirects: boolean | undefined;
  /** @internal canonical URL parts */
  readonly target: CanonicalUrl;
  /**
   * Whether this request may carry credentials: false for an origin that is not trusted, and for
   * the rest of a redirect chain once it left the trusted origins or dropped from https to http.
   * Custom request hooks that add secrets should check it.
   */
  readonly credentialsAllowed: boolean;
  readonly #redactor: Redactor;
  readonly #base: BaseUrl | undefined;
  #relativePath: string | undefined;

  constructor(init: HttpRequestInit);
  /** @internal */
  constructor(init: InternalFields, trusted: typeof TRUSTED);
  /** @internal a copy with other headers, without intermediate objects (the per-request hot path) */
  constructor(
    source: HttpRequest,
    copy: typeof COPY,
    headers: Readonly<Record<string, string>>,
    credentialsAllowed: boolean,
  );
  constructor(
    init: HttpRequestInit | InternalFields | HttpRequest,
    trusted?: typeof TRUSTED | typeof COPY,
    headers?: Readonly<Record<string, string>>,
    credentialsAllowed?: boolean,
  ) {
    if (trusted === COPY) {
      const source = init as HttpRequest;
      this.target = source.target;
      this.headers = headers!;
      this.#redactor = source.#redactor;
      this.credentialsAllowed = credentialsAllowed!;
      this.#base = source.#base;
      this.#relativePath = source.#relativePath;
      this.method = source.method;
      this.url = source.url;
      this.body = source.body;
      this.params = source.params;
      this.json = source.json;
      this.data = source.data;
      this.timeoutMs = source.timeoutMs;
      this.signal = source.signal;
      this.followRedirects = source.followRedirects;
      Object.freeze(this);
      return;
    }
    if (trusted === TRUSTED) {
      const fields = init as InternalFields;
      this.target = fields.url;
      this.headers = fields.headers;
      this.#redactor = fields.redactor;
      this.credentialsAllowed = fields.credentialsAllowed;
      this.#base = fields.base;
      // Upper case already: the factory's verbs, or another request's method.
      this.method = fields.method;
    } else {
      init = readOptions(init, 'HttpRequest', INIT_KEYS, (message) => new RequestBuildException(message));
      this.target = typeof init.url === 'string' ? buildRequestUrl(undefined, init.url) : init.url;
      const headers = ownRecord<string>();
      for (const name of Object.keys(init.headers ?? {})) {
        const value = init.headers![name]!;
        headers[checkHeader(name, value, 'request headers')] = value;
      }
      this.headers = Object.freeze(headers);
      this.#redactor = defaultRedactor;
      this.credentialsAllowed = true;
      this.#base = undefined;
      this.method = init.method.toUpperCase();
    }
    this.url = this.target.href;
    this.body = init.body;
    this.params = init.params;
    this.json = init.json;
    this.data = init.data;
    this.timeoutMs = init.timeoutMs;
    this.signal = init.signal;
    this.followRedirects = init.followRedirects;
    if (new.target === HttpRequest) Object.freeze(this);
  }

  /** @internal Builds a request from parts the client already validated. */
  static trusted(fields: InternalFields): HttpRequest {
    return new HttpRequest(fields, TRUSTED);
  }

  /** @internal */
  fields(): InternalFields {
    return {
      method: this.method,
      url: this.target,
      headers: this.headers,
      body: this.body,
      params: this.params,
      json: this.json,
      data: this.data,
      timeoutMs: this.timeoutMs,
      signal: this.signal,
      followRedirects: this.followRedirects,
      redactor: this.#redactor,
      credentialsAllowed: this.credentialsAllowed,
      base: this.#base,
    };
  }

  /**
   * The path that exclusion rules see: relative to the base URL path, dot segments resolved,
   * no query (base `https://h/v1`, URL `https://h/v1/health?x=1` → `/health`).
   */
  get relativePath(): string {
    if (this.#relativePath === undefined) this.#relativePath = pathForMatching(this.target, this.#base);
    return this.#relativePath;
  }

  /** @internal The redactor of the client that built this request. */
  get redactor(): Redactor {
    return this.#redactor;
  }

  /**
   * A copy with headers merged in (later wins, names case-insensitive); `undefined` removes a header.
   * Values with CR, LF or NUL are refused with `RequestBuildException`.
   */
  withHeaders(headers: Readonly<Record<string, string | undefined>>): HttpRequest {
    const merged = ownRecord(this.headers);
    for (const name of Object.keys(headers)) {
      const value = headers[name];
      if (value === undefined) delete merged[name.toLowerCase()];
      else merged[checkHeader(name, value, 'withHeaders')] = value;
    }
    return new HttpRequest(this, COPY, Object.freeze(merged), this.credentialsAllowed);
  }

  /** @internal withHeaders for one lower-case header already known to be valid (auth hooks' values). */
  withTrustedHeader(name: string, value: string): HttpRequest {
    const headers = ownRecord(this.headers);
    headers[name] = value;
    return new HttpRequest(this, COPY, Object.freeze(headers), this.credentialsAllowed);
  }

  /** @internal this request with other headers: a frozen null-prototype record of valid headers (may be shared). */
  withFrozenHeaders(headers: Readonly<Record<string, string>>): HttpRequest {
    return new HttpRequest(this, COPY, headers, this.credentialsAllowed);
  }

  /** @internal this request, allowed to carry credentials or not (a hop's trust decision) */
  withCredentialsAllowed(allowed: boolean): HttpRequest {
    return allowed === this.credentialsAllowed ? this : new HttpRequest(this, COPY, this.headers, allowed);
  }

  /** True when the body can be sent again (no one-shot stream). */
  get isReplayable(): boolean {
    return isReplayableBody(this.body);
  }

  /** A secret-free description for logs and errors. */
  toJSON(): Record<string, unknown> {
    const redactor = this.#redactor;
    const json: Record<string, unknown> = {
      method: this.method,
      url: redactor.url(this.url),
      headers: redactor.headers(this.headers),
    };
    if (this.json !== undefined) json.json = redactor.json(this.json);
    else if (this.data !== undefined) json.data = redactor.json(this.data);
    else if (typeof this.body === 'string') json.body = `<${this.body.length} characters>`;
    else if (this.body instanceof Uint8Array) json.body = `<${this.body.byteLength} bytes>`;
    else if (this.body instanceof MultipartBody)
      json.body = `<multipart/form-data: ${this.body.fields.length} entries, ${this.body.length} bytes>`;
    else if (this.body !== undefined) json.body = '<stream>';
    return json;
  }

  /** A one-line, secret-free description. */
  toString(): string {
    return `HttpRequest ${this.method} ${this.#redactor.url(this.url)}`;
  }

  /** What `util.inspect` prints: the secret-free description. */
  [INSPECT](): string {
    return `HttpRequest ${JSON.stringify(this.toJSON(), null, 2)}`;
  }
}
