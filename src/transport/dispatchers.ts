// The undici dispatchers a transport sends through: a keep-alive Agent (HTTP/2-capable when asked),
// a ProxyAgent, or a router that picks between them per origin from the proxy environment.
import { Agent, type Dispatcher, ProxyAgent } from 'undici';
import { CompositeDispatcher } from './composite-dispatcher';
import { multiplexingFactory } from './multiplexing-pool';
import { UNINHERITED_AGENT_OPTIONS } from './own-options';
import { type NoProxyRule, type ProxyEnvironment, parseNoProxy, proxyFor } from './proxy-from-env';

/** How connections are made, whatever the route. */
export interface ConnectionSettings {
  readonly connections: number;
  /** undici `connect` options: timeout and TLS. */
  readonly connect: Readonly<Record<string, unknown>>;
  /** Offer h2 by ALPN and multiplex an h2 origin's requests over one session. */
  readonly http2: boolean;
}

/** A direct keep-alive Agent. */
export function createAgent(settings: ConnectionSettings): Dispatcher {
  return new Agent({
    ...UNINHERITED_AGENT_OPTIONS,
    connections: settings.connections,
    connect: settings.connect as Agent.Options['connect'],
    ...(settings.http2 ? { allowH2: true, factory: multiplexingFactory } : {}),
  } as unknown as Agent.Options);
}

/**
 * An Agent that tunnels through `uri` (CONNECT for every origin, so credentials for an https
 * origin only travel inside TLS). Credentials in `uri` become the proxy's `Proxy-Authorization`
 * and go to the proxy only.
 */
export function createProxyAgent(uri: string, settings: ConnectionSettings): Dispatcher {
  const requestTls = settings.http2 ? { ...settings.connect, allowH2: true } : settings.connect;
  return new ProxyAgent({
    ...UNINHERITED_AGENT_OPTIONS,
    uri,
    connections: settings.connections,
    requestTls: requestTls as ProxyAgent.Options['requestTls'],
    ...(settings.http2 ? { allowH2: true, factory: multiplexingFactory } : {}),
  } as unknown as ProxyAgent.Options);
}

const ROUTE_CACHE_SIZE = 512;

/**
 * A dispatcher that sends each origin's requests through the proxy the environment names for its
 * scheme, or directly (`NO_PROXY`, or no proxy for that scheme). Decisions are cached per origin;
 * one Agent or ProxyAgent per proxy URL, made on first use.
 */
export class EnvProxyDispatcher extends CompositeDispatcher {
  readonly #environment: ProxyEnvironment;
  readonly #rules: readonly NoProxyRule[];
  readonly #settings: ConnectionSettings;
  readonly #routes = new Map<string, Dispatcher>();
  readonly #dispatchers = new Map<string, Dispatcher>();

  constructor(environment: ProxyEnvironment, settings: ConnectionSettings) {
    super();
    this.#environment = environment;
    this.#rules = parseNoProxy(environment.noProxy);
    this.#settings = settings;
  }

  #route(origin: string): Dispatcher {
    let dispatcher = this.#routes.get(origin);
    if (dispatcher === undefined) {
      const proxy = proxyFor(new URL(origin), this.#environment, this.#rules);
      const key = proxy ?? '';
      dispatcher = this.#dispatchers.get(key);
      if (dispatcher === undefined) {
        dispatcher = proxy ? createProxyAgent(proxy, this.#settings) : createAgent(this.#settings);
        this.#dispatchers.set(key, dispatcher);
      }
      if (this.#routes.size >= ROUTE_CACHE_SIZE) this.#routes.clear();
      this.#routes.set(origin, dispatcher);
    }
    return dispatcher;
  }

  override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    return this.#route(String(options.origin)).dispatch(options, handler);
  }

  protected closeAll(): Promise<unknown> {
    return Promise.all([...this.#dispatchers.values()].map((dispatcher) => dispatcher.close()));
  }

  protected destroyAll(error: Error): Promise<unknown> {
    return Promise.all([...this.#dispatchers.values()].map((dispatcher) => dispatcher.destroy(error)));
  }
}
