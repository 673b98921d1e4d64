// Reading a node-redis cluster's slot map again, which node-redis does by itself only when a node
// answers MOVED or ASK. The map lives on an internal of node-redis v5 (`_slots.rediscover`), so it
// is found by shape; a client without it (node-redis v4) keeps its own behaviour.
/** How long a cluster command may go unanswered before the slot map is read again. */
export const CLUSTER_STALL_MS = 500;
/** The slot map is read at most this often per cluster client. */
const REFRESH_EVERY_MS = 1_000;

interface NodeClient {
  readonly isReady?: boolean;
  readonly options?: unknown;
}

interface ClusterSlots {
  rediscover(startWith: NodeClient): Promise<void>;
}

interface ClusterInternals {
  readonly isOpen?: boolean;
  readonly _self?: { readonly _slots?: unknown };
  readonly _slots?: unknown;
  readonly masters?: ReadonlyArray<{ readonly client?: NodeClient }>;
}

const refreshes = new WeakMap<object, () => void>();

function slotsOf(cluster: ClusterInternals): ClusterSlots | undefined {
  const slots = cluster._self?._slots ?? cluster._slots;
  if (slots === null || typeof slots !== 'object') return undefined;
  return typeof (slots as Partial<ClusterSlots>).rediscover === 'function'
    ? (slots as ClusterSlots)
    : undefined;
}

/**
 * A function that has the cluster read its slot map again, through a node that answers (or the
 * seed nodes), at most once a second and one read at a time; shared by every storage on the same
 * cluster client. `undefined` when the client has no slot map to refresh.
 */
export function slotMapRefresh(cluster: object): (() => void) | undefined {
  const known = refreshes.get(cluster);
  if (known !== undefined) return known;
  const internals = cluster as ClusterInternals;
  const slots = slotsOf(internals);
  if (slots === undefined) return undefined;
  let last = Number.NEGATIVE_INFINITY;
  let running = false;
  const refresh = () => {
    const now = performance.now();
    // A closed cluster stays closed: reading the map would connect to its nodes again.
    if (running || now - last < REFRESH_EVERY_MS || internals.isOpen !== true) return;
    const masters = internals.masters ?? [];
    // node-redis asks this node first and falls back to the seed nodes when it does not answer.
    const via = masters.find((master) => master.client?.isReady)?.client ?? masters[0]?.client;
    if (via === undefined) return;
    last = now;
    running = true;
    let read: Promise<void>;
    try {
      read = slots.rediscover(via);
    } catch {
      running = false;
      return;
    }
    const done = () => {
      running = false;
    };
    read.then(done, done);
  };
  refreshes.set(cluster, refresh);
  return refresh;
}
