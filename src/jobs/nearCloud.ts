/**
 * Chapter 3's cloud at the competitive end: masks a few swaps away from each method's
 * mask, placed by linear error and attention error. The same function feeds the
 * widget (through the worker's scatter job) and the chapter's build-time numbers, so
 * the prose describes exactly the cloud the reader sees.
 */
import type { Problem } from '../core/problem.ts';
import { type MethodId, updatesWeights } from '../core/methods.ts';
import { linearError } from '../core/linear.ts';
import { compareAttention } from '../core/attention.ts';
import { applyMask } from '../core/mask.ts';
import { mulberry32, subSeed } from '../core/random.ts';
import { neighbourMasks } from '../core/maskNeighbourhood.ts';
import { spearman } from '../core/stats.ts';

/** Neighbours differ from their method's mask by 1 to this many exchanged entries. */
export const MAX_SWAPS = 4;

export interface NearPoint {
  /** The method whose mask this neighbour was drawn around. */
  from: MethodId;
  swaps: number;
  linear: number;
  attention: number;
  /**
   * True when the two errors judge this neighbour against its method's mask (with the
   * original weights, as the neighbour keeps them) in opposite directions: better by
   * one, worse by the other.
   */
  disagrees: boolean;
}

export interface CentreMask {
  method: MethodId;
  mask: ArrayLike<number>;
}

/**
 * The masks the cloud is drawn around: those of the methods that only mask W. A method
 * that also changes the kept weights (SparseGPT, the refits) has errors its mask alone
 * does not have, so masks "near" it would sit far from its own mark.
 */
export function cloudCentres<M extends CentreMask>(methods: readonly M[]): M[] {
  return methods.filter((m) => !updatesWeights(m.method));
}

/** Both errors of W with a 0/1 mask applied (no weight update). */
export function maskErrors(problem: Problem, mask: ArrayLike<number>): { linear: number; attention: number } {
  const { W } = problem;
  const w = applyMask({ rows: W.rows, cols: W.cols, data: Float64Array.from(mask) }, W);
  return { linear: linearError(problem.X, W, w), attention: compareAttention(problem, w).attentionError };
}

/**
 * `perMethod` neighbours of every centre mask. Each method's neighbours come from their
 * own stream of `seed`, so adding or removing a method leaves the others' unchanged.
 */
export function nearCloud(problem: Problem, centres: readonly CentreMask[], o: { perMethod: number; seed: number }): NearPoint[] {
  const out: NearPoint[] = [];
  for (const c of centres) {
    const centre = maskErrors(problem, c.mask);
    const rng = mulberry32(subSeed(o.seed, `near:${c.method}`));
    for (const n of neighbourMasks([c.mask], o.perMethod, MAX_SWAPS, rng)) {
      const e = maskErrors(problem, n.mask);
      const dl = e.linear - centre.linear;
      const da = e.attention - centre.attention;
      out.push({ from: c.method, swaps: n.swaps, ...e, disagrees: dl * da < 0 });
    }
  }
  return out;
}

/** How well the two errors agree over a set of masks: rank correlation and share of pairs ordered oppositely. */
export function agreement(linear: readonly number[], attention: readonly number[]): { spearman: number; discordant: number; pairs: number } {
  let discordant = 0;
  let pairs = 0;
  for (let i = 0; i < linear.length; i++) {
    for (let j = i + 1; j < linear.length; j++) {
      const s = Math.sign(linear[i] - linear[j]) * Math.sign(attention[i] - attention[j]);
      if (s === 0) continue;
      pairs++;
      if (s < 0) discordant++;
    }
  }
  return { spearman: spearman(linear, attention), discordant: pairs > 0 ? discordant / pairs : Number.NaN, pairs };
}
