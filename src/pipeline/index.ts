// Multi-step token pipelines: re-exports only.

export { BodyTokenFetcher, type BodyTokenFetcherOptions } from './body-token-fetcher';
export { FetchContext, type FetchContextTokens } from './fetch-context';
export type {
  HttpTokenFetcherOptions,
  RequestDataOption,
  RequestHeadersOption,
  TokenFetcher,
  TokenRequestMethod,
  TokenResponseInfo,
} from './fetcher-types';
export { HeaderTokenFetcher, type HeaderTokenFetcherOptions } from './header-token-fetcher';
export { PipelineTokenProvider, type PipelineTokenProviderOptions } from './pipeline-token-provider';
export {
  type PipelineExecuteOptions,
  TokenFetchPipeline,
  type TokenFetchPipelineOptions,
} from './token-fetch-pipeline';
export { HttpTokenFetcher } from './token-fetcher';
