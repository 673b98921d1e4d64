import { asksForDpopNonce } from '../auth/challenges';
import type { DpopRequestSigner } from '../auth/dpop-signer';
import type { Middleware } from './chain';

/**
 * DPoP proofs for resource requests (RFC 9449 §7, §9). Sits inside the auth layer, next to the
 * transport, so every send — each retry, each replay, each redirect hop — gets a proof of its
 * own (new `jti`, `iat`, `htu`), and only a send that carries the hook's DPoP-bound token (never
 * one to an origin that gets no credentials). Every `DPoP-Nonce` answered is remembered for its
 * origin; a `401` with `WWW-Authenticate: DPoP error="use_dpop_nonce"` and a nonce is sent once
 * more, with a new proof carrying it (not a token refresh). Only in the chain of clients whose
 * auth hook has DPoP tokens.
 */
export function dpopMiddleware(signer: DpopRequestSigner): Middleware {
  return (request, context, next) => {
    const signed = signer.sign(request);
    if (signed === undefined) return next(request, context);
    // No await on the way: the answer is looked at in the send's own continuation.
    return next(signed, context).then((response) => {
      const gaveNonce = signer.noteNonce(request.url, response);
      if (response.statusCode !== 401 || !gaveNonce || !request.isReplayable) return response;
      if (!asksForDpopNonce(response.challenges())) return response;
      response.discard();
      return next(signer.sign(request) ?? signed, context).then((retried) => {
        signer.noteNonce(request.url, retried);
        return retried;
      });
    });
  };
}
