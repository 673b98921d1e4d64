// What an auth hook sends now, for scrubbing logs written before the credentials are added (the
// request hooks see a request without them). A symbol, not a member of the public `AuthHook`
// type: nothing outside requestforge should be handed credentials by a hook.
import type { AuthHook } from './auth-hook';

/** The key of a hook's method giving the credential headers it sends now, as `[name, value]`. */
export const SENT_CREDENTIALS = Symbol('requestforge.sentCredentials');

/** A hook that can tell which credential headers it sends. */
interface TellsSentCredentials {
  [SENT_CREDENTIALS](): ReadonlyArray<readonly [string, string]>;
}

/** The credential headers `hook` sends now (its recent tokens too); none for a hook that cannot tell. */
export function sentCredentials(hook: AuthHook | undefined): ReadonlyArray<readonly [string, string]> {
  const telling = hook as Partial<TellsSentCredentials> | undefined;
  return typeof telling?.[SENT_CREDENTIALS] === 'function' ? telling[SENT_CREDENTIALS]() : [];
}
