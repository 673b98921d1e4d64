import { optionKeys, readOptions } from '../checks/options';
import { INSPECT } from '../observability/redact-constants';
import { dpopHandleOf, registerDpopHandle } from '../tokens/dpop/dpop-handle';
import type { TokenData } from '../tokens/token-data';
import type { RefreshContext, TokenProvider } from '../tokens/token-provider';
import { TokenFetchPipeline } from './token-fetch-pipeline';

/** Options of {@link PipelineTokenProvider}. */
export interface PipelineTokenProviderOptions {
  /** Names the service in errors, events and the `TokenManager` cache key. */
  readonly serviceName: string;
  /**
   * The first step to fetch again when the final token is rejected (a 401): that step and the
   * steps depending on it are re-fetched, the others come from the cache.
   * @default every step
   * @example 'user_token' // keep the application token, get a new user token
   */
  readonly refreshFromStep?: string;
}

/**
 * A {@link TokenProvider} backed by a {@link TokenFetchPipeline}, for `TokenManager` and
 * `withTokenAuth`. The pipeline's final token is the one sent.
 *
 * When the manager replaces a token that the pipeline still considers usable, the server
 * rejected it (or a refresh was forced): the steps from `refreshFromStep` (all without it) and
 * the final step are fetched again, so the rejected token is never sent again. When it replaces
 * an expired token, only the expired steps are fetched again.
 *
 * @example
 * ```ts
 * const provider = new PipelineTokenProvider(pipeline, {
 *   serviceName: 'myapp',
 *   refreshFromStep: 'user_token',
 * });
 * const tokenManager = new TokenManager(provider);
 * const client = new HttpClient(
 *   new HttpClientConfigBuilder().withBaseUrl('https://api.example.com').withTokenAuth(tokenManager).build(),
 * );
 * ```
 */
export class PipelineTokenProvider implements TokenProvider {
  /** Names the service in errors, events and the cache key. */
  readonly serviceName: string;
  /** The pipeline that obtains the tokens. */
  readonly pipeline: TokenFetchPipeline;
  /** The first step fetched again after a rejection; `undefined`: all of them. */
  readonly refreshFromStep: string | undefined;
  /**
   * The pipeline's identity (every step's, in order), so `TokenManager` keys the final token by
   * it; `undefined` when a step declares none.
   */
  readonly identity: string | undefined;

  constructor(pipeline: TokenFetchPipeline, options: PipelineTokenProviderOptions) {
    if (!(pipeline instanceof TokenFetchPipeline))
      throw new TypeError('PipelineTokenProvider: pipeline must be a TokenFetchPipeline');
    const { serviceName, refreshFromStep } = readOptions(
      options,
      'PipelineTokenProvider',
      optionKeys<PipelineTokenProviderOptions>()({ serviceName: true, refreshFromStep: true }),
    );
    if (typeof serviceName !== 'string' || serviceName === '')
      throw new TypeError('PipelineTokenProvider: serviceName must be a non-empty string');
    if (refreshFromStep !== undefined && pipeline.getStep(refreshFromStep) === undefined) {
      throw new TypeError(
        `PipelineTokenProvider: refreshFromStep "${String(refreshFromStep)}" is not a step of ` +
          `the pipeline (${pipeline.stepNames.join(', ')})`,
      );
    }
    this.serviceName = serviceName;
    this.pipeline = pipeline;
    this.refreshFromStep = refreshFromStep;
    this.identity = pipeline.identity;
    // The final step's token is what this provider hands out: its DPoP key signs the API requests.
    const final = pipeline.getStep(pipeline.stepNames.at(-1)!);
    const dpop = final && dpopHandleOf(final);
    if (dpop !== undefined) registerDpopHandle(this, dpop);
  }

  /**
   * Runs the pipeline (cached steps are reused).
   * @example const token = await provider.fetchToken();
   */
  fetchToken(): Promise<TokenData> {
    return this.pipeline.execute();
  }

  /**
   * A token to replace `current`. When the pipeline still holds `current` as its final token,
   * that step is forgotten first; when `current` was rejected or a refresh was forced, the steps
   * from `refreshFromStep` (or all) are forgotten too. Then the pipeline runs, fetching only what
   * is forgotten or expired, so a rejected token is never returned again and a renewal ahead of
   * expiry does not re-fetch the upstream steps.
   * @example const next = await provider.refreshToken(rejected, { reason: 'rejected' });
   */
  async refreshToken(current: TokenData, context?: RefreshContext): Promise<TokenData> {
    const finalStep = this.pipeline.stepNames.at(-1)!;
    const cached = await this.pipeline.cachedToken(finalStep);
    if (cached !== undefined && cached.accessToken === current?.accessToken) {
      const reason = context?.reason ?? 'rejected';
      if (reason === 'rejected' || reason === 'forced') {
        if (this.refreshFromStep === undefined) await this.pipeline.invalidateAll();
        // refreshFromStep need not be an ancestor of the final step.
        else await this.pipeline.invalidateStep(this.refreshFromStep);
      }
      await this.pipeline.invalidateStep(finalStep);
    }
    return this.pipeline.execute();
  }

  /**
   * Closes the pipeline's steps.
   * @example await provider.close();
   */
  close(): Promise<void> {
    return this.pipeline.close();
  }

  /** The service, `refreshFromStep` and the pipeline's steps: no token, no request data. */
  toJSON(): Record<string, unknown> {
    return {
      type: 'PipelineTokenProvider',
      serviceName: this.serviceName,
      refreshFromStep: this.refreshFromStep,
      pipeline: this.pipeline.toJSON(),
    };
  }

  toString(): string {
    return `PipelineTokenProvider(${this.serviceName})`;
  }

  /** What `util.inspect` prints: the secret-free description. */
  [INSPECT](): string {
    return `PipelineTokenProvider ${JSON.stringify(this.toJSON())}`;
  }
}
