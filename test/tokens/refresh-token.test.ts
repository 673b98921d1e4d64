// RefreshTokenProvider against a real OAuth server with single-use (rotating) refresh tokens:
// rotation is followed, persisted through the manager's storage, and a restarted process — a new
// manager on the same storage, and a new Node process on the same Redis — continues with the
// newest refresh token although its configuration still holds the first one.
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AuthenticationException,
  InMemoryTokenStorage,
  PasswordGrantTokenProvider,
  RefreshTokenProvider,
  TokenManager,
} from '../../src/index';
import { CLIENT, type OAuthTestServer, startOAuthServer, USER } from '../support/oauth-server';
import { type RedisServer, startRedis } from '../support/redis-server';

const run = promisify(execFile);
const quiet = { warn: () => undefined };
let oauth: OAuthTestServer;

beforeAll(async () => {
  oauth = await startOAuthServer({ accessTokenLifetime: 60 });
});
afterAll(() => oauth.close());

/** A refresh token the way a service is given one: from a user's login, once. */
async function firstRefreshToken(server: OAuthTestServer): Promise<string> {
  const login = new PasswordGrantTokenProvider({
    tokenUrl: server.tokenUrl,
    clientId: CLIENT.id,
    clientSecret: CLIENT.secret,
    serviceName: 'login',
    ...USER,
  });
  const token = await login.fetchToken();
  await login.close();
  return token.refreshToken!;
}

function refreshProvider(server: OAuthTestServer, refreshToken: string): RefreshTokenProvider {
  return new RefreshTokenProvider({
    tokenUrl: server.tokenUrl,
    clientId: CLIENT.id,
    clientSecret: CLIENT.secret,
    refreshToken,
    serviceName: 'reports',
    maxRetries: 0,
  });
}

describe('RefreshTokenProvider', () => {
  it('follows rotation: every renewal uses the newest refresh token', async () => {
    const provider = refreshProvider(oauth, await firstRefreshToken(oauth));
    const manager = new TokenManager(provider, undefined, { logger: quiet });
    const before = { ...oauth.counts.errors };
    const first = await manager.getToken();
    const second = await manager.forceRefresh();
    const third = await manager.forceRefresh();
    expect(new Set([first.refreshToken, second.refreshToken, third.refreshToken]).size).toBe(3);
    expect(oauth.counts.errors).toEqual(before);
    expect(provider.grantType).toBe('refresh_token');
    await manager.close();
  });

  it('a restarted process (new provider and manager, same storage) uses the stored, newest refresh token', async () => {
    const configured = await firstRefreshToken(oauth);
    let now = Date.now();
    const clock = () => now;
    const storage = new InMemoryTokenStorage({ now: clock });
    const before = oauth.counts.grants.refresh_token ?? 0;
    const process1 = new TokenManager(refreshProvider(oauth, configured), storage, {
      logger: quiet,
      now: clock,
    });
    const used = await process1.getToken(); // rotates the configured token
    await process1.close();
    now += 120_000; // the access token (60 s) has expired: its entry stays for the refresh token
    const process2 = new TokenManager(refreshProvider(oauth, configured), storage, {
      logger: quiet,
      now: clock,
    });
    expect(process2.cacheKey).toBe(process1.cacheKey);
    const token = await process2.getToken();
    expect(token.accessToken).not.toBe(used.accessToken);
    expect(oauth.counts.grants.refresh_token! - before).toBe(2);
    await process2.close();
  });

  it('a refused refresh token is never sent again: configure a new one', async () => {
    const provider = refreshProvider(oauth, 'never-issued-refresh-token');
    const sent = oauth.counts.total;
    const error = (await provider.fetchToken().catch((e: unknown) => e)) as AuthenticationException;
    expect(error).toBeInstanceOf(AuthenticationException);
    expect(error.error).toBe('invalid_grant');
    const again = (await provider.fetchToken().catch((e: unknown) => e)) as AuthenticationException;
    expect(again.message).toContain('was refused by the server (invalid_grant); configure a new one');
    expect(again.retryable).toBe(false);
    expect(oauth.counts.total - sent).toBe(1);
    expect(JSON.stringify(again)).not.toContain('never-issued-refresh-token');
    await provider.close();
  });
});

describe('across a real restart on Redis', () => {
  let redis: RedisServer | undefined;
  let shortLived: OAuthTestServer;
  beforeAll(async () => {
    redis = await startRedis();
    shortLived = await startOAuthServer({ accessTokenLifetime: 1 });
  });
  afterAll(async () => {
    await redis?.stop();
    await shortLived.close();
  });

  const worker = async (refreshToken: string) => {
    const { stdout } = await run(
      process.execPath,
      ['--import', 'tsx', resolve(__dirname, '../support/refresh-worker.ts')],
      {
        env: {
          ...process.env,
          REDIS_URL: redis!.url,
          TOKEN_URL: shortLived.tokenUrl,
          REFRESH_TOKEN: refreshToken,
        },
        timeout: 30_000,
      },
    );
    return JSON.parse(stdout.trim().split('\n').at(-1)!) as {
      accessToken?: string;
      expiresAt?: number;
      ttlMs?: number;
      error?: string;
    };
  };

  it('the next process continues with the rotated refresh token stored in Redis', async (context) => {
    if (!redis) return context.skip();
    const configured = await firstRefreshToken(shortLived);
    const first = await worker(configured);
    expect(first.error).toBeUndefined();
    // The entry outlives its 1-second access token: it holds the refresh token.
    expect(first.ttlMs).toBeGreaterThan(24 * 3600 * 1000);
    const wait = first.expiresAt! - Date.now() + 50;
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const second = await worker(configured); // same configuration: the first refresh token was rotated away
    expect(second.error).toBeUndefined();
    expect(second.accessToken).not.toBe(first.accessToken);
    expect(shortLived.counts.errors).toEqual({});
    expect(shortLived.counts.grants.refresh_token).toBe(2);
  }, 60_000);
});
