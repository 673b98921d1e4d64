// TokenManager's token-endpoint protection with custom providers and an injected clock.
import { describe, expect, it } from 'vitest';
import {
  AuthenticationException,
  InMemoryTokenStorage,
  TokenData,
  TokenManager,
  type TokenProvider,
} from '../../src/index';

const quiet = { logger: { warn: () => undefined } };

/** A provider that fails while `state.failWith` is set, and counts its calls. */
function scripted(clock: () => number) {
  const state: { calls: number; failWith?: () => Error } = { calls: 0 };
  const answer = async () => {
    state.calls++;
    if (state.failWith) throw state.failWith();
    return new TokenData({
      accessToken: `t${state.calls}`,
      issuedAt: new Date(clock()),
      expiresAt: new Date(clock() + 100_000),
    });
  };
  const provider: TokenProvider = {
    serviceName: 'svc',
    identity: 'svc-identity',
    fetchToken: answer,
    refreshToken: answer,
  };
  return { provider, state };
}

const throttled = (retryAfterMs: number) =>
  new AuthenticationException('429', { serviceName: 'svc', statusCode: 429, retryAfterMs });

describe('while token requests are held back', () => {
  it('forceRefresh() is refused and the current token stays; no background renewal starts', async () => {
    let now = 0;
    const { provider, state } = scripted(() => now);
    const manager = new TokenManager(provider, new InMemoryTokenStorage({ now: () => now }), {
      ...quiet,
      now: () => now,
    });
    const first = await manager.getToken();
    now = 85_000; // refresh-ahead window: a background renewal starts and is throttled
    state.failWith = () => throttled(10_000);
    expect(await manager.getToken()).toBe(first);
    await new Promise((resolve) => setImmediate(resolve));
    expect(state.calls).toBe(2);
    await expect(manager.forceRefresh()).rejects.toMatchObject({ code: 'ERR_TOKEN_ENDPOINT_THROTTLED' });
    expect(await manager.getToken()).toBe(first);
    now = 86_000;
    expect(await manager.getToken()).toBe(first);
    await new Promise((resolve) => setImmediate(resolve));
    expect(state.calls).toBe(2);
    state.failWith = undefined;
    now = 95_001;
    expect((await manager.forceRefresh()).accessToken).toBe('t3');
  });

  it('managers sharing one in-memory storage share a throttle: the second never asks', async () => {
    let now = 0;
    const storage = new InMemoryTokenStorage({ now: () => now });
    const a = scripted(() => now);
    const b = scripted(() => now);
    const managerA = new TokenManager(a.provider, storage, { ...quiet, now: () => now });
    const managerB = new TokenManager(b.provider, storage, { ...quiet, now: () => now });
    a.state.failWith = () => throttled(5_000);
    await expect(managerA.getToken()).rejects.toMatchObject({ retryAfterMs: 5_000 }); // the provider's own error
    const error = (await managerB.getToken().catch((e: unknown) => e)) as AuthenticationException;
    expect(error).toMatchObject({
      code: 'ERR_TOKEN_ENDPOINT_THROTTLED',
      retryAfterMs: 5_000,
      statusCode: 429,
    });
    expect(b.state.calls).toBe(0);
    now = 5_000;
    expect((await managerB.getToken()).accessToken).toBe('t1');
    expect(b.state.calls).toBe(1);
  });

  it('minRefreshIntervalMs: 0 turns the backoff off; options are checked', async () => {
    const { provider, state } = scripted(() => Date.now());
    const manager = new TokenManager(provider, undefined, { ...quiet, minRefreshIntervalMs: 0 });
    state.failWith = () => new Error('down');
    await expect(manager.getToken()).rejects.toBeInstanceOf(AuthenticationException);
    await expect(manager.getToken()).rejects.toMatchObject({ code: 'ERR_AUTHENTICATION' });
    expect(state.calls).toBe(2);
    expect(() => new TokenManager(provider, undefined, { minRefreshIntervalMs: -1 })).toThrow(RangeError);
    expect(() => new TokenManager(provider, undefined, { maxRefreshBackoffMs: Number.NaN })).toThrow(
      /maxRefreshBackoffMs/,
    );
  });
});
