import { AuthenticationException } from '../errors/authentication-exception';
import { HttpClientException } from '../errors/http-client-exception';
import type { Logger } from '../hooks/types';
import { INSPECT } from '../observability/redact-constants';
import { InMemoryTokenStorage } from '../tokens/storage/in-memory-token-storage';
import { TokenData } from '../tokens/token-data';
import type { TokenStorage } from '../tokens/token-storage';
import { FetchContext, isUsable } from './fetch-context';
import type { TokenFetcher } from './token-fetcher';

/** Options of {@link TokenFetchPipeline}. */
export interface TokenFetchPipelineOptions {
  /** The steps, in any order: they run in dependency order. */
  readonly steps: readonly TokenFetcher[];
  /**
   * Where each step's token is cached, under `<cacheKeyPrefix>:<step name>`.
   * @default new InMemoryTokenStorage()
   */
  readonly storage?: TokenStorage;
  /**
   * Prefix of the cache keys (`myapp` → `myapp:app_token`); none when empty.
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
   * Receives a warning when the storage fails (the pipeline then fetches directly). Never a secret.
   * @default console
   */
  readonly logger?: Pick<Logger, 'warn'>;
}

/** Options of {@link TokenFetchPipeline.execute}. */
export interface PipelineExecuteOptions {
  /**
   * Fetch every step again, whatever the cache holds.
   * @default false
   */
  readonly forceRefresh?: boolean;
}

interface Ordering {
  readonly order: readonly TokenFetcher[];
  /** Why the steps cannot all run, naming the steps involved. */
  readonly problem?: { readonly message: string; readonly step: string };
}

/** Finds one dependency cycle among `blocked` steps, as the list of names along it. */
function findCycle(blocked: readonly TokenFetcher[], byName: ReadonlyMap<string, TokenFetcher>): string[] {
  const state = new Map<string, 'visiting' | 'done'>();
  const path: string[] = [];
  const visit = (name: string): string[] | undefined => {
    if (state.get(name) === 'visiting') return [...path.slice(path.indexOf(name)), name];
    if (state.get(name) === 'done') return undefined;
    state.set(name, 'visiting');
    path.push(name);
    for (const dependency of byName.get(name)?.dependsOn ?? []) {
      if (!byName.has(dependency)) continue;
      const cycle = visit(dependency);
      if (cycle) return cycle;
    }
    path.pop();
    state.set(name, 'done');
    return undefined;
  };
  for (const step of blocked) {
    const cycle = visit(step.name);
    if (cycle) return cycle;
  }
  return [];
}

/** Stable topological order: among the steps whose dependencies have run, list order wins. */
function orderSteps(steps: readonly TokenFetcher[], byName: ReadonlyMap<string, TokenFetcher>): Ordering {
  const unknown = steps.flatMap((step) =>
    step.dependsOn.filter((d) => !byName.has(d)).map((d) => `"${step.name}" depends on "${d}"`),
  );
  const placed = new Set<string>();
  const order: TokenFetcher[] = [];
  for (let progress = true; progress; ) {
    progress = false;
    const ready = steps.find((s) => !placed.has(s.name) && s.dependsOn.every((d) => placed.has(d)));
    if (ready) {
      order.push(ready);
      placed.add(ready.name);
      progress = true;
    }
  }
  const blocked = steps.filter((s) => !placed.has(s.name));
  if (blocked.length === 0) return { order };
  const all = [...order, ...blocked];
  if (unknown.length > 0) {
    const first = steps.find((s) => s.dependsOn.some((d) => !byName.has(d)))!;
    return {
      order: all,
      problem: {
        message: `TokenFetchPipeline: unknown dependency: ${unknown.join(', ')} (no such step)`,
        step: first.name,
      },
    };
  }
  const cycle = findCycle(blocked, byName);
  const path = cycle.map((name) => `"${name}"`).join(' → ');
  return {
    order: all,
    problem: {
      message: `TokenFetchPipeline: dependency cycle between steps ${path}`,
      step: cycle[0] ?? blocked[0]!.name,
    },
  };
}

