import type { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import { HttpClientException } from '../errors/http-client-exception';

/** How long `close()` lets requests in flight finish before their connections are destroyed. */
export const CLOSE_GRACE_MS = 1_000;

/**
 * Counts the exchanges a transport has in flight (a streamed response until its body stream
 * closes), so `close()` can wait for them, but only for a grace period.
 */
export class InFlight {
  #count = 0;
  #onIdle: (() => void) | undefined;

  start(): void {
    this.#count++;
  }

  /** One exchange ended: at its error, its buffered response, or when its streamed body closes. */
  end(stream?: Readable): void {
    if (stream !== undefined && !stream.destroyed) {
      stream.once('close', () => this.end());
      return;
    }
    if (--this.#count === 0) this.#onIdle?.();
  }

  /** Resolves `true` once nothing is in flight, or `false` after `graceMs`. */
  drained(graceMs: number): Promise<boolean> {
    if (this.#count === 0) return Promise.resolve(true);
    return new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => {
        this.#onIdle = undefined;
        resolve(false);
      }, graceMs);
      this.#onIdle = () => {
        clearTimeout(timer);
        this.#onIdle = undefined;
        resolve(true);
      };
    });
  }
}

/**
 * Closes a dispatcher promptly: waits up to `graceMs` for the exchanges in flight, then destroys
 * it, which also ends what is stuck (a CONNECT at a stalled proxy, a socket that never drains).
 * Never `close()` first: undici's `Agent.close()` forgets its pools, so a later `destroy()` could
 * no longer reach a connection that hangs. An idle pool loses nothing by being destroyed.
 */
export async function closePromptly(
  dispatcher: Dispatcher,
  inFlight: InFlight,
  graceMs: number,
): Promise<void> {
  await inFlight.drained(graceMs);
  const reason = new HttpClientException(
    'The client was closed while this request was in flight',
    {},
    'ERR_CLIENT_CLOSED',
  );
  await dispatcher.destroy(reason).catch(() => undefined);
}
