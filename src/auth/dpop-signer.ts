// The resource side of DPoP (RFC 9449 §7): a request that carries a DPoP-bound token of an auth
// hook gets a proof of that token's key, made for this very send (method, URL, the origin's
// latest nonce, `ath` of the token). Built only for hooks whose tokens come from a DPoP provider.
import type { HttpRequest } from '../http/request';
import type { HttpResponse } from '../http/response';
import { type DpopHandle, isDpopType } from '../tokens/dpop/dpop-handle';
import type { TokenData } from '../tokens/token-data';

/** What the DPoP layer needs from an auth hook: proofs for its sends, and the servers' nonces. */
export interface DpopRequestSigner {
  /**
   * `sent` with a fresh proof in its `DPoP` header, when it carries one of the hook's DPoP-bound
   * tokens; `undefined` otherwise (nothing to prove).
   */
  sign(sent: HttpRequest): HttpRequest | undefined;
  /** Remembers a response's `DPoP-Nonce` for the origin of `url`; true when it names a nonce. */
  noteNonce(url: string, response: HttpResponse): boolean;
}

/** A signer for the tokens of one hook: `tokenOf` tells which token a send carries. */
export function dpopSigner(
  handle: DpopHandle,
  tokenOf: (sent: HttpRequest) => TokenData | undefined,
): DpopRequestSigner {
  return {
    sign(sent) {
      const token = tokenOf(sent);
      if (token === undefined || !isDpopType(token.tokenType)) return undefined;
      const key = handle.keyFor(token);
      if (key === undefined) return undefined;
      const url = sent.url;
      const proof = key.proof({
        htm: sent.method,
        url,
        nonce: handle.nonces.get(url),
        ath: handle.athOf(token),
      });
      return sent.withTrustedHeader('dpop', proof);
    },
    noteNonce(url, response) {
      const nonce = response.headers.first('dpop-nonce');
      if (nonce === undefined) return false;
      handle.nonces.note(url, nonce);
      return true;
    },
  };
}

/** One signer for several hooks' (a `CompositeAuthHook`): the first that recognises a send signs it. */
export function combineSigners(
  hooks: readonly { readonly dpop?: DpopRequestSigner }[],
): DpopRequestSigner | undefined {
  const signers = hooks.flatMap((hook) => (hook.dpop ? [hook.dpop] : []));
  if (signers.length <= 1) return signers[0];
  return {
    sign: (sent) => {
      for (const signer of signers) {
        const signed = signer.sign(sent);
        if (signed !== undefined) return signed;
      }
      return undefined;
    },
    noteNonce: (url, response) => signers.map((signer) => signer.noteNonce(url, response)).some(Boolean),
  };
}
