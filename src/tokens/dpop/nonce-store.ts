// Server nonces for DPoP proofs (RFC 9449 §8, §9), one per origin: the latest `DPoP-Nonce` an
// origin sent, on any response. Bounded: the least recently used origin is forgotten first.
import { hasControlChars } from '../../checks/syntax';

const MAX_ORIGINS = 100;
const MAX_NONCE_CHARS = 1024;

/** The origin of an absolute URL, without parsing it (`scheme://authority`). */
export function originOf(url: string): string {
  const start = url.indexOf('//');
  if (start === -1) return url;
  const end = url.slice(start + 2).search(/[/?#]/);
  return end === -1 ? url : url.slice(0, start + 2 + end);
}

/** The latest nonce of each origin. */
export class NonceStore {
  readonly #nonces = new Map<string, string>();

  /** The nonce to put in a proof for `url`, if its origin gave one. */
  get(url: string): string | undefined {
    return this.#nonces.get(originOf(url));
  }

  /**
   * Remembers the `DPoP-Nonce` a response from `url` carried (if it is usable); true when it is
   * one the next proof did not already carry.
   */
  note(url: string, nonce: string | undefined): boolean {
    if (nonce === undefined || nonce === '' || nonce.length > MAX_NONCE_CHARS || hasControlChars(nonce))
      return false;
    const origin = originOf(url);
    const before = this.#nonces.get(origin);
    this.#nonces.delete(origin);
    this.#nonces.set(origin, nonce);
    if (this.#nonces.size > MAX_ORIGINS) this.#nonces.delete(this.#nonces.keys().next().value!);
    return before !== nonce;
  }
}
