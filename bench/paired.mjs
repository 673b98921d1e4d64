// Paired rounds: each row is measured right before or after its counterpart (alternating), and
// the per-round ratio cancels whatever the machine did at that moment; rows rotate between rounds.
// With `slices`, a round's measurement of a row and of its counterpart is cut into that many
// slices taken in turn (ABBA…), so a slow drift of the machine (another tenant of the host, a
// major GC) lands on both sides instead of on whichever was measured second.
import { median, ratioSummary } from './stats.mjs';

/**
 * Runs `rounds` rounds over `rows`. `measure(name, row, slices, round, slice)` measures one slice
 * of `name` (a row or its counterpart, with the row's settings) and resolves a raw sample;
 * `combine(list)` turns a round's `slices` samples of one name into an object of numbers
 * (default: the one sample as is, for `slices` 1). Returns, per row and per counterpart, the median of each metric
 * over the rounds, and per row the summary of each metric's ratio to its counterpart in the same
 * round.
 */
export async function pairedRounds({
  rounds,
  rows,
  counterpartOf,
  measure,
  onRound,
  slices = 1,
  combine = (list) => list[0],
}) {
  const samples = new Map();
  const ratios = new Map();
  const push = (map, key, value) => {
    if (!map.has(key)) map.set(key, []);
    map.get(key).push(value);
  };
  for (let round = 0; round < rounds; round++) {
    const order = rows.map((_, i) => rows[(i + round) % rows.length]);
    for (const row of order) {
      const counterpart = counterpartOf(row);
      const baseSlices = [];
      const ownSlices = [];
      for (let slice = 0; slice < slices; slice++) {
        // ABBA: the side measured second in one slice goes first in the next.
        const counterpartFirst = (round + slice) % 2 === 0;
        const first = await measure(counterpartFirst ? counterpart : row, row, slices, round, slice);
        const second = await measure(counterpartFirst ? row : counterpart, row, slices, round, slice);
        baseSlices.push(counterpartFirst ? first : second);
        ownSlices.push(counterpartFirst ? second : first);
      }
      const base = combine(baseSlices);
      const own = combine(ownSlices);
      push(samples, counterpart, base);
      push(samples, row, own);
      const perRound = {};
      for (const key of Object.keys(own)) perRound[key] = own[key] / base[key];
      push(ratios, row, perRound);
    }
    onRound?.(round);
  }
  const medians = (list) =>
    Object.fromEntries(Object.keys(list[0]).map((key) => [key, median(list.map((s) => s[key]))]));
  const summaries = (list) =>
    Object.fromEntries(Object.keys(list[0]).map((key) => [key, ratioSummary(list.map((s) => s[key]))]));
  return {
    medians: Object.fromEntries([...samples].map(([name, list]) => [name, medians(list)])),
    ratios: Object.fromEntries([...ratios].map(([name, list]) => [name, summaries(list)])),
  };
}
