import Keyv from 'keyv';
import { describe, expect, it } from 'vitest';
import { TokenData, TokenManager, type TokenProvider } from '../../src/index';
import { KeyvTokenStorage } from '../../src/keyv';

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
});
