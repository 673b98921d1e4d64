// Token identity against real authorization servers: managers that share a serviceName and a
// storage but differ in scope, client, token URL or audience each get their own token; the same
// configuration shares one; `cacheKey` shares on purpose. In memory, through Keyv, and in Redis.
import Redis from 'ioredis';
import Keyv from 'keyv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ClientCredentialsTokenProvider,
  InMemoryTokenStorage,
  type TokenData,
  TokenManager,
  type TokenStorage,
} from '../../src/index';
import { KeyvTokenStorage } from '../../src/keyv';
import { RedisTokenStorage } from '../../src/redis';
import { CLIENT, type OAuthTestServer, SECOND_CLIENT, startOAuthServer } from '../support/oauth-server';
import { type RedisServer, redisAvailable, redisRequired, startRedis } from '../support/redis-server';

const runRedis = redisAvailable || redisRequired;
let oauth: OAuthTestServer;
let otherTenant: OAuthTestServer;
let redisServer: RedisServer | undefined;
let redis: Redis | undefined;
const quiet = { logger: { warn: () => undefined } };
const providers: ClientCredentialsTokenProvider[] = [];

beforeAll(async () => {
  [oauth, otherTenant] = await Promise.all([startOAuthServer(), startOAuthServer()]);
  if (runRedis) {
    redisServer = await startRedis();
    redis = new Redis(redisServer!.url, { maxRetriesPerRequest: 1 });
  }
});
afterAll(async () => {
  await Promise.all(providers.map((p) => p.close()));
  redis?.disconnect();
  await Promise.all([oauth.close(), otherTenant.close(), redisServer?.stop()]);
});

function provider(overrides: Partial<ConstructorParameters<typeof ClientCredentialsTokenProvider>[0]> = {}) {
  const created = new ClientCredentialsTokenProvider({
    tokenUrl: oauth.tokenUrl,
    clientId: CLIENT.id,
    clientSecret: CLIENT.secret,
    serviceName: 'billing',
    maxRetries: 0,
    ...overrides,
  });
  providers.push(created);
  return created;
}

const tokenRequests = () => oauth.counts.total + otherTenant.counts.total;
const issued = (accessToken: string) =>
  [...oauth.issued, ...otherTenant.issued].find((token) => token.accessToken === accessToken);

type StorageCase = readonly [string, () => TokenStorage, boolean];
const storages: StorageCase[] = [
  ['in-memory', () => new InMemoryTokenStorage(), true],
  ['Keyv', () => new KeyvTokenStorage({ keyv: new Keyv({ store: new Map() }) }), true],
  ['Redis', () => new RedisTokenStorage({ client: redis!, keyPrefix: `id-${Math.random()}` }), runRedis],
];

describe.each(storages)('token identity on one %s storage', (_name, makeStorage, enabled) => {
  it.skipIf(!enabled)(
    'same serviceName, different scope / client id / token URL / audience: each manager gets its own token',
    async () => {
      const storage = makeStorage();
      const variants = [
        ['read scope', provider({ scope: 'read' })],
        ['admin scope', provider({ scope: 'admin' })],
        ['other client', provider({ clientId: SECOND_CLIENT.id, clientSecret: SECOND_CLIENT.secret })],
        ['other token URL', provider({ tokenUrl: otherTenant.tokenUrl })],
        ['audience A', provider({ extraParams: { audience: 'https://a.example' } })],
        ['audience B', provider({ extraParams: { audience: 'https://b.example' } })],
      ] as const;
      const before = tokenRequests();
      const managers = variants.map(([, p]) => new TokenManager(p, storage, quiet));
      // One after the other: each later manager finds the earlier ones' tokens in the storage.
      const tokens: TokenData[] = [];
      for (const manager of managers) tokens.push(await manager.getToken());
      expect(new Set(tokens.map((t) => t.accessToken)).size).toBe(variants.length);
      expect(new Set(managers.map((m) => m.cacheKey)).size).toBe(variants.length);
      expect(tokenRequests() - before).toBe(variants.length);
      // What the authorization server issued matches what each manager asked for.
      expect(issued(tokens[0]!.accessToken)).toMatchObject({ scope: ['read'] });
      expect(issued(tokens[1]!.accessToken)).toMatchObject({ scope: ['admin'] });
      expect(issued(tokens[2]!.accessToken)?.client.id).toBe(SECOND_CLIENT.id);
      expect(otherTenant.issued.map((t) => t.accessToken)).toContain(tokens[3]!.accessToken);
      // Asking again: every manager keeps its own token, no new request.
      const again = await Promise.all(managers.map((m) => m.getToken()));
      expect(again.map((t) => t.accessToken)).toEqual(tokens.map((t) => t.accessToken));
      expect(tokenRequests() - before).toBe(variants.length);
    },
  );

  it.skipIf(!enabled)('the same configuration shares one token; cacheKey shares on purpose', async () => {
    const storage = makeStorage();
    const before = tokenRequests();
    const first = new TokenManager(provider({ scope: 'read write' }), storage, quiet);
    const second = new TokenManager(provider({ scope: ['write', 'read'] }), storage, quiet);
    expect(second.cacheKey).toBe(first.cacheKey);
    const token = await first.getToken();
    expect((await second.getToken()).accessToken).toBe(token.accessToken);
    expect(tokenRequests() - before).toBe(1);

    const shared = 'auth_token:billing:on-purpose';
    const a = new TokenManager(provider({ scope: 'read' }), storage, { ...quiet, cacheKey: shared });
    const b = new TokenManager(provider({ scope: 'admin' }), storage, { ...quiet, cacheKey: shared });
    const sharedToken = await a.getToken();
    expect((await b.getToken()).accessToken).toBe(sharedToken.accessToken);
    expect(tokenRequests() - before).toBe(2);
  });
});

describe.skipIf(!runRedis)('the key layout in Redis', () => {
  it('the token lives under <keyPrefix>:auth_token:<serviceName>:<16 hex>', async () => {
    const manager = new TokenManager(
      provider({ scope: 'layout' }),
      new RedisTokenStorage({ client: redis!, keyPrefix: 'layout' }),
      quiet,
    );
    await manager.getToken();
    expect(manager.cacheKey).toMatch(/^auth_token:billing:[0-9a-f]{16}$/);
    expect(await redis!.keys('layout:*')).toEqual([`layout:${manager.cacheKey}`]);
  });
});
