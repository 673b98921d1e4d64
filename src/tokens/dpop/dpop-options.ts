import type { JsonWebKey, KeyObject } from 'node:crypto';
import { optionKeys, readOptions } from '../../checks/options';
import { DPOP_ALGS, type DpopAlg, DpopKey } from './dpop-key';

/** The `dpop` option of the OAuth providers, as an object. */
export interface DpopOptions {
  /**
   * The key the tokens are bound to. Give the same key to every process that shares tokens
   * through a storage; without it each provider generates its own key, and a shared storage then
   * keeps the private key with the token (it must be encrypted: `encryptionKey`).
   * @default a key generated for `alg`
   * @example { privateKey: createPrivateKey(process.env.DPOP_KEY_PEM!) }
   */
  readonly privateKey?: KeyObject | JsonWebKey;
  /**
   * The proof signing algorithm.
   * @default from `privateKey` (EC P-256 → `ES256`, Ed25519 → `EdDSA`, RSA → `RS256`), else `ES256`
   * @example 'EdDSA'
   */
  readonly alg?: DpopAlg;
  /**
   * Refuse a token the server did not bind (`token_type` other than `DPoP`) with an
   * `AuthenticationException`; `false` accepts it and uses it as a bearer token.
   * @default true
   * @example { requireBoundToken: false }
   */
  readonly requireBoundToken?: boolean;
}

/** The `dpop` option: `true` (an ES256 key generated per provider) or {@link DpopOptions}. */
export type DpopOption = boolean | DpopOptions;

/** A read `dpop` option: a configured key, or the algorithm of one generated per provider. */
export interface DpopConfig {
  readonly key: DpopKey | undefined;
  readonly alg: DpopAlg;
  readonly requireBoundToken: boolean;
}

const KEYS = optionKeys<DpopOptions>()({ privateKey: true, alg: true, requireBoundToken: true });

/**
 * Reads the `dpop` option of a provider; `undefined` when it is off.
 * @throws {TypeError} naming the option for anything else than `true`, `false` or {@link DpopOptions}
 */
export function readDpopOption(value: unknown): DpopConfig | undefined {
  if (value === undefined || value === false) return undefined;
  if (value === true) return { key: undefined, alg: 'ES256', requireBoundToken: true };
  const options = readOptions(value as DpopOptions, 'dpop', KEYS);
  const requireBoundToken = options.requireBoundToken ?? true;
  if (typeof requireBoundToken !== 'boolean') throw new TypeError('dpop.requireBoundToken must be a boolean');
  if (options.privateKey !== undefined) {
    const key = DpopKey.from(options.privateKey, options.alg, 'dpop');
    return { key, alg: key.alg, requireBoundToken };
  }
  const alg = options.alg ?? 'ES256';
  if (!DPOP_ALGS.includes(alg)) throw new TypeError(`dpop.alg must be one of ${DPOP_ALGS.join(', ')}`);
  return { key: undefined, alg, requireBoundToken };
}
