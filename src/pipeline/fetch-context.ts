import { INSPECT } from '../observability/redact-constants';
import { scheduleOf } from '../tokens/freshness';
import { TokenData } from '../tokens/token-data';

/** The leeway of the freshness rule shared by the pipeline, its cache and its contexts. */
export const PIPELINE_REFRESH_LEEWAY_MS = 30_000;

/** True while `token` may still be sent (the `TokenManager` freshness rule, 30 s leeway at most). */
export function isUsable(token: TokenData, now: number = Date.now()): boolean {
  return now < scheduleOf(token, { refreshLeewayMs: PIPELINE_REFRESH_LEEWAY_MS }).usableUntil;
}

/** The tokens a {@link FetchContext} starts with: a map, `[name, token]` pairs, or an object. */
export type FetchContextTokens =
  | ReadonlyMap<string, TokenData>
  | Iterable<readonly [string, TokenData]>
  | Readonly<Record<string, TokenData>>;

/**
 * What a pipeline step sees of the run it belongs to: the tokens of the steps executed before
 * it (by step name) and a `metadata` object shared by every step of the run. Read-only: a step
 * cannot change another step's token. Printing it never shows a token.
 *
 * @example
 * ```ts
 * const fetcher = new BodyTokenFetcher({
 *   name: 'user_token',
 *   baseUrl: 'https://auth.example.com',
 *   endpoint: '/v1/user/token',
 *   dependsOn: ['app_token'],
 *   requestHeaders: (context) => ({ 'X-App-Token': context.getTokenValue('app_token')! }),
 * });
 * ```
 */
export class FetchContext {
  /**
   * Free-form values shared by the steps of one run (e.g. a tenant id one step found and a later
   * step needs). Not cached, not printed.
   * @default {}
   */
  readonly metadata: Record<string, unknown>;
  readonly #tokens: ReadonlyMap<string, TokenData>;

  /**
   * @param tokens the tokens obtained so far, by step name (copied)
   * @param metadata the run's shared metadata (kept by reference, so steps can pass values on)
   * @example new FetchContext({ app_token: appToken })
   */
  constructor(tokens: FetchContextTokens = {}, metadata: Record<string, unknown> = {}) {
    const entries: Iterable<readonly [string, TokenData]> =
      Symbol.iterator in Object(tokens)
        ? (tokens as Iterable<readonly [string, TokenData]>)
        : Object.entries(tokens as Readonly<Record<string, TokenData>>);
    const copy = new Map<string, TokenData>();
    for (const [name, token] of entries) {
      if (!(token instanceof TokenData)) throw new TypeError(`FetchContext: "${name}" is not a TokenData`);
      copy.set(name, token);
    }
    if (metadata === null || typeof metadata !== 'object')
      throw new TypeError('FetchContext: metadata must be an object');
    this.#tokens = copy;
    this.metadata = metadata;
  }

  /**
   * The names of the steps whose tokens this context holds, in the order they were obtained.
   * @example context.names // ['app_token']
   */
  get names(): readonly string[] {
    return [...this.#tokens.keys()];
  }

  /**
   * The token of step `name`, or `undefined` when that step has not run (yet) in this run.
   * @example context.getToken('app_token')?.expiresAt
   */
  getToken(name: string): TokenData | undefined {
    return this.#tokens.get(name);
  }

  /**
   * The access token of step `name` (the bare value, without its type).
   * @example headers['X-App-Token'] = context.getTokenValue('app_token')!;
   */
  getTokenValue(name: string): string | undefined {
    return this.#tokens.get(name)?.accessToken;
  }

  /**
   * True when step `name` has a token in this run.
   * @example if (context.hasToken('app_token')) headers['X-App-Token'] = context.getTokenValue('app_token')!;
   */
  hasToken(name: string): boolean {
    return this.#tokens.has(name);
  }

  /**
   * True when step `name` has a token that may still be sent: not past its expiry minus
   * min(30 s, 10 % of its lifetime). A token without expiry is always valid.
   * @param now the clock, in epoch ms (`Date.now()` when omitted)
   * @example context.hasValidToken('app_token')
   */
  hasValidToken(name: string, now: number = Date.now()): boolean {
    const token = this.#tokens.get(name);
    return token !== undefined && isUsable(token, now);
  }

  /** The step names and metadata keys: no token. */
  toJSON(): Record<string, unknown> {
    return { tokens: this.names, metadataKeys: Object.keys(this.metadata) };
  }

  /** A one-line, secret-free description. */
  toString(): string {
    return `FetchContext(${this.names.join(', ') || 'no tokens'})`;
  }

  /** What `util.inspect` prints: the secret-free description. */
  [INSPECT](): string {
    return `FetchContext ${JSON.stringify(this.toJSON())}`;
  }
}
