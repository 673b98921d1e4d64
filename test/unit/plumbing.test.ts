// The shared pure plumbing: single flight, step order, option and syntax checks, secret scrubbing.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { atLeastOne, nonNegativeInteger, positiveMs, statusCodes } from '../../src/checks/numbers';
import { hasControlChars, hasForbiddenHeaderChars, isToken, isTokenOrEmpty } from '../../src/checks/syntax';
import { REDACTED } from '../../src/observability/redact-constants';
import { collectStrings, scrubSecrets } from '../../src/observability/scrub';
import { orderSteps, withDependents } from '../../src/pipeline/step-order';
import { SingleFlight, waitAbortable } from '../../src/tokens/single-flight';

describe('SingleFlight', () => {
  it('joins callers of one key, separates keys, and starts anew after settling', async () => {
    const flights = new SingleFlight<string, number>();
    let calls = 0;
    const work = () => new Promise<number>((resolve) => setTimeout(() => resolve(++calls), 5));
    const [a, b, c] = await Promise.all([
      flights.run('x', work),
      flights.run('x', work),
      flights.run('y', work),
    ]);
    expect([a, b]).toEqual([1, 1]);
    expect(c).toBe(2);
    expect(flights.running('x')).toBeUndefined();
    expect(await flights.run('x', work)).toBe(3);
  });

  it('a failed flight is handled even with no one waiting, and the next caller starts a new one', async () => {
    const flights = new SingleFlight<string, number>();
    const failed = flights.run('x', async () => {
      throw new Error('boom');
    });
    await expect(failed).rejects.toThrow('boom');
    expect(await flights.run('x', async () => 7)).toBe(7);
  });

  it('waitAbortable ends one caller’s wait without cancelling the flight', async () => {
    let resolve!: (value: number) => void;
    const flight = new Promise<number>((r) => {
      resolve = r;
    });
    const controller = new AbortController();
    const mine = waitAbortable(flight, controller.signal, () => new Error('aborted'));
    const other = waitAbortable(flight, undefined, () => new Error('never'));
    controller.abort();
    await expect(mine).rejects.toThrow('aborted');
    resolve(1);
    expect(await other).toBe(1);
    await expect(waitAbortable(flight, AbortSignal.abort(), () => new Error('early'))).rejects.toThrow(
      'early',
    );
  });
});

describe('step order', () => {
  const step = (name: string, ...dependsOn: string[]) => ({ name, dependsOn });

  it('runs dependencies first and keeps list order among ready steps', () => {
    const ordering = orderSteps([step('c', 'b'), step('a'), step('b', 'a'), step('d')]);
    expect(ordering.order.map((s) => s.name)).toEqual(['a', 'b', 'c', 'd']);
    expect(ordering.problem).toBeUndefined();
    expect(withDependents('a', ordering)).toEqual(['a', 'b', 'c']);
    expect(withDependents('d', ordering)).toEqual(['d']);
  });

  it('names unknown dependencies and cycles', () => {
    expect(orderSteps([step('a', 'ghost')]).problem?.message).toMatch(/"a" depends on "ghost"/);
    const cycle = orderSteps([step('a', 'b'), step('b', 'a'), step('c')]);
    expect(cycle.problem?.message).toMatch(/"a" → "b" → "a"/);
    expect(cycle.order.map((s) => s.name)).toEqual(['c', 'a', 'b']);
  });

  it('orders any acyclic graph so that every dependency comes first', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.nat(20)), { minLength: 1, maxLength: 20 }), (deps) => {
        // Step i may only depend on steps with a smaller index: acyclic by construction.
        const steps = deps.map((list, i) => step(`s${i}`, ...list.filter((d) => d < i).map((d) => `s${d}`)));
        const { order, problem } = orderSteps([...steps].reverse());
        expect(problem).toBeUndefined();
        const position = new Map(order.map((s, i) => [s.name, i]));
        for (const s of steps)
          for (const d of s.dependsOn) expect(position.get(d)!).toBeLessThan(position.get(s.name)!);
      }),
    );
  });
});

describe('checks', () => {
  it('numbers: a RangeError naming the option, values passed through', () => {
    expect(positiveMs(5, 'timeoutMs')).toBe(5);
    expect(() => positiveMs(0, 'timeoutMs')).toThrow(
      /timeoutMs must be a positive number of milliseconds, got 0/,
    );
    expect(() => positiveMs(Number.NaN, 'x')).toThrow(RangeError);
    expect(() => nonNegativeInteger(1.5, 'maxRetries')).toThrow(/maxRetries/);
    expect(() => atLeastOne(0.5, 'multiplier')).toThrow(/multiplier/);
    expect(() => statusCodes([200, 600], 'codes')).toThrow(/codes/);
    expect([...statusCodes([401, 401, 403], 'codes')]).toEqual([401, 403]);
  });

  it('syntax: tokens, control characters, header breaks', () => {
    expect(isToken('Bearer')).toBe(true);
    expect(isToken('Bear er')).toBe(false);
    expect(isToken('')).toBe(false);
    expect(isTokenOrEmpty('')).toBe(true);
    expect(isToken(42)).toBe(false);
    expect(hasControlChars('a\tb')).toBe(true);
    expect(hasControlChars('a b')).toBe(false);
    expect(hasForbiddenHeaderChars('a\r\nb')).toBe(true);
    expect(hasForbiddenHeaderChars('a\tb')).toBe(false);
  });
});

describe('scrubSecrets', () => {
  it('replaces a secret raw, percent-encoded, form-encoded and JSON-escaped', () => {
    const secret = 's3cr3t value/"quoted"';
    const texts = [
      secret,
      encodeURIComponent(secret),
      encodeURIComponent(secret).replaceAll('%20', '+'),
      JSON.stringify(secret).slice(1, -1),
    ];
    for (const text of texts)
      expect(scrubSecrets(`before ${text} after`, [secret])).toBe(`before ${REDACTED} after`);
  });

  it('never leaves a part of a secret that contains another one, and ignores very short ones', () => {
    expect(scrubSecrets('abcdef', ['abcd', 'abcdef'])).toBe(REDACTED);
    expect(scrubSecrets('a b c', ['b'])).toBe('a b c');
  });

  it('collects every string of nested values', () => {
    expect(collectStrings([{ a: 'x', b: { c: ['y', 1] } }, 'z'])).toEqual(['x', 'y', 'z']);
  });
});
