import { inspect } from 'node:util';
import Keyv from 'keyv';
import { describe, expect, it } from 'vitest';
import { KeyvTokenStorage } from '../../src/keyv';
import { RedisTokenStorage } from '../../src/redis';
import { EncryptionKeys } from '../../src/tokens/storage/token-cipher';

const keys = [Buffer.alloc(32, 0xab), Buffer.alloc(32, 0xcd)];
const spellings = keys.flatMap((k) => [k.toString('hex'), k.toString('base64'), k.toString('base64url')]);

function expectClean(value: unknown) {
  for (const text of [
    inspect(value, { depth: 10, showHidden: true }),
    JSON.stringify(value),
    String(value),
  ]) {
    for (const spelling of spellings) expect(text).not.toContain(spelling);
  }
}

describe('encryption keys never appear when printed', () => {
  it('the key ring and the storages that hold it', () => {
    const ring = EncryptionKeys.from(keys, 'S');
    expectClean(ring);
    expect(JSON.stringify(ring)).toBe('{"type":"EncryptionKeys","keys":2}');
    const redis = new RedisTokenStorage({ client: { call: async () => null }, encryptionKey: keys });
    expectClean(redis);
    const keyv = new KeyvTokenStorage({
      keyv: new Keyv(),
      encryptionKey: keys.map((k) => k.toString('hex')),
    });
    expectClean(keyv);
    expect(JSON.stringify(keyv)).toBe(
      '{"type":"KeyvTokenStorage","keyPrefix":"requestforge","encrypted":true}',
    );
  });

  it('a bad key is refused without echoing it', () => {
    const almost = Buffer.alloc(31, 0xab).toString('hex');
    let message = '';
    try {
      EncryptionKeys.from([keys[0]!, almost], 'S');
    } catch (error) {
      message = String(error);
    }
    expect(message).toMatch(/encryptionKey\[1\]/);
    expect(message).not.toContain(almost);
  });
});
