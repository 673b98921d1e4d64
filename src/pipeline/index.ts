// Multi-step token pipelines (API §3.2): re-exports only.

export { BodyTokenFetcher, type BodyTokenFetcherOptions } from './body-token-fetcher';
export { FetchContext, type FetchContextTokens } from './fetch-context';
export { HeaderTokenFetcher, type HeaderTokenFetcherOptions } from './header-token-fetcher';
export { PipelineTokenProvider, type PipelineTokenProviderOptions } from './pipeline-token-provider';
export {
  type PipelineExecuteOptions,
  TokenFetchPipeline,
  type TokenFetchPipelineOptions,
} from './token-fetch-pipeline';
export {
  HttpTokenFetcher,
  type HttpTokenFetcherOptions,
  type RequestDataOption,
  type RequestHeadersOption,
  type TokenFetcher,
  type TokenRequestMethod,
  type TokenResponseInfo,
} from './token-fetcher';
