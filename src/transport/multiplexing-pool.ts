// HTTP/2 for one origin with real multiplexing. undici's pool with `allowH2` alone sends one
// request per connection (a client counts as busy after one request) and, on a cold start, opens
// one connection per concurrent request before it knows the protocol. This dispatcher connects
// once, reads the ALPN answer, and then either multiplexes every request over that one session
// (h2) or hands everything to an ordinary pool (the server chose HTTP/1.1).
import type { Socket } from 'node:net';
import { buildConnector, Client, type Dispatcher, Pool } from 'undici';
import { CompositeDispatcher } from './composite-dispatcher';

/** Streams one HTTP/2 session carries at once before requests wait (Node's servers allow 100 by default). */
const STREAMS_PER_SESSION = 100;

type Waiting = [Dispatcher.DispatchOptions, Dispatcher.DispatchHandler];
type ConnectFn = buildConnector.connector;

interface FactoryOptions extends Pool.Options {
  readonly connect?: buildConnector.BuildOptions | ConnectFn;
}

const EVENTS = ['connect', 'disconnect', 'connectionError', 'drain'] as const;

/** The per-origin dispatcher of an Agent in HTTP/2 mode (its `factory`). */
export class MultiplexingPool extends CompositeDispatcher {
  readonly #origin: string;
  readonly #options: FactoryOptions;
  readonly #connect: ConnectFn;
  #mode: 'probe' | 'h2' | 'h1';
  /** The first connection; with h2, the only one. */
  #probe: Client | undefined;
  /** HTTP/1.1 connections, when the server did not choose h2. */
  #pool: Pool | undefined;
  /** Requests that arrived while the first connection was being made. */
  #waiting: Waiting[] = [];
  #lastAlpn: string | undefined;

  constructor(origin: string | URL, options: FactoryOptions) {
    super();
    this.#origin = String(origin);
    this.#options = options;
    const given = options.connect;
    const base: ConnectFn =
      typeof given === 'function' ? given : buildConnector({ ...(given ?? {}), allowH2: true });
    this.#connect = (opts, callback) =>
      base(opts, (error, socket) => {
        if (!error && socket) this.#onConnected(socket);
        (callback as (error: Error | null, socket: Socket | null) => void)(error, socket);
      });
    // Plain-text origins have no ALPN: they are HTTP/1.1 from the start.
    this.#mode = this.#origin.startsWith('https:') ? 'probe' : 'h1';
  }

  override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    if (this.#mode === 'h2') return this.#probe!.dispatch(options, handler);
    if (this.#mode === 'h1') return this.#h1().dispatch(options, handler);
    if (this.#probe === undefined) {
      this.#probe = this.#forward(
        new Client(this.#origin, { ...this.#options, connect: this.#connect, allowH2: true }),
      );
      this.#probe.on('connect', () => this.#settle());
      this.#probe.on('connectionError', (_origin, _targets, error: Error) => this.#probeFailed(error));
      return this.#probe.dispatch(options, handler);
    }
    this.#waiting.push([options, handler]);
    return true;
  }

  #onConnected(socket: Socket): void {
    this.#lastAlpn = (socket as Socket & { alpnProtocol?: string | false }).alpnProtocol || undefined;
    // A reconnect of the h2 session that came back as HTTP/1.1: never pipeline on it.
    if (this.#mode === 'h2' && this.#lastAlpn !== 'h2' && this.#probe) this.#probe.pipelining = 1;
  }

  /** The first connection is up: choose the mode and release the waiting requests. */
  #settle(): void {
    if (this.#mode !== 'probe') return;
    if (this.#lastAlpn === 'h2') {
      this.#mode = 'h2';
      this.#probe!.pipelining = STREAMS_PER_SESSION;
    } else {
      this.#mode = 'h1';
      // The probe finishes its one request, then closes; the pool carries everything else.
      void this.#probe!.close().catch(() => undefined);
      this.#probe = undefined;
    }
    this.#flush();
  }

  /** The first connection failed: every request that waited for it fails the same way. */
  #probeFailed(error: Error): void {
    if (this.#mode !== 'probe') return;
    const probe = this.#probe;
    this.#probe = undefined;
    void probe?.destroy().catch(() => undefined);
    const waiting = this.#waiting;
    this.#waiting = [];
    for (const [, handler] of waiting) handler.onError?.(error);
  }

  #flush(): void {
    const waiting = this.#waiting;
    this.#waiting = [];
    for (const [options, handler] of waiting) this.dispatch(options, handler);
  }

  #h1(): Pool {
    this.#pool ??= this.#forward(new Pool(this.#origin, this.#options as Pool.Options));
    return this.#pool;
  }

  /** Re-emits a child's events as this dispatcher's (the Agent counts connections with them). */
  #forward<T extends Client | Pool>(child: T): T {
    for (const event of EVENTS) {
      (child as unknown as NodeJS.EventEmitter).on(
        event,
        (origin: URL, targets: Dispatcher[], error?: Error) =>
          (this as unknown as NodeJS.EventEmitter).emit(event, origin, [this, ...targets], error),
      );
    }
    return child;
  }

  #children(): Array<Client | Pool> {
    return [this.#probe, this.#pool].filter((child): child is Client | Pool => child !== undefined);
  }

  protected closeAll(): Promise<unknown> {
    const open = this.#children().filter((child) => !child.closed && !child.destroyed);
    return Promise.all(open.map((child) => child.close().catch(() => undefined)));
  }

  protected destroyAll(error: Error): Promise<unknown> {
    const waiting = this.#waiting;
    this.#waiting = [];
    for (const [, handler] of waiting) handler.onError?.(error);
    const live = this.#children().filter((child) => !child.destroyed);
    return Promise.all(live.map((child) => child.destroy(error).catch(() => undefined)));
  }
}

/** An undici Agent `factory` that gives every origin a {@link MultiplexingPool}. */
export function multiplexingFactory(origin: string | URL, options: object): Dispatcher {
  return new MultiplexingPool(origin, options as FactoryOptions);
}
