import { randomBytes } from 'node:crypto';
import { sentCredentials } from '../auth/sent-credentials';
import { optionKeys, readOptions } from '../checks/options';
import { HttpClientException } from '../errors/http-client-exception';
import type { HttpRequest } from '../http/request';
import type { HttpResponse } from '../http/response';
import type { RequestContext } from '../middleware/context';
import { describeRequestBody } from '../observability/describe-body';
import { type Redactor, redactBodyText } from '../observability/redact';
import { requestSecrets, scrubbedPrefix, scrubSecrets } from '../observability/scrub';
import type { ErrorHook, Logger, RequestHook, ResponseHook } from './types';

/** Options of `withLogging` and the logging hooks. */
export interface LoggingOptions {
  /**
   * Where log lines go: `console`, pino, winston, bunyan… Each call gets one redacted string.
   * @default console
   */
  readonly logger?: Logger;
  /**
   * Log request and response headers (credentials redacted).
   * @default false
   */
  readonly logHeaders?: boolean;
  /**
   * Log request and response bodies (secret fields redacted, long bodies truncated).
   * @default false
   */
  readonly logBody?: boolean;
  /**
   * More keys to redact, added to the defaults (case-insensitive; `-` and `_` alike).
   * @default []
   * @example ['x-internal-signature', 'ssn']
   */
  readonly sensitiveKeys?: Iterable<string>;
}

const MAX_BODY_CHARS = 2048;
const LOGGING_KEYS = optionKeys<LoggingOptions>()({
  logger: true,
  logHeaders: true,
  logBody: true,
  sensitiveKeys: true,
});

function truncate(text: string): string {
  return text.length > MAX_BODY_CHARS ? `${text.slice(0, MAX_BODY_CHARS)}… (${text.length} chars)` : text;
}

/** Shared plumbing: the logger, the options and a redactor per client. */
abstract class LoggingHookBase {
  /** Where lines go. */
  protected readonly logger: Logger;
  /** Whether headers are logged (redacted). */
  protected readonly logHeaders: boolean;
  /** Whether bodies are logged (redacted, truncated). */
  protected readonly logBody: boolean;
  readonly #extraKeys: readonly string[];
  readonly #redactors = new WeakMap<Redactor, Redactor>();

  protected constructor(given: LoggingOptions) {
    const options = readOptions(given, 'withLogging', LOGGING_KEYS);
    const logger = options.logger ?? console;
    if (
      !logger ||
      typeof logger.info !== 'function' ||
      typeof logger.warn !== 'function' ||
      typeof logger.error !== 'function'
    ) {
      throw new TypeError('withLogging: logger must have info, warn and error methods');
    }
    this.logger = logger;
    this.logHeaders = options.logHeaders === true;
    this.logBody = options.logBody === true;
    this.#extraKeys = [...(options.sensitiveKeys ?? [])];
  }

