import { randomBytes } from 'node:crypto';
import Keyv from 'keyv';
import { describe, expect, it } from 'vitest';
import { TokenData, TokenManager, type TokenProvider } from '../../src/index';
import { KeyvTokenStorage } from '../../src/keyv';
import { keyId } from '../../src/tokens/storage/token-cipher';

describe('KeyvTokenStorage', () => {
  it('round-trips tokens under its prefix with a TTL from expiresAt', async () => {
    const map = new Map<string, unknown>();
    const keyv = new Keyv({ store: map });
    const storage = new KeyvTokenStorage({ keyv, keyPrefix: 'api_tokens' });
    const token = new TokenData({
      accessToken: 'k1',
      refreshToken: 'r',
      expiresAt: new Date(Date.now() + 60_000),
    });
    await storage.set('auth_token:svc', token);
    expect(await storage.exists('auth_token:svc')).toBe(true);
    expect((await storage.get('auth_token:svc'))?.toJSON()).toEqual(token.toJSON());
    expect([...map.keys()].some((key) => key.includes('api_tokens:auth_token:svc'))).toBe(true);
    await storage.delete('auth_token:svc');
    expect(await storage.get('auth_token:svc')).toBeUndefined();
  });

  it('entries expire with their token; expired and garbage values are misses', async () => {
    const keyv = new Keyv();
    const storage = new KeyvTokenStorage({ keyv });
    await storage.set('short', new TokenData({ accessToken: 's', expiresAt: new Date(Date.now() + 50) }));
    expect(await storage.get('short')).toBeDefined();
    await new Promise((r) => setTimeout(r, 80));
    expect(await storage.get('short')).toBeUndefined();
    await storage.set('past', new TokenData({ accessToken: 'p', expiresAt: new Date(Date.now() - 1) }));
    expect(await keyv.get('requestforge:past')).toBeUndefined();
    await keyv.set('requestforge:garbage', 'not a token');
    expect(await storage.get('garbage')).toBeUndefined();
  });

  it('an entry that holds a refresh token outlives its access token (refresh_expires_in, else the retention)', async () => {
    const keyv = new Keyv();
    const storage = new KeyvTokenStorage({ keyv });
    const expired = new Date(Date.now() - 1000);
    const issuedAt = new Date(Date.now() - 2000);
    await storage.set(
      'kept',
      new TokenData({ accessToken: 'a', refreshToken: 'r', issuedAt, expiresAt: expired }),
    );
    expect((await storage.get('kept'))?.refreshToken).toBe('r');
    const bounded = { refresh_expires_in: 1 }; // the refresh token itself died a second after issue
    await storage.set(
      'dead',
      new TokenData({ accessToken: 'a', refreshToken: 'r', issuedAt, expiresAt: expired, extra: bounded }),
    );
    expect(await keyv.get('requestforge:dead')).toBeUndefined();
  });

  it("two managers sharing one Keyv store: the second uses the first one's token", async () => {
    let calls = 0;
    const provider: TokenProvider = {
      serviceName: 'keyv-svc',
      fetchToken: async () =>
        new TokenData({ accessToken: `kv-${++calls}`, expiresAt: new Date(Date.now() + 3600_000) }),
      refreshToken: async () => provider.fetchToken(),
    };
    const keyv = new Keyv();
    const a = new TokenManager(provider, new KeyvTokenStorage({ keyv }));
    const b = new TokenManager(provider, new KeyvTokenStorage({ keyv }));
    expect((await a.getToken()).accessToken).toBe('kv-1');
    expect((await b.getToken()).accessToken).toBe('kv-1');
    expect(calls).toBe(1);
  });

  it('refuses something that is not Keyv', () => {
    expect(() => new KeyvTokenStorage({ keyv: {} as never })).toThrow(/Keyv instance/);
  });

  it('encryptionKey: the raw Keyv value holds no token, only AES-256-GCM ciphertext bound to its key', async () => {
    const map = new Map<string, unknown>();
    const keyv = new Keyv({ store: map });
    const key = randomBytes(32);
    const storage = new KeyvTokenStorage({ keyv, encryptionKey: key });
    await storage.set(
      'auth_token:svc',
      new TokenData({
        accessToken: 'very-secret-access',
        refreshToken: 'very-secret-refresh',
        scope: 'read',
        expiresAt: new Date(Date.now() + 60_000),
      }),
    );
    const raw = String(await keyv.get('requestforge:auth_token:svc'));
    expect(JSON.stringify([...map.values()])).not.toMatch(/very-secret|read/);
    expect(JSON.parse(raw)).toEqual({ v: 1, kid: keyId(key), sealed: expect.any(String) });
    const back = await storage.get('auth_token:svc');
    expect(back?.accessToken).toBe('very-secret-access');
    expect(back?.refreshToken).toBe('very-secret-refresh');
    // The same key spelt in hex or base64 reads it; another key, no key, a moved or tampered value do not.
    expect(
      await new KeyvTokenStorage({ keyv, encryptionKey: key.toString('hex') }).get('auth_token:svc'),
    ).toBeDefined();
    expect(
      await new KeyvTokenStorage({ keyv, encryptionKey: key.toString('base64') }).get('auth_token:svc'),
    ).toBeDefined();
    expect(
      await new KeyvTokenStorage({ keyv, encryptionKey: randomBytes(32) }).get('auth_token:svc'),
    ).toBeUndefined();
    expect(await new KeyvTokenStorage({ keyv }).get('auth_token:svc')).toBeUndefined();
    await keyv.set('requestforge:moved', raw);
    expect(await storage.get('moved')).toBeUndefined();
    const envelope = JSON.parse(raw);
    await keyv.set(
      'requestforge:tampered',
      JSON.stringify({ ...envelope, sealed: `AAAA${envelope.sealed.slice(4)}` }),
    );
    expect(await storage.get('tampered')).toBeUndefined();
    // An encrypting storage never accepts a plaintext token (no downgrade by whoever can write the cache).
    await new KeyvTokenStorage({ keyv }).set('plain', new TokenData({ accessToken: 'planted' }));
    expect(await storage.get('plain')).toBeUndefined();
    expect(await storage.exists('plain')).toBe(false);
  });

  it('encryptionKey rotation: [current, ...previous] writes with the first key and reads with any', async () => {
    const keyv = new Keyv();
    const [oldKey, newKey] = [randomBytes(32), randomBytes(32)];
    const at = (encryptionKey: Buffer | Buffer[]) => new KeyvTokenStorage({ keyv, encryptionKey });
    const token = (name: string) =>
      new TokenData({ accessToken: name, expiresAt: new Date(Date.now() + 60_000) });
    await at(oldKey).set('k', token('written-with-old'));
    // Deploy 1: the new key is known, the old one still writes.
    expect((await at([oldKey, newKey]).get('k'))?.accessToken).toBe('written-with-old');
    await at([oldKey, newKey]).set('k', token('still-old'));
    expect((await at(oldKey).get('k'))?.accessToken).toBe('still-old');
    // Deploy 2: the new key writes; values sealed with the old one are still read.
    expect((await at([newKey, oldKey]).get('k'))?.accessToken).toBe('still-old');
    await at([newKey, oldKey]).set('k', token('written-with-new'));
    expect(JSON.parse(String(await keyv.get('requestforge:k'))).kid).toBe(keyId(newKey));
    expect((await at([oldKey, newKey]).get('k'))?.accessToken).toBe('written-with-new');
    expect((await at(newKey).get('k'))?.accessToken).toBe('written-with-new');
    expect(await at(oldKey).get('k')).toBeUndefined();
  });

  it('refuses a bad encryptionKey with a TypeError naming it', () => {
    const keyv = new Keyv();
    expect(() => new KeyvTokenStorage({ keyv, encryptionKey: Buffer.alloc(16) })).toThrow(
      'KeyvTokenStorage: encryptionKey must be exactly 32 bytes (AES-256)',
    );
    expect(() => new KeyvTokenStorage({ keyv, encryptionKey: [] })).toThrow(/non-empty list/);
    expect(() => new KeyvTokenStorage({ keyv, encryptionKey: [randomBytes(32), 'short'] })).toThrow(
      /encryptionKey\[1\]/,
    );
    expect(() => new KeyvTokenStorage({ keyv, encryptionKeys: 'x' } as never)).toThrow(
      /unknown option "encryptionKeys"/,
    );
  });
});
