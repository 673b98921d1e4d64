// How each kind of Redis client is recognised and called. The clients here are stand-ins that
// record their calls (the real ones run in test/storage/redis-*.test.ts against redis-server).
import { describe, expect, it } from 'vitest';
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
