import { describeError } from '../checks/describe-error';
import { nonNegativeMs, positiveMs } from '../checks/numbers';
import { optionKeys, readOptions } from '../checks/options';
import { AuthenticationException } from '../errors/authentication-exception';
import { INSPECT } from '../observability/redact-constants';
import { carryBinding } from '../tokens/dpop/dpop-handle';
import { GuardedStorage, STORAGE_FAILED, type StorageLogger } from '../tokens/guarded-storage';
import { canonicalIdentity, checkIdentity, identityKey } from '../tokens/identity';
import { checkSendable } from '../tokens/provider-call';
import { SingleFlight } from '../tokens/single-flight';
import { InMemoryTokenStorage } from '../tokens/storage/in-memory-token-storage';
import { TokenData } from '../tokens/token-data';
import type { TokenStorage } from '../tokens/token-storage';
import { checkDpopSteps } from './dpop-steps';
import { FetchContext, isUsable } from './fetch-context';
import type { TokenFetcher } from './fetcher-types';
import { orderSteps, type StepOrder, withDependents } from './step-order';

/** Options of {@link TokenFetchPipeline}. */
export interface TokenFetchPipelineOptions {
  /** The steps, in any order: they run in dependency order. */
  readonly steps: readonly TokenFetcher[];
  /**
   * Where each step's token is cached, under `<cacheKeyPrefix>:<step name>:<identity hash>`.
   * @default new InMemoryTokenStorage()
   */
  readonly storage?: TokenStorage;
  /**
   * Prefix of the cache keys (`myapp` → `myapp:app_token:<identity hash>`); none when empty.
   * @default ''
   * @example 'myapp'
   */
  readonly cacheKeyPrefix?: string;
  /**
   * Refuse an unknown dependency or a cycle at construction (`Error`). When false the same
   * problems fail `execute()` with an `AuthenticationException` instead.
   * @default true
   */
  readonly validateDependencies?: boolean;
  /**
   * The longest wait for one storage operation; past it the storage counts as down for that call
   * and the step is fetched directly.
   * @default 2000
   */
  readonly storageTimeoutMs?: number;
  /**
   * After a storage failure, the storage is left alone for this long (steps are fetched directly
   * meanwhile), so an outage costs one slow call, not one per run.
   * @default 5000
   */
  readonly storageRetryMs?: number;
  /**
   * Receives a warning when the storage fails (the pipeline then fetches directly). Never a secret.
   * @default console
   */
  readonly logger?: StorageLogger;
}

/** Options of {@link TokenFetchPipeline.execute}. */
export interface PipelineExecuteOptions {
  /**
   * Fetch every step again, whatever the cache holds.
   * @default false
   */
  readonly forceRefresh?: boolean;
}

const KEYS = optionKeys<TokenFetchPipelineOptions>()({
  steps: true,
  storage: true,
  cacheKeyPrefix: true,
  validateDependencies: true,
  storageTimeoutMs: true,
  storageRetryMs: true,
  logger: true,
});
const EXECUTE_KEYS = optionKeys<PipelineExecuteOptions>()({ forceRefresh: true });

function checkStep(step: TokenFetcher, index: number): void {
  const where = `TokenFetchPipeline: steps[${index}]`;
  if (step === null || typeof step !== 'object') throw new TypeError(`${where} must be a TokenFetcher`);
  if (typeof step.name !== 'string' || step.name === '')
    throw new TypeError(`${where}.name must be a non-empty string`);
  if (typeof step.fetch !== 'function') throw new TypeError(`${where} (${step.name}) has no fetch()`);
  if (!Array.isArray(step.dependsOn) || step.dependsOn.some((d) => typeof d !== 'string'))
    throw new TypeError(`${where} (${step.name}).dependsOn must be an array of step names`);
  const ttl = step.ttlMs;
  if (ttl !== undefined) positiveMs(ttl, `${where} (${step.name}).ttlMs`);
}

