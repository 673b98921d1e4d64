import { optionKeys, readOptions } from '../checks/options';
import { hasControlChars, hasForbiddenHeaderChars, isToken } from '../checks/syntax';
import type { HttpRequest } from '../http/request';
import type { HttpResponse } from '../http/response';
import { type AuthRetryStrategy, NoAuthRetryStrategy } from '../retry/auth-retry-strategies';
import type { AuthHook } from './auth-hook';
import { CredentialHeader } from './credential-header';
import { type PathExclusionOptions, PathMatcher } from './path-matcher';
import { SENT_CREDENTIALS } from './sent-credentials';

function checkSecret(value: unknown, what: string): string {
  if (typeof value !== 'string' || value === '') throw new TypeError(`${what} must be a non-empty string`);
  if (hasForbiddenHeaderChars(value)) throw new TypeError(`${what} contains CR, LF or NUL`);
  return value;
}

function checkHeaderName(name: unknown, option: string): string {
  if (!isToken(name)) {
    throw new TypeError(`${option} must be a valid header name`);
  }
  return name.toLowerCase();
}

/** Shared behaviour of hooks that send one fixed header. */
abstract class StaticHeaderAuthHook implements AuthHook {
  readonly retryStrategy: AuthRetryStrategy;
  readonly headerNames: readonly string[];
  readonly #name: string;
  readonly #value: string;
  readonly #paths: PathMatcher;
  /** The request headers with this credential, made once per distinct request headers object. */
  readonly #header: CredentialHeader;

  protected constructor(name: string, value: string, options: StaticAuthOptions) {
    // `options` is the subclass's own-property copy (readOptions).
    this.#name = name;
    this.#value = value;
    this.#header = new CredentialHeader(name);
    this.#paths = new PathMatcher(options);
    this.retryStrategy = options.retryStrategy ?? new NoAuthRetryStrategy();
    this.headerNames = Object.freeze([name]);
  }

  shouldAuthenticate(request: HttpRequest): boolean {
    return this.#paths.isEmpty || !this.#paths.isExcluded(request.relativePath);
  }

  apply(request: HttpRequest): HttpRequest {
    return this.#header.attach(request, this.#value);
  }

  isAuthError(response: HttpResponse): boolean {
    return this.retryStrategy.isAuthError(response);
  }

  /** @internal */
  [SENT_CREDENTIALS](): ReadonlyArray<readonly [string, string]> {
    return [[this.#name, this.#value]];
  }

  /** Static credentials cannot be refreshed. */
  async refresh(): Promise<boolean> {
    return false;
  }

  /** A secret-free description, for logs and `JSON.stringify`. */
  toJSON(): Record<string, unknown> {
    return { type: this.constructor.name, header: this.#name };
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `${this.constructor.name} { header: '${this.#name}' }`;
  }
}

/** Options shared by the static credential hooks. */
export interface StaticAuthOptions extends PathExclusionOptions {
  /** What to do after a 401. @default new NoAuthRetryStrategy() */
  readonly retryStrategy?: AuthRetryStrategy;
}

const STATIC_KEYS = optionKeys<StaticAuthOptions>()({
  excludedPaths: true,
  excludedPathPatterns: true,
  caseInsensitivePaths: true,
  retryStrategy: true,
});
const API_KEY_KEYS = optionKeys<ApiKeyAuthOptions>()({
  excludedPaths: true,
  excludedPathPatterns: true,
  caseInsensitivePaths: true,
  retryStrategy: true,
  headerName: true,
});

/**
 * `Authorization: Bearer <token>` with a fixed token. `withBearerToken(token)` installs it.
 * @example
 * ```ts
 * builder.withAuthHook(new BearerTokenAuthHook('your-api-token-here', { excludedPaths: ['/health'] }));
 * ```
 */
export class BearerTokenAuthHook extends StaticHeaderAuthHook {
  constructor(token: string, options: StaticAuthOptions = {}) {
    const exact = new.target === BearerTokenAuthHook;
    const own = readOptions(options, 'BearerTokenAuthHook', exact ? STATIC_KEYS : undefined);
    super('authorization', `Bearer ${checkSecret(token, 'The bearer token')}`, own);
    if (exact) Object.freeze(this);
  }
}

export interface ApiKeyAuthOptions extends StaticAuthOptions {
  /**
   * The header that carries the key.
   * @default 'X-API-Key'
   */
  readonly headerName?: string;
}

/**
 * An API key in a header (`X-API-Key` by default). `withApiKey(key)` installs it.
 * @example
 * ```ts
 * new ApiKeyAuthHook('your-api-key', { headerName: 'X-API-Key', excludedPaths: ['/health'] });
 * ```
 */
export class ApiKeyAuthHook extends StaticHeaderAuthHook {
  constructor(apiKey: string, options: ApiKeyAuthOptions = {}) {
    const exact = new.target === ApiKeyAuthHook;
    const own = readOptions(options, 'ApiKeyAuthHook', exact ? API_KEY_KEYS : undefined);
    super(
      checkHeaderName(own.headerName ?? 'X-API-Key', 'headerName'),
      checkSecret(apiKey, 'The API key'),
      own,
    );
    if (exact) Object.freeze(this);
  }
}

/**
 * HTTP Basic authentication, `base64(utf8(username:password))`. `withBasicAuth(user, pass)` installs it.
 * @example
 * ```ts
 * new BasicAuthHook('user', 'pass'); // Authorization: Basic dXNlcjpwYXNz
 * ```
 */
export class BasicAuthHook extends StaticHeaderAuthHook {
  constructor(username: string, password: string, options: StaticAuthOptions = {}) {
    if (typeof username !== 'string') throw new TypeError('The basic-auth username must be a string');
    if (username.includes(':'))
      throw new TypeError('The basic-auth username must not contain ":" (RFC 7617)');
    if (typeof password !== 'string') throw new TypeError('The basic-auth password must be a string');
    if (hasControlChars(username + password)) {
      throw new TypeError('The basic-auth credentials contain control characters');
    }
    const encoded = Buffer.from(`${username}:${password}`, 'utf8').toString('base64');
    const exact = new.target === BasicAuthHook;
    super(
      'authorization',
      `Basic ${encoded}`,
      readOptions(options, 'BasicAuthHook', exact ? STATIC_KEYS : undefined),
    );
    if (exact) Object.freeze(this);
  }
}
