/**
 * Masks near a given mask: the same number of pruned entries, with a few kept and pruned
 * entries exchanged. Random masks are far worse than any method's (chapter 3), so a cloud
 * of them says nothing about the masks methods choose between; the neighbours of the
 * methods' own masks are the competitive end, where the linear and the attention error
 * can disagree about which of two good masks is better.
 */
import type { Rng } from './random.ts';

/** A copy of a 0/1 mask with `swaps` kept entries pruned and as many pruned entries kept back. */
export function swapNeighbour(mask: ArrayLike<number>, swaps: number, rng: Rng): Float64Array {
  const out = Float64Array.from(mask);
  const kept: number[] = [];
  const pruned: number[] = [];
  for (let i = 0; i < out.length; i++) (out[i] === 1 ? kept : pruned).push(i);
  const s = Math.min(swaps, kept.length, pruned.length);
  // Partial Fisher–Yates: the first s of each list become a uniform random choice.
  for (const list of [kept, pruned]) {
    for (let t = 0; t < s; t++) {
      const u = t + Math.floor(rng() * (list.length - t));
      [list[t], list[u]] = [list[u], list[t]];
    }
  }
  for (let t = 0; t < s; t++) {
    out[kept[t]] = 0;
    out[pruned[t]] = 1;
  }
  return out;
}

/**
 * `perMask` neighbours of each mask, the t-th at swap distance 1 + (t mod maxSwaps), so
 * that every distance from one swap up to `maxSwaps` is equally represented.
 */
export function neighbourMasks(
  masks: readonly ArrayLike<number>[],
  perMask: number,
  maxSwaps: number,
  rng: Rng,
): { from: number; swaps: number; mask: Float64Array }[] {
  const out: { from: number; swaps: number; mask: Float64Array }[] = [];
  masks.forEach((m, from) => {
    for (let t = 0; t < perMask; t++) {
      const swaps = 1 + (t % maxSwaps);
      out.push({ from, swaps, mask: swapNeighbour(m, swaps, rng) });
    }
  });
  return out;
}
