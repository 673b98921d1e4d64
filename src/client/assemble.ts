import type { HttpClientConfig } from '../config/http-client-config';
import { authMiddleware } from '../middleware/auth';
import { compose, type Handler, type Middleware } from '../middleware/chain';
import { dpopMiddleware } from '../middleware/dpop';
import { hooksMiddleware } from '../middleware/hooks';
import type { OriginTrust } from '../middleware/origin-trust';
import { redirectMiddleware } from '../middleware/redirect';
import { retryMiddleware } from '../middleware/retry';

/**
 * The one place that fixes the order of the chain, outermost first:
 * retry → hooks → redirect → auth → transport (the terminal link).
 * Retry wraps hooks, so hooks run per attempt and share the call's context; retry wraps auth,
 * so a 401 replay does not spend a retry and a 5xx retry re-applies fresh credentials; redirect
 * wraps auth, so each hop is authorised for its own origin.
 * Layers that are not configured are left out, so an unused feature costs nothing.
 */
export function assembleChain(config: HttpClientConfig, trust: OriginTrust, terminal: Handler): Handler {
  const chain: Middleware[] = [];
  const retry = config.retryStrategy;
  if (retry && (retry.maxRetries > 0 || retry.beforeAttempt || retry.onCallComplete))
    chain.push(retryMiddleware(retry));
  if (config.requestHooks.length + config.responseHooks.length + config.errorHooks.length > 0) {
    chain.push(hooksMiddleware(config.requestHooks, config.responseHooks, config.errorHooks, trust));
  }
  if (config.followRedirects)
    chain.push(redirectMiddleware({ follow: true, maxRedirects: config.maxRedirects }, trust));
  if (config.authHook) chain.push(authMiddleware(config.authHook, config.timeoutMs));
  if (config.authHook?.dpop) chain.push(dpopMiddleware(config.authHook.dpop));
  return compose(chain, terminal);
}
