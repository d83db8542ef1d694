/**
 * Exhaustive search (SPEC §6): evaluate the attention loss ½‖F(B∘W) − F₀‖² of every
 * binary mask with the required number of pruned entries, to show how close each
 * method's mask comes to the true optimum.
 *
 * Unstructured: every way to choose k of the d² entries. N:M: every way to choose
 * N in each group of M (a product of small combinations). Problems with more than
 * EXHAUSTIVE_LIMIT masks are refused up front rather than left to hang.
 */
import { InputError, NumericalError } from './errors.ts';
import { type Matrix, filled } from './matrix.ts';
import type { Problem } from './problem.ts';
import { type Granularity, prunedCount } from './mask.ts';
import { createObjective } from './objectiveFactory.ts';

export const EXHAUSTIVE_LIMIT = 200_000;

/** C(n, k) as a float (exact while it is below 2^53). */
export function binomial(n: number, k: number): number {
  if (k < 0 || k > n) return 0;
  k = Math.min(k, n - k);
  let c = 1;
  for (let i = 1; i <= k; i++) c = (c * (n - k + i)) / i;
  return Math.round(c);
}

/** Groups of flat indices and how many to prune in each. */
interface Group {
  indices: number[];
  prune: number;
}

function groupsFor(d: number, sparsity: number, granularity: Granularity): Group[] {
  if (granularity.kind === 'unstructured') {
    return [{ indices: Array.from({ length: d * d }, (_, i) => i), prune: prunedCount(d, sparsity) }];
  }
  const { n, m } = granularity;
  if (d % m !== 0) throw new InputError(`bad N:M pattern ${n}:${m}: d = ${d} is not a multiple of M = ${m}`);
  const groups: Group[] = [];
  // Same grouping as maskPruneNM: per column j, rows g..g+m−1.
  for (let j = 0; j < d; j++) {
    for (let g = 0; g < d; g += m) groups.push({ indices: Array.from({ length: m }, (_, t) => (g + t) * d + j), prune: n });
  }
  return groups;
}

/** How many masks the search would visit. */
export function exhaustiveCount(d: number, sparsity: number, granularity: Granularity): number {
  return groupsFor(d, sparsity, granularity).reduce((acc, g) => acc * binomial(g.indices.length, g.prune), 1);
}

export interface ExhaustiveResult {
  /** The smallest attention loss over all masks. */
  optimum: number;
  /** The first mask (in enumeration order) that attains it. */
  mask: Matrix;
  /** Number of masks evaluated. */
  masks: number;
  /** Attention loss of every mask, in enumeration order. */
  losses: Float64Array;
}

export function assertExhaustiveFeasible(d: number, sparsity: number, granularity: Granularity): number {
  const count = exhaustiveCount(d, sparsity, granularity);
  if (count > EXHAUSTIVE_LIMIT) {
    throw new NumericalError(
      `exhaustive search refused: d = ${d} with this sparsity has ${count.toExponential(2)} masks, ` +
        `more than the limit of ${EXHAUSTIVE_LIMIT} (use d = 4, or a sparsity near 0 or 1)`,
    );
  }
  return count;
}

export function exhaustiveSearch(problem: Problem, sparsity: number, granularity: Granularity): ExhaustiveResult {
  const d = problem.W.rows;
  const count = assertExhaustiveFeasible(d, sparsity, granularity);
  const groups = groupsFor(d, sparsity, granularity);
  const objective = createObjective(problem, 0);
  const m = new Float64Array(d * d);
  const losses = new Float64Array(count);
  // One combination state per group: the positions (within the group) that are pruned.
  const combos = groups.map((g) => Array.from({ length: g.prune }, (_, i) => i));
  let best = Infinity;
  let bestMask = new Float64Array(d * d);
  for (let visited = 0; visited < count; visited++) {
    m.fill(1);
    for (let g = 0; g < groups.length; g++) for (const t of combos[g]) m[groups[g].indices[t]] = 0;
    const loss = objective.evaluate(m).attentionLoss;
    losses[visited] = loss;
    if (loss < best) {
      best = loss;
      bestMask = m.slice();
    }
    // Advance the odometer: the last group's combination first.
    for (let g = groups.length - 1; g >= 0; g--) {
      if (nextCombination(combos[g], groups[g].indices.length)) break;
      for (let i = 0; i < combos[g].length; i++) combos[g][i] = i;
    }
  }
  const mask = filled(d, d, 1);
  mask.data.set(bestMask);
  return { optimum: best, mask, masks: count, losses };
}

/** Lexicographic next k-combination of 0..n−1 in place; false when it wraps around. */
function nextCombination(c: number[], n: number): boolean {
  const k = c.length;
  let i = k - 1;
  while (i >= 0 && c[i] === n - k + i) i--;
  if (i < 0) return false;
  c[i]++;
  for (let j = i + 1; j < k; j++) c[j] = c[j - 1] + 1;
  return true;
}

/**
 * Percentile rank of a loss among all masks: the share (in %) of masks that are
 * strictly better. 0 means the method found an optimal mask. A tiny relative
 * tolerance keeps the method's own mask from counting as better than itself.
 */
export function percentileRank(losses: Float64Array, loss: number): number {
  const threshold = loss - 1e-12 * Math.max(1e-300, Math.abs(loss));
  let better = 0;
  for (let i = 0; i < losses.length; i++) if (losses[i] < threshold) better++;
  return (100 * better) / losses.length;
}
