import { Dispatcher } from 'undici';

/**
 * A dispatcher made of other dispatchers: subclasses implement `dispatch`, `closeAll` and
 * `destroyAll`; this class gives them undici's promise and callback forms of `close`/`destroy`.
 */
export abstract class CompositeDispatcher extends Dispatcher {
  #closed = false;
  #destroyed = false;

  get closed(): boolean {
    return this.#closed;
  }

  get destroyed(): boolean {
    return this.#destroyed;
  }

  protected abstract closeAll(): Promise<unknown>;
  protected abstract destroyAll(error: Error): Promise<unknown>;

  override close(): Promise<void>;
  override close(callback: () => void): void;
  override close(callback?: () => void): Promise<void> | void {
    this.#closed = true;
    const done = this.closeAll().then(() => undefined);
    if (callback === undefined) return done;
    void done.then(callback, callback);
  }

  override destroy(): Promise<void>;
  override destroy(error: Error | null): Promise<void>;
  override destroy(callback: () => void): void;
  override destroy(error: Error | null, callback: () => void): void;
  override destroy(first?: Error | null | (() => void), second?: () => void): Promise<void> | void {
    const callback = typeof first === 'function' ? first : second;
    const error = typeof first === 'function' || !first ? new Error('The dispatcher was destroyed') : first;
    this.#closed = true;
    this.#destroyed = true;
    const done = this.destroyAll(error).then(() => undefined);
    if (callback === undefined) return done;
    void done.then(callback, callback);
  }
}
