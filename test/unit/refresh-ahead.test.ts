// Refresh ahead that adapts to the token endpoint: the schedule (pure) and the manager under a
// steady load of short-lived tokens and a slow endpoint, on fake timers (deterministic).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { TokenData, TokenManager, type TokenProvider } from '../../src/index';
import { RenewalLatency, recentP95, scheduleOf } from '../../src/tokens/freshness';

const T0 = Date.UTC(2030, 0, 1);
const token = (lifetimeMs: number, issuedAt = T0) =>
  new TokenData({
    accessToken: 'a',
    issuedAt: new Date(issuedAt),
    expiresAt: new Date(issuedAt + lifetimeMs),
  });

describe('scheduleOf', () => {
  it('without a known latency: refresh ahead in the last 20 % (leeway 10 %)', () => {
    expect(scheduleOf(token(2_000), { refreshLeewayMs: 30_000 })).toEqual({
      usableUntil: T0 + 1_800,
      refreshFrom: T0 + 1_600,
    });
  });

  it('a slow endpoint opens the window 3 × its p95 before the token stops being served', () => {
    expect(scheduleOf(token(2_000), { refreshLeewayMs: 30_000, renewalLatencyMs: 300 })).toEqual({
      usableUntil: T0 + 1_800,
      refreshFrom: T0 + 900,
    });
  });

  it('never before a quarter of the lifetime, however slow the endpoint', () => {
    expect(scheduleOf(token(2_000), { refreshLeewayMs: 30_000, renewalLatencyMs: 5_000 }).refreshFrom).toBe(
      T0 + 500,
    );
  });

  it('a fast endpoint leaves the default window alone (the earlier start wins)', () => {
    const hour = 3_600_000;
    expect(scheduleOf(token(hour), { refreshLeewayMs: 30_000, renewalLatencyMs: 50 })).toEqual(
      scheduleOf(token(hour), { refreshLeewayMs: 30_000 }),
    );
    expect(scheduleOf(token(hour), { refreshLeewayMs: 30_000, renewalLatencyMs: 200_000 }).refreshFrom).toBe(
      T0 + hour - 30_000 - 600_000,
    );
  });
});

describe('recentP95', () => {
  it('is the nearest-rank 95th percentile, 0 without samples', () => {
    expect(recentP95([])).toBe(0);
    expect(recentP95([300])).toBe(300);
    expect(recentP95(Array.from({ length: 20 }, (_, i) => (i + 1) * 10))).toBe(190);
    expect(recentP95([5, 1000, 5, 5])).toBe(1000);
  });
});

describe('RenewalLatency', () => {
  it('is the p95 of the last 20 token requests: slow ones count until newer ones pushed them out', () => {
    const latency = new RenewalLatency();
    expect(latency.p95).toBe(0);
    latency.record(5_000);
    latency.record(5_000);
    for (let i = 0; i < 18; i++) latency.record(100);
    expect(latency.p95).toBe(5_000); // two of 20 are above the 95th percentile's rank (19th)
    latency.record(100); // the first slow one drops out: one in 20 is an outlier
    expect(latency.p95).toBe(100);
    latency.record(-3); // a clock that stepped back counts as instant, never as negative
    expect(latency.p95).toBe(100);
  });
});

describe('TokenManager: 2 s tokens, a 300 ms endpoint, 500 workers, 10 s', () => {
  afterEach(() => vi.useRealTimers());

  it('no request waits for a renewal, and each renewal is one token request', async () => {
    vi.useFakeTimers({ now: T0 });
    let issued = 0;
    const slow = () =>
      new Promise<TokenData>((resolve) =>
        setTimeout(() => {
          issued++;
          resolve(new TokenData({ accessToken: `t${issued}`, expiresAt: new Date(Date.now() + 2_000) }));
        }, 300),
      );
    const provider: TokenProvider = {
      serviceName: 'slow-endpoint',
      fetchToken: slow,
      refreshToken: slow,
    };
    const manager = new TokenManager(provider, undefined, { logger: { warn: () => undefined } });
    const first = manager.getToken();
    await vi.advanceTimersByTimeAsync(300);
    await first;
    const served = new Set<string>();
    // 500 workers, each sending a request every 10 ms: every request asks for the token at once.
    for (let step = 0; step < 1_000; step++) {
      for (let worker = 0; worker < 500; worker++) {
        const now = manager.peek();
        if (now !== undefined) served.add(now.accessToken);
        else void manager.getToken();
      }
      await vi.advanceTimersByTimeAsync(10);
    }
    const stats = manager.stats;
    expect(stats.waits).toBe(1); // the cold start only
    expect(stats.hits).toBe(500_000);
    // A renewal about every 1.2 s (from 3 × 300 ms before the end of use), each one token request.
    expect(stats.refreshes).toBe(stats.backgroundRefreshes);
    expect(stats.refreshes).toBeGreaterThanOrEqual(7);
    expect(stats.fetches + stats.refreshes).toBe(issued);
    expect(served.size).toBe(issued);
  });
});