/**
 * Obtains a token through several dependent requests (an application token, then a user token
 * that needs it, …). Each step's token is cached with its own lifetime; a step runs again when
 * its token is no longer usable or when a step it depends on had to be fetched again.
 *
 * - Steps run in dependency order whatever their list order.
 * - Single flight per step: concurrent `execute()` calls share one request per step.
 * - A storage failure never fails a run: the steps are fetched directly and a warning is logged.
 * - Every failure is an `AuthenticationException` whose `serviceName` is the failing step.
 *
 * @example
 * ```ts
 * const pipeline = new TokenFetchPipeline({
 *   steps: [appTokenFetcher, userTokenFetcher],
 *   storage: new InMemoryTokenStorage(),
 *   cacheKeyPrefix: 'myapp',
 * });
 * const userToken = await pipeline.execute();
 * ```
 */
export class TokenFetchPipeline {
  /** Where the steps' tokens are cached. */
  readonly storage: TokenStorage;
  /** Prefix of the cache keys. */
  readonly cacheKeyPrefix: string;
  readonly #ordering: StepOrder<TokenFetcher>;
  readonly #byName: ReadonlyMap<string, TokenFetcher>;
  readonly #store: GuardedStorage;
  /** One in-flight fetch per step, shared by concurrent runs. */
  readonly #flights = new SingleFlight<string, TokenData>();
  /** Steps invalidated here and not fetched since: their cache is ignored even if a delete failed. */
  readonly #stale = new Set<string>();
  /** The last token of each step fetched here: served while the storage is unreachable. */
  readonly #fetched = new Map<string, TokenData>();
  /** Each step's identity with its dependencies' (absent for a step without identity). */
  readonly #identities = new Map<string, string | undefined>();