function checkStep(step: TokenFetcher, index: number): void {
  const where = `TokenFetchPipeline: steps[${index}]`;
  if (step === null || typeof step !== 'object') throw new TypeError(`${where} must be a TokenFetcher`);
  if (typeof step.name !== 'string' || step.name === '')
    throw new TypeError(`${where}.name must be a non-empty string`);
  if (typeof step.fetch !== 'function') throw new TypeError(`${where} (${step.name}) has no fetch()`);
  if (!Array.isArray(step.dependsOn) || step.dependsOn.some((d) => typeof d !== 'string'))
    throw new TypeError(`${where} (${step.name}).dependsOn must be an array of step names`);
  const ttl = step.ttlMs;
  if (ttl !== undefined && (typeof ttl !== 'number' || !Number.isFinite(ttl) || ttl <= 0))
    throw new TypeError(`${where} (${step.name}).ttlMs must be a positive number of milliseconds`);
}

function describe(error: unknown): string {
  if (error instanceof HttpClientException) return error.code;
  return error instanceof Error ? error.name : typeof error;
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
  readonly #order: readonly TokenFetcher[];
  readonly #byName: ReadonlyMap<string, TokenFetcher>;
  readonly #dependents: ReadonlyMap<string, readonly string[]>;
  readonly #problem: Ordering['problem'];
  readonly #logger: Pick<Logger, 'warn'>;
  /** One in-flight fetch per step, shared by concurrent runs. */
  readonly #flights = new Map<string, Promise<TokenData>>();
  /** Steps invalidated here and not fetched since: their cache is ignored even if a delete failed. */
  readonly #stale = new Set<string>();
  #storageDown = false;

  constructor(options: TokenFetchPipelineOptions) {
    if (options === null || typeof options !== 'object')
      throw new TypeError('TokenFetchPipeline: expected options');
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
    if (
      storage === null ||
      typeof storage !== 'object' ||
      ['get', 'set', 'delete'].some(
        (m) => typeof (storage as unknown as Record<string, unknown>)[m] !== 'function',
      )
    )
      throw new TypeError('TokenFetchPipeline: storage must implement get, set and delete');
    if (typeof cacheKeyPrefix !== 'string')
      throw new TypeError('TokenFetchPipeline: cacheKeyPrefix must be a string');

    const { order, problem } = orderSteps(steps, byName);
    if (problem && options.validateDependencies !== false) throw new Error(problem.message);
    const dependents = new Map<string, string[]>();
    for (const step of order) {
      for (const dependency of step.dependsOn) {
        const list = dependents.get(dependency) ?? [];
        list.push(step.name);
        dependents.set(dependency, list);
      }
    }
    this.storage = storage;
    this.cacheKeyPrefix = cacheKeyPrefix;
    this.#order = order;
    this.#byName = byName;
    this.#dependents = dependents;
    this.#problem = problem;
    this.#logger = options.logger ?? console;
  }

  /**
   * The step names in execution order (dependencies first, else list order).
   * @example pipeline.stepNames // ['app_token', 'user_token']
   */
  get stepNames(): readonly string[] {
    return this.#order.map((step) => step.name);
  }

  /**
   * The step called `name`, or `undefined`.
   * @example pipeline.getStep('user_token')?.dependsOn // ['app_token']
   */
  getStep(name: string): TokenFetcher | undefined {
    return this.#byName.get(name);
  }

  /**
   * The storage key of a step: `<cacheKeyPrefix>:<name>`, or just the name without prefix.
   * @example pipeline.cacheKey('app_token') // 'myapp:app_token'
   */
  cacheKey(name: string): string {
    return this.cacheKeyPrefix ? `${this.cacheKeyPrefix}:${name}` : name;
  }

  /**
   * Runs the steps in dependency order and returns the last one's token. A cached token is used
   * while it is usable (expiry minus min(30 s, 10 % of its lifetime)) unless a step it depends on
   * was fetched in this run.
   * @throws {AuthenticationException} naming the failing step in `serviceName`
   * @example const token = await pipeline.execute({ forceRefresh: true });
   */
  async execute(options: PipelineExecuteOptions = {}): Promise<TokenData> {
    if (this.#problem) {
      throw new AuthenticationException(this.#problem.message, { serviceName: this.#problem.step });
    }
    const forceRefresh = options?.forceRefresh === true;
    const tokens = new Map<string, TokenData>();
    const metadata: Record<string, unknown> = {};
    const fetched = new Set<string>();
    let last: TokenData | undefined;
    for (const step of this.#order) {
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
    const names = new Set([name]);
    for (const current of names)
      for (const dependent of this.#dependents.get(current) ?? []) names.add(dependent);
    const ordered = this.stepNames.filter((step) => names.has(step));
    await this.#forget(ordered);
    return ordered;
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
    const results = await Promise.allSettled(this.#order.map(async (step) => step.close?.()));
    const failure = results.find((result) => result.status === 'rejected');
    if (failure) throw (failure as PromiseRejectedResult).reason;
  }

  #known(name: string, method: string): void {
    if (!this.#byName.has(name))
      throw new TypeError(`TokenFetchPipeline.${method}: no step is named "${name}"`);
  }

  async #forget(names: readonly string[]): Promise<void> {
    for (const name of names) this.#stale.add(name);
    await Promise.all(
      names.map((name) => this.#storageCall('delete', name, () => this.storage.delete(this.cacheKey(name)))),
    );
  }

  async #usableCached(name: string): Promise<TokenData | undefined> {
    if (this.#stale.has(name)) return undefined;
    const stored = await this.#storageCall('get', name, () => this.storage.get(this.cacheKey(name)));
    // Invalidated while the storage was being read.
    if (this.#stale.has(name) || !(stored instanceof TokenData)) return undefined;
    return isUsable(stored) ? stored : undefined;
  }

  #fetchOnce(step: TokenFetcher, context: FetchContext): Promise<TokenData> {
    const running = this.#flights.get(step.name);
    if (running) return running;
    const flight = this.#fetchAndCache(step, context);
    this.#flights.set(step.name, flight);
    const clear = () => {
      if (this.#flights.get(step.name) === flight) this.#flights.delete(step.name);
    };
    // Also marks the flight as handled: a failure nobody awaits any more is no unhandled rejection.
    flight.then(clear, clear);
    return flight;
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
      throw new AuthenticationException(`Token pipeline step "${step.name}" failed (${describe(error)})`, {
        serviceName: step.name,
        cause: error,
      });
    }
    if (step.ttlMs !== undefined) {
      // The step's lifetime wins over whatever the token says, also for custom fetchers.
      const expiresAt = token.issuedAt.getTime() + step.ttlMs;
      if (token.expiresAt?.getTime() !== expiresAt) token = token.with({ expiresAt: new Date(expiresAt) });
    }
    this.#stale.delete(step.name);
    await this.#storageCall('set', step.name, () => this.storage.set(this.cacheKey(step.name), token));
    return token;
  }

  async #storageCall<T>(operation: string, step: string, run: () => T | Promise<T>): Promise<T | undefined> {
    try {
      const result = await run();
      this.#storageDown = false;
      return result;
    } catch (error) {
      if (!this.#storageDown) {
        this.#storageDown = true;
        // Only the error's kind: a storage's message may quote what it was given.
        this.#logger.warn(
          `requestforge: token pipeline storage ${operation} of "${this.cacheKey(step)}" failed ` +
            `(${describe(error)}); fetching steps directly until it recovers`,
        );
      }
      return undefined;
    }
  }

  /** The steps and their dependencies: no token, no request data. */
  toJSON(): Record<string, unknown> {
    return {
      type: 'TokenFetchPipeline',
      steps: this.#order.map((step) => ({ name: step.name, dependsOn: step.dependsOn, ttlMs: step.ttlMs })),
      cacheKeyPrefix: this.cacheKeyPrefix,
      ...(this.#problem ? { problem: this.#problem.message } : {}),
    };
  }

  toString(): string {
    return `TokenFetchPipeline(${this.stepNames.join(' → ')})`;
  }

  [INSPECT](): string {
    return `TokenFetchPipeline ${JSON.stringify(this.toJSON())}`;
  }
}
