import { optionKeys, ownRecord, readOptions } from '../checks/options';
import { isToken } from '../checks/syntax';
import type { HttpClientConfig } from '../config/http-client-config';
import { RequestBuildException } from '../errors/transport-errors';
import { type BodyOptions, encodeBody } from '../http/body';
import { normalizeHeaders } from '../http/header-validation';
import { HttpRequest } from '../http/request';
import { buildRequestUrl, type CanonicalUrl, type QueryParams } from '../http/url';
import type { OriginTrust } from '../middleware/origin-trust';
import { ACCEPT_ENCODING } from '../transport/decode';
import { VERSION } from '../version';
import type { RequestInit } from './request-options';

const URL_CACHE_SIZE = 512;

/** Every option a request may have; anything else is a `RequestBuildException` naming it. */
const REQUEST_KEYS = optionKeys<RequestInit>()({
  method: true,
  url: true,
  params: true,
  headers: true,
  json: true,
  data: true,
  form: true,
  body: true,
  timeoutMs: true,
  signal: true,
  followRedirects: true,
});

/**
 * The options of a call without options (`client.get(url)`): read as none, shared. Null
 * prototype, made with `setPrototypeOf` so it keeps fast properties (reads are 10× cheaper than
 * on an `Object.create(null)` dictionary).
 */
const NO_OPTIONS: RequestInit = Object.freeze(Object.setPrototypeOf({}, null));

const refuse = (message: string) => new RequestBuildException(message, { context: { reason: 'options' } });

/**
 * Turns a caller's request options into an `HttpRequest`: options read as own properties only
 * (unknown ones refused), the URL canonicalised, this hop's trust decided, headers validated and
 * merged over the client's defaults (credential defaults only for trusted origins).
 */
export class RequestFactory {
  readonly #config: HttpClientConfig;
  readonly #trust: OriginTrust;
  readonly #trustedDefaults: Readonly<Record<string, string>>;
  readonly #untrustedDefaults: Readonly<Record<string, string>>;
  /** Canonical URLs of recent parameter-less paths: most services call a small set of paths. */
  readonly #urls = new Map<string, CanonicalUrl>();

  constructor(config: HttpClientConfig, trust: OriginTrust) {
    this.#config = config;
    this.#trust = trust;
    // Null-prototype records throughout: a polluted Object.prototype adds no header, and a
    // lookup such as headers['content-type'] never finds an inherited value.
    const defaults = ownRecord<string>({
      'user-agent': `requestforge/${VERSION}`,
      ...(config.decompression ? { 'accept-encoding': ACCEPT_ENCODING } : {}),
      ...config.headers,
    });
    const untrusted = ownRecord<string>();
    for (const name of Object.keys(defaults)) {
      if (!config.redactor.isSensitive(name)) untrusted[name] = defaults[name]!;
    }
    this.#trustedDefaults = Object.freeze(defaults);
    this.#untrustedDefaults = Object.freeze(untrusted);
  }

  /** Builds a request from `request()` options (with method and URL) or a verb helper's. */
  build(given: RequestInit | undefined, method?: string, url?: string): HttpRequest {
    const init =
      given === undefined ? NO_OPTIONS : readOptions(given, 'request options', REQUEST_KEYS, refuse);
    if (method !== undefined && (init.method !== undefined || init.url !== undefined)) {
      throw refuse('request options: method and url are the arguments of the verb helpers, not options');
    }
    // A verb helper's method is one of ours; only `request()` brings a method to check.
    const verb = method ?? (typeof init.method === 'string' ? init.method.toUpperCase() : '');
    if (method === undefined && (!isToken(verb) || verb === 'CONNECT')) {
      throw new RequestBuildException('Invalid HTTP method', { context: { reason: 'method' } });
    }
    const target = this.#canonical(url ?? init.url, init.params);
    const trusted = this.#trust.isTrusted(target.origin);
    const defaults = trusted ? this.#trustedDefaults : this.#untrustedDefaults;
    let headers = defaults;
    if (init.headers !== undefined) {
      if (init.headers === null || typeof init.headers !== 'object') {
        throw new RequestBuildException('headers must be an object');
      }
      const merged = ownRecord(headers);
      for (const name of Object.keys(init.headers)) {
        if (init.headers[name] === undefined) delete merged[name.toLowerCase()];
      }
      headers = Object.assign(merged, normalizeHeaders(init.headers, 'request headers'));
    }
    const encoded = encodeBody(init as BodyOptions);
    const { contentType, contentLength } = encoded;
    // A form (the only body with a length) has our boundary: its content type and length replace
    // any the caller set. Other bodies' content type is a default.
    if (contentLength !== undefined || (contentType !== undefined && headers['content-type'] === undefined)) {
      const typed = ownRecord(headers);
      typed['content-type'] = contentType!;
      if (contentLength !== undefined) typed['content-length'] = String(contentLength);
      headers = typed;
    }
    // The defaults are frozen and shared; a record built here is frozen once.
    if (headers !== defaults) Object.freeze(headers);
    return HttpRequest.trusted({
      method: verb,
      url: target,
      headers,
      body: encoded.body,
      params: init.params,
      json: init.json,
      data: init.data,
      timeoutMs: checkTimeout(init.timeoutMs),
      signal: checkSignal(init.signal),
      followRedirects: this.#checkFollow(init.followRedirects),
      redactor: this.#config.redactor,
      credentialsAllowed: trusted,
      base: this.#config.base,
    });
  }

  #checkFollow(followRedirects: boolean | undefined): boolean | undefined {
    if (followRedirects !== undefined && typeof followRedirects !== 'boolean') {
      throw new RequestBuildException('followRedirects must be a boolean');
    }
    if (followRedirects === true && !this.#config.followRedirects) {
      throw new RequestBuildException(
        'followRedirects: true needs a client that follows redirects (withRedirects({ follow: true }))',
      );
    }
    return followRedirects;
  }

  #canonical(url: string, params: QueryParams | undefined): CanonicalUrl {
    if (params !== undefined || typeof url !== 'string')
      return buildRequestUrl(this.#config.base, url, params);
    let target = this.#urls.get(url);
    if (target === undefined) {
      target = buildRequestUrl(this.#config.base, url, undefined);
      if (this.#urls.size >= URL_CACHE_SIZE) this.#urls.clear();
      this.#urls.set(url, target);
    }
    return target;
  }
}

function checkTimeout(timeoutMs: unknown): number | undefined {
  if (
    timeoutMs !== undefined &&
    (typeof timeoutMs !== 'number' || !Number.isFinite(timeoutMs) || timeoutMs <= 0)
  ) {
    throw new RequestBuildException('timeoutMs must be a positive number of milliseconds');
  }
  return timeoutMs;
}

function checkSignal(signal: AbortSignal | undefined): AbortSignal | undefined {
  if (signal !== undefined && (signal === null || typeof signal.addEventListener !== 'function')) {
    throw new RequestBuildException('signal must be an AbortSignal');
  }
  return signal;
}
