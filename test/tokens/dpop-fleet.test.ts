// DPoP across a fleet: three processes with their own generated keys share one DPoP token
// through an encrypted Redis storage (the key travels with the token, sealed); every request they
// make verifies at the API. An unencrypted shared storage is refused at construction.
import { execFile } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import Redis from 'ioredis';
import { decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ClientCredentialsTokenProvider,
  HttpClient,
  HttpClientConfigBuilder,
  TokenManager,
} from '../../src/index';
import { RedisTokenStorage } from '../../src/redis';
import { DPOP_SECRET, type DpopServers, startDpopServers } from '../support/dpop-servers';
import { captureLogger } from '../support/helpers';
import { type RedisServer, startRedis } from '../support/redis-server';

const run = promisify(execFile);
let redis: RedisServer | undefined;
let servers: DpopServers | undefined;
let issuer: DpopServers['issuer'];
let api: DpopServers['api'];
const clients: Redis[] = [];

beforeAll(async () => {
  redis = await startRedis();
  servers = await startDpopServers();
  ({ issuer, api } = servers);
});
afterAll(async () => {
  for (const client of clients) client.disconnect();
  await servers?.close();
  await redis?.stop();
});

function provider(dpop: ConstructorParameters<typeof ClientCredentialsTokenProvider>[0]['dpop']) {
  return new ClientCredentialsTokenProvider({
    tokenUrl: issuer.tokenUrl,
    clientId: 'svc-dpop',
    clientSecret: DPOP_SECRET,
    serviceName: 'dpop-fleet',
    scope: 'api:read',
    dpop,
  });
}

function redisClient(): Redis {
  const client = new Redis(redis!.url, { maxRetriesPerRequest: 1 });
  clients.push(client);
  return client;
}

describe('DPoP tokens shared through Redis', () => {
  it('three processes with generated keys share one token through an encrypted storage; every proof verifies', async (context) => {
    if (!redis) return context.skip();
    const encryptionKey = randomBytes(32).toString('hex');
    const worker = async () => {
      const { stdout } = await run(
        process.execPath,
        ['--import', 'tsx', resolve(__dirname, '../support/dpop-worker.ts')],
        {
          env: {
            ...process.env,
            REDIS_URL: redis!.url,
            TOKEN_URL: issuer.tokenUrl,
            API_ORIGIN: api.origin,
            ENCRYPTION_KEY: encryptionKey,
            CLIENT_SECRET: DPOP_SECRET,
          },
          timeout: 60_000,
        },
      );
      return JSON.parse(stdout.trim().split('\n').at(-1)!) as {
        statuses?: number[];
        tokenHash?: string;
        error?: string;
      };
    };
    const results = await Promise.all([worker(), worker(), worker()]);
    for (const result of results) {
      expect(result.error).toBeUndefined();
      expect(result.statuses).toEqual([200, 200, 200]);
    }
    // One token for the fleet: one grant issued (its first attempt asked for a nonce).
    expect(new Set(results.map((result) => result.tokenHash)).size).toBe(1);
    expect(issuer.tokenRequests.filter((request) => request.grant === 'client_credentials')).toHaveLength(2);
    // Every proof verified with the token's key (jkt = cnf.jkt), none reused.
    expect(api.proofs.flatMap((proof) => proof.problems)).toEqual([]);
    expect(new Set(api.proofs.map((proof) => proof.jti)).size).toBe(api.proofs.length);
    // The private key is not readable in Redis: the value is sealed.
    const keys = await redisClient().keys('requestforge:*dpop-fleet*');
    const raw = (await redisClient().get(keys.find((key) => !key.endsWith(':lock'))!)) ?? '';
    expect(raw).not.toContain('"d"');
    expect(raw).not.toContain('requestforge_dpop');
  }, 90_000);

  it('an unencrypted shared storage is refused with a generated key, accepted with a configured one', async (context) => {
    if (!redis) return context.skip();
    const plain = new RedisTokenStorage({ client: redisClient() });
    expect(() => new TokenManager(provider(true), plain)).toThrow(TypeError);
    expect(() => new TokenManager(provider(true), plain)).toThrow(/must be encrypted \(encryptionKey\)/);
    const key = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    const manager = new TokenManager(provider({ privateKey: key }), plain);
    const token = await manager.getToken();
    expect(token.tokenType).toBe('DPoP');
    // A second process with the same key adopts it from Redis: no token request.
    const before = issuer.tokenRequests.length;
    const other = new TokenManager(provider({ privateKey: key }), plain);
    expect((await other.getToken()).accessToken).toBe(token.accessToken);
    expect(issuer.tokenRequests.length).toBe(before);
    // The stored form names only the thumbprint: no private key in a plain storage.
    const raw = (await redisClient().get(`requestforge:${manager.cacheKey}`)) ?? '';
    expect(raw).toContain('"jkt"');
    expect(raw).not.toContain('"d"');
    await manager.close();
    await other.close();
  });

  it('a process holding another key does not adopt the stored token (jkt check) and fetches its own', async (context) => {
    if (!redis) return context.skip();
    const storage = new RedisTokenStorage({ client: redisClient() });
    const keyA = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    const keyB = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    const cacheKey = `dpop-jkt-check-${randomBytes(4).toString('hex')}`;
    const a = new TokenManager(provider({ privateKey: keyA }), storage, { cacheKey });
    const logs = captureLogger();
    const b = new TokenManager(provider({ privateKey: keyB }), storage, { cacheKey, logger: logs.logger });
    const tokenA = await a.getToken();
    const tokenB = await b.getToken();
    expect(tokenB.accessToken).not.toBe(tokenA.accessToken);
    expect(logs.lines.join('\n')).toContain('bound to a DPoP key this process does not hold');
    // B's token works with B's proofs.
    const http = new HttpClient(
      new HttpClientConfigBuilder().withBaseUrl(api.origin).withTokenAuth(b).build(),
    );
    api.proofs.length = 0;
    expect((await http.get('/data')).statusCode).toBe(200);
    expect(api.proofs.flatMap((proof) => proof.problems)).toEqual([]);
    expect(decodeProtectedHeader(issuer.tokenRequests.at(-1)!.dpop!).alg).toBe('ES256');
    await http.close();
    await a.close();
  });
});
