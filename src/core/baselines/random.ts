/**
 * The level of chance: a seeded uniform mask with exactly the count (or the N:M pattern)
 * every other method prunes. Drawing i.i.d. uniform scores and pruning the lowest with
 * the shared rule gives a uniformly random subset of the right size in each comparison
 * group. The same seed gives the same mask, so a table row of "random" is reproducible.
 */
import { type Matrix, zeros } from '../matrix.ts';
import { applyMask, maskFromScores } from '../mask.ts';
import { mulberry32 } from '../random.ts';
import type { Problem, PruneOptions, PruneResult } from '../problem.ts';
import { checkBaselineInput } from './magnitude.ts';

export function randomScores(rows: number, cols: number, seed: number): Matrix {
  const rng = mulberry32(seed);
  const s = zeros(rows, cols);
  for (let i = 0; i < s.data.length; i++) s.data[i] = rng();
  return s;
}

export function randomPrune(problem: Problem, opts: PruneOptions & { seed?: number }): PruneResult {
  checkBaselineInput(problem, opts, 'random');
  const seed = opts.seed ?? 1;
  const mask = maskFromScores(randomScores(problem.W.rows, problem.W.cols, seed), opts.sparsity, opts.granularity);
  return { mask, wPruned: applyMask(mask, problem.W), notes: [`a uniformly random mask (seed ${seed}), the level of chance`] };
}
