// Fetching authorization server metadata: through the provider's sender and the one exchange (no
// redirects, transient failures retried, typed errors), cached per issuer and route for every
// provider of the process, one fetch however many providers and callers ask at once.
import { AuthenticationException } from '../../errors/authentication-exception';
import { exchangeToken } from '../exchange/token-exchange';
import type { TokenHttp } from '../exchange/token-http';
import {
  type AuthorizationServerMetadata,
  MetadataProblem,
  metadataLifetimeMs,
  metadataUrls,
  readMetadata,
} from './metadata';

/** How one provider fetches metadata. */
export interface DiscoveryRequest {
  readonly issuer: string;
  readonly send: TokenHttp;
  readonly maxRetries: number;
  /** Who is asking, for errors. */
  readonly serviceName: string;
  readonly allowInsecure: unknown;
  /**
   * How requests reach the issuer: providers with the same route share a cache entry (the
   * private clients all do; a caller's `httpClient` or `dispatcher` is a route of its own).
   */
  readonly route: string;
}

interface Entry {
  readonly metadata: Promise<AuthorizationServerMetadata>;
  /** Epoch ms after which it is fetched again (infinite while the fetch runs). */
  expiresAt: number;
}

/** Entries kept at most: issuers are few; routes made per call must not grow the cache forever. */
const MAX_ENTRIES = 256;
const cache = new Map<string, Entry>();

/**
 * The metadata of `request.issuer`: from the cache while fresh (honouring the answer's
 * `Cache-Control`, 1 h by default), else fetched once for every concurrent caller. A failure is
 * not cached: the next call fetches again.
 * @throws {AuthenticationException} when no usable metadata could be fetched (`retryable: false`
 * when the document is wrong: issuer mismatch, no token endpoint)
 */
export function discoverMetadata(request: DiscoveryRequest): Promise<AuthorizationServerMetadata> {
  const key = `${request.route}\n${request.issuer}`;
  const cached = cache.get(key);
  if (cached && cached.expiresAt > Date.now()) return cached.metadata;
  const fetched = fetchMetadata(request);
  const entry: Entry = {
    metadata: fetched.then(({ metadata }) => metadata),
    expiresAt: Number.POSITIVE_INFINITY,
  };
  cache.delete(key);
  cache.set(key, entry);
  if (cache.size > MAX_ENTRIES) cache.delete(cache.keys().next().value!);
  fetched.then(
    ({ lifetimeMs }) => {
      entry.expiresAt = Date.now() + lifetimeMs;
    },
    () => {
      if (cache.get(key) === entry) cache.delete(key);
    },
  );
  return entry.metadata;
}

async function fetchMetadata(
  request: DiscoveryRequest,
): Promise<{ metadata: AuthorizationServerMetadata; lifetimeMs: number }> {
  const { issuer, serviceName } = request;
  const [rfc8414, openid] = metadataUrls(issuer);
  let statuses = '';
  for (const url of [rfc8414, openid]) {
    let answer: Awaited<ReturnType<typeof exchangeToken>>;
    try {
      answer = await exchangeToken(() => ({ method: 'GET', url, secrets: [] }), {
        send: request.send,
        serviceName,
        url,
        maxRetries: request.maxRetries,
      });
    } catch (error) {
      // Not published here (404, 400, 405…): try the next location. Anything else (5xx after
      // retries, a redirect, the network) is a failure now, fetched again next time.
      const status = error instanceof AuthenticationException ? error.statusCode : undefined;
      if (status !== undefined && status >= 400 && status < 500 && status !== 429) {
        statuses += `${statuses ? ', ' : ''}${status} at ${url}`;
        continue;
      }
      throw failure(`fetching ${url} failed: ${(error as Error).message}`, true, error);
    }
    try {
      const metadata = readMetadata(answer.body, issuer, request.allowInsecure);
      return { metadata, lifetimeMs: metadataLifetimeMs(answer.response.headers.get('cache-control')) };
    } catch (error) {
      if (error instanceof MetadataProblem)
        throw failure(`the metadata at ${url} cannot be used: ${error.message}`, false);
      throw error;
    }
  }
  throw failure(`no metadata found (${statuses})`, false);

  function failure(detail: string, retryable: boolean, cause?: unknown): AuthenticationException {
    return new AuthenticationException(`Discovery of issuer ${issuer} for "${serviceName}": ${detail}`, {
      serviceName,
      retryable,
      cause,
      context: { issuer },
    });
  }
}
