import type { AuthHook } from '../auth/auth-hook';
import { optionKeys, readOptions } from '../checks/options';
import { HttpClientConfigBuilder } from '../config/http-client-config-builder';
import type { LoggingOptions } from '../hooks/logging';
import { HttpClient } from './http-client';

/** Options of {@link createClient}. */
export interface CreateClientOptions {
  /** The base URL (see `withBaseUrl`). */
  readonly baseUrl?: string;
  /** Per-attempt timeout. @default 30000 */
  readonly timeoutMs?: number;
  /** Retries with exponential backoff (`withRetry`); 0 turns retries off. @default 3 */
  readonly maxRetries?: number;
  /** Default headers. */
  readonly headers?: Readonly<Record<string, string>>;
  /** `true` logs to `console`; an object configures `withLogging`; `false` is silent. @default true */
  readonly logging?: boolean | LoggingOptions;
  /** Any auth hook (`withAuthHook`). */
  readonly authHook?: AuthHook;
}

const KEYS = optionKeys<CreateClientOptions>()({
  baseUrl: true,
  timeoutMs: true,
  maxRetries: true,
  headers: true,
  logging: true,
  authHook: true,
});

/**
 * A client in one call: retries (3) and logging (console) are on by default.
 * @example
 * ```ts
 * const client = createClient({ baseUrl: 'https://api.example.com', timeoutMs: 20_000, maxRetries: 2 });
 * ```
 */
export function createClient(given: CreateClientOptions = {}): HttpClient {
  const options = readOptions(given, 'createClient', KEYS);
  const builder = new HttpClientConfigBuilder();
  if (options.baseUrl !== undefined) builder.withBaseUrl(options.baseUrl);
  if (options.timeoutMs !== undefined) builder.withTimeout(options.timeoutMs);
  const maxRetries = options.maxRetries ?? 3;
  if (maxRetries > 0) builder.withRetry({ maxRetries });
  else if (maxRetries !== 0)
    throw new RangeError(`createClient: maxRetries must be a non-negative integer, got ${maxRetries}`);
  if (options.headers) builder.withHeaders(options.headers);
  const logging = options.logging ?? true;
  if (logging) builder.withLogging(logging === true ? {} : logging);
  if (options.authHook) builder.withAuthHook(options.authHook);
  return new HttpClient(builder.build());
}
