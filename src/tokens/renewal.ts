import { type GuardedStorage, STORAGE_FAILED } from './guarded-storage';
import type { TokenData } from './token-data';
import type { TokenStorageLock } from './token-storage';

/** Why the manager needs a token it does not have in memory. */
export type RenewalReason = 'initial' | 'expired' | 'invalidated' | 'forced' | 'background';

/** What the renewal protocol needs from its token's owner. */
export interface RenewalParticipant {
  /** The storage key of the token. */
  readonly key: string;
  readonly store: GuardedStorage;
  /** How long the cross-process lock is held at most. */
  readonly lockTtlMs: number;
  /** How long to wait for another process's token before fetching anyway. */
  readonly lockWaitMs: number;
  /** Whether a stored token may be used instead of fetching. */
  adoptable(stored: TokenData, reason: RenewalReason, previous: TokenData | undefined): boolean;
  isRejected(accessToken: string): boolean;
  /** Throws (no I/O) when this process holds token requests back: no lock is taken for nothing. */
  assertMaySend(): void;
  /** Obtains a token from the provider (replacing `base` when given), installs and stores it. */
  fetch(reason: RenewalReason, base: TokenData | undefined): Promise<TokenData>;
}

/** A renewal's outcome: a token another caller, process or host stored, or one we fetched. */
export type Renewed = { readonly token: TokenData; readonly adopted: boolean };

type LockOutcome =
  | { readonly kind: 'held'; readonly lock: TokenStorageLock }
  | { readonly kind: 'adopted'; readonly token: TokenData }
  | { readonly kind: 'none' };

const NO_LOCK: LockOutcome = Object.freeze({ kind: 'none' });

/**
 * The cross-process renewal protocol:
 *
 * 1. a usable token in the storage is adopted (someone else renewed it already);
 * 2. else, unless token requests are held back (a `Retry-After`, a backoff), the storage's lock is taken; while another process holds it, its token is awaited;
 * 3. inside the lock the storage is read again: a token stored meanwhile is adopted, and a newer
 *    refresh token found there replaces ours (another process may have rotated it);
 * 4. the provider is called, the token installed and stored, and the lock released.
 *
 * A storage without a lock (or one that fails) skips step 2: each process fetches on its own.
 */
export async function renew(
  participant: RenewalParticipant,
  reason: RenewalReason,
  previous: TokenData | undefined,
): Promise<Renewed> {
  const { store, key } = participant;
  const stored = reason === 'forced' ? undefined : await store.read(key);
  if (stored && participant.adoptable(stored, reason, previous)) return { token: stored, adopted: true };
  participant.assertMaySend();
  const lock = await takeLock(participant, reason, previous);
  if (lock.kind === 'adopted') return { token: lock.token, adopted: true };
  try {
    const latest = lock.kind === 'held' ? await store.read(key) : stored;
    if (
      latest &&
      lock.kind === 'held' &&
      reason !== 'forced' &&
      participant.adoptable(latest, reason, previous)
    )
      return { token: latest, adopted: true };
    const base = latest?.refreshToken && !participant.isRejected(latest.accessToken) ? latest : previous;
    return { token: await participant.fetch(reason, base), adopted: false };
  } finally {
    if (lock.kind === 'held') await store.unlock(key, lock.lock);
  }
}

/**
 * Takes the storage's cross-process lock when it has one. While another process holds it, waits
 * for that process's token to appear in the storage (bounded by `lockWaitMs`, then fetches
 * anyway). A background renewal never waits: someone else is already renewing.
 */
async function takeLock(
  participant: RenewalParticipant,
  reason: RenewalReason,
  previous: TokenData | undefined,
): Promise<LockOutcome> {
  const { store, key } = participant;
  if (!store.canLock) return NO_LOCK;
  // Real time, not the injectable token clock: this bounds an actual wait.
  const deadline = performance.now() + participant.lockWaitMs;
  let delay = 20;
  for (;;) {
    const lock = await store.tryLock(key, participant.lockTtlMs);
    if (lock === STORAGE_FAILED) return NO_LOCK;
    if (lock) return { kind: 'held', lock };
    if (reason === 'background' && previous) return { kind: 'adopted', token: previous };
    await new Promise((resolve) => setTimeout(resolve, delay * (0.5 + Math.random())));
    delay = Math.min(delay * 2, 250);
    const stored = await store.read(key);
    if (stored && participant.adoptable(stored, reason, previous)) return { kind: 'adopted', token: stored };
    if (performance.now() >= deadline) return NO_LOCK;
  }
}