  /** The client's redactor plus this hook's extra keys. */
  protected redactorFor(request: HttpRequest): Redactor {
    const base = request.redactor;
    if (this.#extraKeys.length === 0) return base;
    let redactor = this.#redactors.get(base);
    if (!redactor) {
      redactor = base.extend(this.#extraKeys);
      this.#redactors.set(base, redactor);
    }
    return redactor;
  }

  /** Writes a debug line, when the logger has that level and it is enabled. */
  protected debug(message: string): void {
    (this.logger.debug ?? this.logger.info).call(this.logger, message);
  }

  /** False when the logger says the level is off (pino, winston): then nothing is formatted. */
  protected enabled(level: 'debug' | 'info' | 'warn' | 'error'): boolean {
    return this.logger.isLevelEnabled === undefined || this.logger.isLevelEnabled(level);
  }
}

const ID_PREFIX = randomBytes(2).toString('hex');
let idCounter = 0;

/** The id that ties together the log lines of one call (and its retries): unique in this process. */
function requestId(context: RequestContext): string {
  let id = context.metadata.requestId;
  if (typeof id !== 'string') {
    idCounter = (idCounter + 1) % 0x1000000;
    id = ID_PREFIX + idCounter.toString(16).padStart(6, '0');
    context.metadata.requestId = id;
  }
  return id as string;
}

/** The secrets of the credentials the client's auth hook adds after the request hooks ran. */
function credentialSecrets(context: RequestContext): string[] {
  const sent = sentCredentials(context.authHook);
  if (sent.length === 0) return [];
  // Every header a hook sets is a credential, whatever the redactor knows of its name.
  return requestSecrets({ headers: Object.fromEntries(sent), redactor: { isSensitive: () => true } });
}

/**
 * Logs each attempt: method, redacted URL, retry number; optionally headers and body, redacted.
 * @example
 * ```ts
 * builder.withRequestHook(new LoggingRequestHook({ logger: pino(), logHeaders: true }));
 * ```
 */
export class LoggingRequestHook extends LoggingHookBase implements RequestHook {
  constructor(options: LoggingOptions = {}) {
    super(options);
  }

  /** Logs the request: method, redacted URL, and headers and body when asked. */
  beforeRequest(request: HttpRequest, context: RequestContext): HttpRequest {
    // Not in `metadata`: that object would be made for every call, logged or not.
    context.attemptStartedAt = performance.now();
    if (!this.enabled('info')) return request;
    const id = requestId(context);
    const redactor = this.redactorFor(request);
    const retry = context.isRetry ? ` (retry ${context.attempt}/${context.maxRetries})` : '';
    this.logger.info(`[${id}] → ${request.method} ${redactor.url(request.url)}${retry}`);
    if ((!this.logHeaders && !this.logBody) || !this.enabled('debug')) return request;
    // This request does not carry the client's credentials yet: scrub them all the same.
    const credentials = credentialSecrets(context);
    if (this.logHeaders) {
      const headers = JSON.stringify(redactor.headers(request.headers));
      this.debug(`[${id}] request headers ${scrubSecrets(headers, credentials)}`);
    }
    if (this.logBody) {
      const body = describeRequestBody(request, redactor, credentials);
      if (body !== undefined) this.debug(`[${id}] request body ${truncate(body)}`);
    }
    return request;
  }
}

/**
 * Logs each response: status, duration; optionally headers and body, redacted. 4xx/5xx are warnings.
 */
export class LoggingResponseHook extends LoggingHookBase implements ResponseHook {
  constructor(options: LoggingOptions = {}) {
    super(options);
  }

  /** Logs the response (status, time, and headers and body when asked): info for 2xx/3xx, warn for 4xx/5xx. */
  afterResponse(response: HttpResponse, context: RequestContext): HttpResponse {
    const failed = response.statusCode >= 400;
    if (!this.enabled(failed ? 'warn' : 'info')) return response;
    const id = requestId(context);
    const redactor = this.redactorFor(response.request);
    const started = context.attemptStartedAt;
    const ms = started >= 0 ? performance.now() - started : response.elapsedMs;
    const line = `[${id}] ← ${response.statusCode} ${response.request.method} ${redactor.url(response.url)} (${ms.toFixed(1)} ms)`;
    if (failed) this.logger.warn(line);
    else this.logger.info(line);
    if (!this.enabled('debug')) return response;
    if (this.logHeaders) {
      this.debug(`[${id}] response headers ${JSON.stringify(redactor.headers(response.headers.toObject()))}`);
    }
    if (this.logBody && response.body.byteLength > 0) {
      // Credential fields redacted by name; what the server echoes of our own secrets, in any spelling, scrubbed.
      const { request } = response;
      const secrets = requestSecrets({
        headers: request.headers,
        json: request.json,
        data: request.data,
        body: request.body,
        redactor,
      });
      const text = redactBodyText(response.text, response.headers.get('content-type'), redactor);
      const shown = scrubbedPrefix(text, MAX_BODY_CHARS, secrets);
      this.debug(
        `[${id}] response body ${text.length > MAX_BODY_CHARS ? `${shown}… (${text.length} chars)` : shown}`,
      );
    }
    return response;
  }
}

/** Logs failed attempts with the error's class, code and (secret-free) message. */
export class LoggingErrorHook extends LoggingHookBase implements ErrorHook {
  constructor(options: LoggingOptions = {}) {
    super(options);
  }

  /** Logs the failed attempt at error level: the error's class and code, never a secret. */
  onError(error: unknown, context: RequestContext): void {
    if (!this.enabled('error')) return;
    const id = requestId(context);
    const request = context.request;
    const redactor = this.redactorFor(request);
    const what =
      error instanceof HttpClientException
        ? `${error.name} (${error.code}): ${error.message}`
        : `${error instanceof Error ? error.name : typeof error}`;
    this.logger.error(
      `[${id}] ✗ ${request.method} ${redactor.url(request.url)} failed (attempt ${context.attempt + 1}/${context.maxRetries + 1}): ${what}`,
    );
  }
}