  constructor(given: TokenFetchPipelineOptions) {
    const options = readOptions(given, 'TokenFetchPipeline', KEYS);
    const { steps, storage = new InMemoryTokenStorage(), cacheKeyPrefix = '' } = options;
    if (!Array.isArray(steps) || steps.length === 0)
      throw new TypeError('TokenFetchPipeline: steps must be a non-empty array of TokenFetchers');
    const byName = new Map<string, TokenFetcher>();
    steps.forEach((step, index) => {
      checkStep(step, index);
      if (byName.has(step.name))
        throw new TypeError(`TokenFetchPipeline: two steps are named "${step.name}"`);
      byName.set(step.name, step);
    });
    const methods = storage as unknown as Record<string, unknown> | null;
    if (
      methods === null ||
      typeof methods !== 'object' ||
      ['get', 'set', 'delete'].some((m) => typeof methods[m] !== 'function')
    )
      throw new TypeError('TokenFetchPipeline: storage must implement get, set and delete');
    if (typeof cacheKeyPrefix !== 'string')
      throw new TypeError('TokenFetchPipeline: cacheKeyPrefix must be a string');

    const ordering = orderSteps(steps);
    if (ordering.problem && options.validateDependencies !== false) throw new Error(ordering.problem.message);
    checkDpopSteps(ordering.order, storage);
    this.storage = storage;
    this.cacheKeyPrefix = cacheKeyPrefix;
    this.#ordering = ordering;
    for (const step of ordering.order) this.#identities.set(step.name, this.#identityOf(step));
    this.#byName = byName;
    this.#store = new GuardedStorage(storage, {
      timeoutMs: positiveMs(options.storageTimeoutMs ?? 2_000, 'TokenFetchPipeline: storageTimeoutMs'),
      retryMs: nonNegativeMs(options.storageRetryMs ?? 5_000, 'TokenFetchPipeline: storageRetryMs'),
      owner: 'a token pipeline',
      logger: options.logger ?? console,
      now: Date.now,
    });
  }

  /**
   * The step names in execution order (dependencies first, else list order).
   * @example pipeline.stepNames // ['app_token', 'user_token']
   */
  get stepNames(): readonly string[] {
    return this.#ordering.order.map((step) => step.name);
  }

  /**
   * The step called `name`, or `undefined`.
   * @example pipeline.getStep('user_token')?.dependsOn // ['app_token']
   */
  getStep(name: string): TokenFetcher | undefined {
    return this.#byName.get(name);
  }

  /**
   * The storage key of a step: `<cacheKeyPrefix>:<name>:<first 16 hex of the SHA-256 of its
   * identity>` (the identity covers the steps it depends on), without the prefix part when there
   * is none, and without the hash for a step that declares no identity.
   * @example pipeline.cacheKey('app_token') // 'myapp:app_token:5c1e0b9a7d3f2e81'
   */
  cacheKey(name: string): string {
    const label = this.cacheKeyPrefix ? `${this.cacheKeyPrefix}:${name}` : name;
    return identityKey(label, this.#identities.get(name));
  }

  /**
   * What makes the pipeline's tokens different: every step's identity, in order. `undefined`
   * when a step declares none (then `PipelineTokenProvider` has no identity either).
   * @example pipeline.identity // '{"kind":"pipeline","steps":["app_token={…}","user_token={…}"]}'
   */
  get identity(): string | undefined {
    const steps: string[] = [];
    for (const step of this.#ordering.order) {
      const identity = this.#identities.get(step.name);
      if (identity === undefined) return undefined;
      steps.push(`${step.name}=${identity}`);
    }
    return canonicalIdentity({ kind: 'pipeline', steps });
  }

  /** A step's own identity combined with its dependencies' (so a user token of another app token is another key). */
  #identityOf(step: TokenFetcher): string | undefined {
    const own = checkIdentity(step.identity, `TokenFetchPipeline: step "${step.name}"`);
    if (own === undefined) return undefined;
    return canonicalIdentity({
      step: own,
      dependsOn: step.dependsOn.map((name) => `${name}=${this.#identities.get(name) ?? 'unknown'}`),
    });
  }

  /**
   * Runs the steps in dependency order and returns the last one's token. A cached token is used
   * while it is usable (expiry minus min(30 s, 10 % of its lifetime)) unless a step it depends on
   * was fetched in this run.
   * @throws {AuthenticationException} naming the failing step in `serviceName`
   * @example const token = await pipeline.execute({ forceRefresh: true });
   */
  async execute(options?: PipelineExecuteOptions): Promise<TokenData> {
    const { problem } = this.#ordering;
    if (problem) throw new AuthenticationException(problem.message, { serviceName: problem.step });
    const forceRefresh =
      readOptions(options, 'TokenFetchPipeline.execute', EXECUTE_KEYS).forceRefresh === true;
    const tokens = new Map<string, TokenData>();
    const metadata: Record<string, unknown> = {};
    const fetched = new Set<string>();
    let last: TokenData | undefined;
    for (const step of this.#ordering.order) {
      const mustFetch = forceRefresh || step.dependsOn.some((d) => fetched.has(d));
      let token = mustFetch ? undefined : await this.#usableCached(step.name);
      if (token === undefined) {
        token = await this.#fetchOnce(step, new FetchContext(tokens, metadata));
        fetched.add(step.name);
      }
      tokens.set(step.name, token);
      last = token;
    }
    return last!;
  }

  /**
   * The cached token of step `name` if it is still usable, without fetching anything.
   * @example const app = await pipeline.cachedToken('app_token');
   */
  async cachedToken(name: string): Promise<TokenData | undefined> {
    this.#known(name, 'cachedToken');
    return this.#usableCached(name);
  }

  /**
   * Forgets the cached token of step `name` and of every step that depends on it, directly or
   * not. Resolves with the names forgotten, in execution order.
   * @example await pipeline.invalidateStep('app_token'); // also forgets 'user_token'
   */
  async invalidateStep(name: string): Promise<readonly string[]> {
    this.#known(name, 'invalidateStep');
    const names = withDependents(name, this.#ordering);
    await this.#forget(names);
    return names;
  }

  /**
   * Forgets every step's cached token: the next run fetches them all.
   * @example await pipeline.invalidateAll();
   */
  async invalidateAll(): Promise<void> {
    await this.#forget(this.stepNames);
  }

  /**
   * Closes the steps that can be closed (their HTTP clients).
   * @example await pipeline.close();
   */
  async close(): Promise<void> {
    const results = await Promise.allSettled(this.#ordering.order.map(async (step) => step.close?.()));
    const failure = results.find((result) => result.status === 'rejected');
    if (failure) throw (failure as PromiseRejectedResult).reason;
  }

  #known(name: string, method: string): void {
    if (!this.#byName.has(name))
      throw new TypeError(`TokenFetchPipeline.${method}: no step is named "${name}"`);
  }

  async #forget(names: readonly string[]): Promise<void> {
    for (const name of names) this.#stale.add(name);
    await Promise.all(names.map((name) => this.#store.remove(this.cacheKey(name))));
  }

  async #usableCached(name: string): Promise<TokenData | undefined> {
    if (this.#stale.has(name)) return undefined;
    const found = await this.#store.lookup(this.cacheKey(name));
    const stored = found === STORAGE_FAILED ? this.#fetched.get(name) : found;
    // Invalidated while the storage was being read.
    if (this.#stale.has(name) || stored === undefined) return undefined;
    return isUsable(stored) ? stored : undefined;
  }

  #fetchOnce(step: TokenFetcher, context: FetchContext): Promise<TokenData> {
    return this.#flights.run(step.name, () => this.#fetchAndCache(step, context));
  }

  async #fetchAndCache(step: TokenFetcher, context: FetchContext): Promise<TokenData> {
    let token: TokenData;
    try {
      const result: unknown = await step.fetch(context);
      if (!(result instanceof TokenData)) {
        throw new AuthenticationException(`Token pipeline step "${step.name}" returned no TokenData`, {
          serviceName: step.name,
        });
      }
      token = result;
    } catch (error) {
      if (error instanceof AuthenticationException) throw error;
      throw new AuthenticationException(
        `Token pipeline step "${step.name}" failed (${describeError(error)})`,
        {
          serviceName: step.name,
          cause: error,
        },
      );
    }
    // The final token is what requests carry: one that cannot be sent is refused before it is cached.
    if (step === this.#ordering.order[this.#ordering.order.length - 1]) checkSendable(token, step.name);
    if (step.ttlMs !== undefined) {
      // The step's lifetime wins over whatever the token says, also for custom fetchers.
      const expiresAt = token.issuedAt.getTime() + step.ttlMs;
      if (token.expiresAt?.getTime() !== expiresAt)
        token = carryBinding(token, token.with({ expiresAt: new Date(expiresAt) }));
    }
    this.#stale.delete(step.name);
    this.#fetched.set(step.name, token);
    await this.#store.write(this.cacheKey(step.name), token);
    return token;
  }

  /** The steps and their dependencies: no token, no request data. */
  toJSON(): Record<string, unknown> {
    return {
      type: 'TokenFetchPipeline',
      steps: this.#ordering.order.map((step) => ({
        name: step.name,
        dependsOn: step.dependsOn,
        ttlMs: step.ttlMs,
      })),
      cacheKeyPrefix: this.cacheKeyPrefix,
      ...(this.#ordering.problem ? { problem: this.#ordering.problem.message } : {}),
    };
  }

  /** A one-line, secret-free description. */
  toString(): string {
    return `TokenFetchPipeline(${this.stepNames.join(' → ')})`;
  }

  /** What `util.inspect` prints: the secret-free description. */
  [INSPECT](): string {
    return `TokenFetchPipeline ${JSON.stringify(this.toJSON())}`;
  }
}
