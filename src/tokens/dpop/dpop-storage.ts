// DPoP tokens in a shared storage (RFC 9449 tokens across a fleet). A token is useless without
// the key it is bound to, so the stored form names the key's thumbprint (`jkt`) and, when keys
// are generated per process, carries the private key itself: only an encrypted storage may hold
// it. A process adopting a stored token checks that the key it will sign with has the token's
// thumbprint (and the access token's own `cnf.jkt`, when it is a JWT).
import type { JsonWebKey } from 'node:crypto';
import { ownRecord } from '../../checks/options';
import { unverifiedClaims } from '../jwt';
import { InMemoryTokenStorage } from '../storage/in-memory-token-storage';
import { TokenData } from '../token-data';
import type { TokenStorage } from '../token-storage';
import { bindToken, type DpopHandle, dpopHandleOf, isDpopType } from './dpop-handle';
import { DpopKey } from './dpop-key';

/** The `extra` field of the stored form that holds the binding. */
const FIELD = 'requestforge_dpop';

/** The `cnf.jkt` of a JWT access token (RFC 9449 §6.1), read without verifying anything. */
function cnfJkt(accessToken: string): string | undefined {
  const cnf = unverifiedClaims(accessToken, 16_384)?.cnf as { jkt?: unknown } | null | undefined;
  const jkt = cnf?.jkt;
  return typeof jkt === 'string' ? jkt : undefined;
}

/** The key a stored binding names: the stored key, else ours when the thumbprints agree. */
function keyOf(binding: Record<string, unknown>, handle: DpopHandle): DpopKey | undefined {
  const jkt = binding.jkt;
  if (typeof jkt !== 'string') return undefined;
  let key = handle.currentKey;
  if (binding.key !== undefined) {
    try {
      key = DpopKey.from(binding.key as JsonWebKey, binding.alg, 'stored DPoP key');
    } catch {
      return undefined;
    }
  }
  return key?.jkt === jkt ? key : undefined;
}

/**
 * The storage a DPoP manager reads and writes through: the user's storage, with the binding
 * added on write and checked on read. Process memory is used as it is (a token object keeps its
 * binding).
 * @throws {TypeError} when keys are generated per process and a shared storage is not encrypted
 */
function dpopStorage(
  storage: TokenStorage,
  handle: DpopHandle,
  owner: string,
  warn: (message: string) => void,
): TokenStorage {
  if (storage instanceof InMemoryTokenStorage) return storage;
  if (handle.generatedKey && storage.encrypted !== true) {
    throw new TypeError(
      `TokenManager: ${owner} uses DPoP with a generated key, which a shared storage keeps with the token: the storage must be encrypted (encryptionKey), or configure the same dpop.privateKey in every process`,
    );
  }
  const refuse = (why: string): undefined => {
    warn(
      `requestforge: a stored token of ${owner} is not used: ${why}; fetching one bound to this process's key`,
    );
    return undefined;
  };
  const adopt = (stored: unknown): unknown => {
    if (!(stored instanceof TokenData)) return stored;
    const raw = Object.hasOwn(stored.extra, FIELD) ? stored.extra[FIELD] : undefined;
    const extra = ownRecord(stored.extra as Record<string, unknown>);
    delete extra[FIELD];
    if (!isDpopType(stored.tokenType))
      return handle.requireBoundToken ? refuse('it is not DPoP-bound') : stored.with({ extra });
    if (raw === null || typeof raw !== 'object') return refuse('it names no DPoP key');
    const key = keyOf(ownRecord(raw as Record<string, unknown>), handle);
    if (key === undefined) return refuse('it is bound to a DPoP key this process does not hold');
    const claimed = cnfJkt(stored.accessToken);
    if (claimed !== undefined && claimed !== key.jkt)
      return refuse("its cnf.jkt is not its key's thumbprint");
    return bindToken(stored.with({ extra: { ...extra } }), key);
  };
  const seal = (token: TokenData): TokenData => {
    const key = isDpopType(token.tokenType) ? handle.keyFor(token) : undefined;
    if (key === undefined) return token;
    const binding = handle.generatedKey
      ? { jkt: key.jkt, alg: key.alg, key: key.exportPrivate() }
      : { jkt: key.jkt };
    return token.with({ extra: { ...token.extra, [FIELD]: binding } });
  };
  const wrapped: TokenStorage = {
    get: async (key) => adopt(await storage.get(key)) as TokenData | undefined,
    set: (key, token) => storage.set(key, seal(token)),
    delete: (key) => storage.delete(key),
    exists: (key) => storage.exists(key),
  };
  if (typeof storage.acquireLock === 'function')
    wrapped.acquireLock = (key, ttlMs) => storage.acquireLock!(key, ttlMs);
  if (typeof storage.getThrottle === 'function' && typeof storage.setThrottle === 'function') {
    wrapped.getThrottle = (key) => storage.getThrottle!(key);
    wrapped.setThrottle = (key, throttle) => storage.setThrottle!(key, throttle);
  }
  return wrapped;
}

/** The storage a manager of `provider` uses: `storage`, through {@link dpopStorage} for DPoP providers. */
export function storageFor(
  provider: { readonly serviceName: string },
  storage: TokenStorage,
  warn: (message: string) => void,
): TokenStorage {
  const handle = dpopHandleOf(provider);
  return handle ? dpopStorage(storage, handle, `"${provider.serviceName}"`, warn) : storage;
}
