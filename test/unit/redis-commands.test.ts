// How each kind of Redis client is recognised and called. The clients here are stand-ins that
// record their calls (the real ones run in test/storage/redis-*.test.ts against redis-server).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CLUSTER_STALL_MS } from '../../src/tokens/storage/cluster-slot-map';
import { redisClientKind, redisCommand } from '../../src/tokens/storage/redis-commands';

describe('the Redis command layer', () => {
  it('recognises ioredis, node-redis clients, clusters and Sentinels by their shape', () => {
    expect(redisClientKind({ call: () => undefined, sendCommand: () => undefined })).toBe('ioredis');
    expect(redisClientKind({ sendCommand: () => undefined })).toBe('node-redis');
    expect(redisClientKind({ sendCommand: () => undefined, nodeClient: () => undefined })).toBe(
      'node-redis-cluster',
    );
    expect(redisClientKind({ sendCommand: () => undefined, getSlotMaster: () => undefined })).toBe(
      'node-redis-cluster',
    );
    expect(redisClientKind({ sendCommand: () => undefined, getSentinelNode: () => undefined })).toBe(
      'node-redis-sentinel',
    );
    for (const notAClient of [undefined, null, 'redis://x', {}, { call: 'x' }, { sendCommand: 1 }]) {
      expect(redisClientKind(notAClient)).toBeUndefined();
    }
  });

  it('routes every command by its one key, on the primary, with string arguments for node-redis', async () => {
    const calls: unknown[][] = [];
    const record = (...args: unknown[]) => {
      calls.push(args);
      return Promise.resolve('OK');
    };
    const args = ['EVAL', 'return 1', 1, 'k', 5] as const;
    await redisCommand({ call: record }, 'ioredis')('k', args);
    await redisCommand({ sendCommand: record }, 'node-redis')('k', args);
    await redisCommand({ sendCommand: record, nodeClient: () => undefined }, 'node-redis-cluster')('k', args);
    await redisCommand({ sendCommand: record, getSentinelNode: () => undefined }, 'node-redis-sentinel')(
      'k',
      args,
    );
    expect(calls).toEqual([
      ['EVAL', 'return 1', 1, 'k', 5],
      [['EVAL', 'return 1', '1', 'k', '5']],
      ['k', false, ['EVAL', 'return 1', '1', 'k', '5']],
      [false, ['EVAL', 'return 1', '1', 'k', '5']],
    ]);
  });
});

// A node-redis v5 cluster's slot map (its internal `_slots`), as the storage asks it to be read
// again. The real failover runs in test/storage/redis-cluster.test.ts.
describe('a node-redis cluster command that stalls or fails', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  function cluster(reply: () => Promise<unknown>) {
    const reads: unknown[] = [];
    const ready = { isReady: true, options: { url: 'redis://ready' } };
    const client = {
      isOpen: true,
      sendCommand: reply,
      nodeClient: () => undefined,
      masters: [{ client: { isReady: false, options: { url: 'redis://dead' } } }, { client: ready }],
      _slots: {
        rediscover: (via: unknown) => {
          reads.push(via);
          return Promise.resolve();
        },
      },
    };
    return { client, reads, ready };
  }

  it('reads the slot map again, through a node that answers, once a command goes unanswered', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { client, reads, ready } = cluster(() => new Promise(() => undefined));
    const send = redisCommand(client, 'node-redis-cluster');
    void send('k', ['GET', 'k']);
    vi.advanceTimersByTime(CLUSTER_STALL_MS - 1);
    expect(reads).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(reads).toEqual([ready]);
    // More stalled commands within the second: the one read serves them all.
    void send('k', ['GET', 'k']);
    vi.advanceTimersByTime(CLUSTER_STALL_MS);
    expect(reads).toHaveLength(1);
  });

  it('reads it on a failed command too, and not for commands that are answered', async () => {
    const answered = cluster(() => Promise.resolve('OK'));
    await redisCommand(answered.client, 'node-redis-cluster')('k', ['GET', 'k']);
    const failing = cluster(() => Promise.reject(new Error('Socket closed unexpectedly')));
    await expect(redisCommand(failing.client, 'node-redis-cluster')('k', ['GET', 'k'])).rejects.toThrow(
      'Socket closed',
    );
    expect(answered.reads).toEqual([]);
    expect(failing.reads).toEqual([failing.ready]);
  });

  it('never on a closed cluster (reading the map would connect to its nodes again)', async () => {
    const closed = cluster(() => Promise.reject(new Error('The client is closed')));
    closed.client.isOpen = false;
    await expect(redisCommand(closed.client, 'node-redis-cluster')('k', ['GET', 'k'])).rejects.toThrow(
      'closed',
    );
    expect(closed.reads).toEqual([]);
  });

  it('leaves a cluster without a slot map to read (node-redis v4) as it is', async () => {
    const calls: unknown[] = [];
    const v4 = {
      nodeClient: () => undefined,
      sendCommand: (...args: unknown[]) => {
        calls.push(args);
        return Promise.reject(new Error('down'));
      },
    };
    await expect(redisCommand(v4, 'node-redis-cluster')('k', ['GET', 'k'])).rejects.toThrow('down');
    expect(calls).toEqual([['k', false, ['GET', 'k']]]);
  });
});
