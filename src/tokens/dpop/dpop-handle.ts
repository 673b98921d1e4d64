// One provider's DPoP state: its key (configured, or generated once), the nonces servers gave
// (per origin, shared by the token endpoint and the APIs), and which key each token is bound to.
import { AuthenticationException } from '../../errors/authentication-exception';
import { INSPECT } from '../../observability/redact-constants';
import type { TokenData } from '../token-data';
import { accessTokenHash, type DpopAlg, DpopKey } from './dpop-key';
import type { DpopConfig } from './dpop-options';
import { NonceStore } from './nonce-store';

/** The key each token is bound to: the key that requested it, or the one stored with it. */
const boundKeys = new WeakMap<TokenData, DpopKey>();
/** `ath` of each token, computed once per token. */
const hashes = new WeakMap<TokenData, string>();
/** The DPoP handle of each provider that has one. */
const handles = new WeakMap<object, DpopHandle>();

/** Binds `token` to `key` (its proofs are signed with it). */
export function bindToken(token: TokenData, key: DpopKey): TokenData {
  boundKeys.set(token, key);
  return token;
}

/** `to` (a copy of `from`) is bound to `from`'s key. */
export function carryBinding(from: TokenData, to: TokenData): TokenData {
  const key = boundKeys.get(from);
  if (key !== undefined) boundKeys.set(to, key);
  return to;
}

/** True when a token type is `DPoP` (case-insensitive, RFC 9449 §5). */
export function isDpopType(tokenType: string): boolean {
  return tokenType.length === 4 && tokenType.toLowerCase() === 'dpop';
}

/** The DPoP handle of a provider, if it has one. */
export function dpopHandleOf(provider: object): DpopHandle | undefined {
  return handles.get(provider);
}

/** Makes `handle` the DPoP handle of `provider` (managers and auth hooks find it there). */
export function registerDpopHandle(provider: object, handle: DpopHandle): void {
  handles.set(provider, handle);
}

/** A provider's DPoP key, nonces and token bindings. Prints without its key. */
export class DpopHandle {
  /** Server nonces per origin (token endpoint and APIs alike). */
  readonly nonces = new NonceStore();
  readonly requireBoundToken: boolean;
  readonly alg: DpopAlg;
  /** True when the key was generated here: a shared storage must then keep it with the token. */
  readonly generatedKey: boolean;
  #key: DpopKey | undefined;
  #generating: Promise<DpopKey> | undefined;

  constructor(config: DpopConfig) {
    this.#key = config.key;
    this.alg = config.alg;
    this.generatedKey = config.key === undefined;
    this.requireBoundToken = config.requireBoundToken;
  }

  /**
   * What DPoP adds to the provider's identity: the configured key's thumbprint (tokens bound to
   * another key are not ours), or that keys are generated with `alg` (the same in every process).
   */
  get identityPart(): string {
    return this.#key !== undefined && !this.generatedKey ? `jkt:${this.#key.jkt}` : `generated:${this.alg}`;
  }

  /** The configured key, or the generated one once it exists. */
  get currentKey(): DpopKey | undefined {
    return this.#key;
  }

  /** This provider's key, generated on first use when none is configured. */
  async key(): Promise<DpopKey> {
    if (this.#key !== undefined) return this.#key;
    this.#generating ??= DpopKey.generate(this.alg).then((key) => {
      this.#key = key;
      return key;
    });
    return this.#generating;
  }

  /** The key `token` is bound to: the one stored with it or that requested it, else ours. */
  keyFor(token: TokenData): DpopKey | undefined {
    return boundKeys.get(token) ?? this.#key;
  }

  /** `ath` for `token`, computed once per token. */
  athOf(token: TokenData): string {
    let ath = hashes.get(token);
    if (ath === undefined) {
      ath = accessTokenHash(token.accessToken);
      hashes.set(token, ath);
    }
    return ath;
  }

  /**
   * A token requested with `key`: bound to it when the server says `token_type: DPoP`; a token of
   * another type is refused unless `requireBoundToken` is off (then it is a bearer token).
   * @throws {AuthenticationException} for an unbound token while `requireBoundToken` is on
   */
  accept(token: TokenData, key: DpopKey, serviceName: string): TokenData {
    if (isDpopType(token.tokenType)) {
      return bindToken(token.tokenType === 'DPoP' ? token : token.with({ tokenType: 'DPoP' }), key);
    }
    if (!this.requireBoundToken) return token;
    throw new AuthenticationException(
      `The token endpoint of "${serviceName}" answered a DPoP request with token_type "${token.tokenType}", not a DPoP-bound token (set dpop.requireBoundToken: false to accept it)`,
      { serviceName, retryable: false, context: { reason: 'dpop-unbound-token' } },
    );
  }

  toJSON(): Record<string, unknown> {
    return { alg: this.alg, generatedKey: this.generatedKey, jkt: this.#key?.jkt };
  }

  [INSPECT](): string {
    return `DpopHandle ${JSON.stringify(this.toJSON())}`;
  }
}
