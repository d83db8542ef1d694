/**
 * Magnitude pruning (SPEC §4): prune the k = ⌊p·d²⌋ entries of smallest |W| in the
 * whole matrix, or the N smallest in every N:M group. No weight update.
 */
import { InputError } from '../errors.ts';
import { type Matrix, zeros } from '../matrix.ts';
import { applyMask, maskFromScores } from '../mask.ts';
import type { Problem, PruneOptions, PruneResult } from '../problem.ts';

/**
 * Input checks shared by the linear baselines, so that each one fails with the same
 * one-line message. W may be d_in×d_out (not only square): in factored mode the
 * baselines prune W_Q and W_K (d×d_h) as ordinary linear layers (SPEC §7).
 */
export function checkBaselineInput(problem: Problem, opts: PruneOptions, method: string): void {
  const { X, W } = problem;
  if (X.cols !== W.rows) {
    throw new InputError(`${method}: X is ${X.rows}x${X.cols} but W is ${W.rows}x${W.cols} (need X.cols = W.rows)`);
  }
  const g = opts.granularity;
  if (g.kind === 'unstructured') {
    // N:M ignores `sparsity` (it is N/M), so only unstructured pruning checks it.
    const p = opts.sparsity;
    if (!Number.isFinite(p) || p < 0 || p >= 1) throw new InputError(`${method}: sparsity must be in [0, 1), got ${p}`);
  } else {
    if (!Number.isInteger(g.n) || !Number.isInteger(g.m) || g.n < 1 || g.n >= g.m) {
      throw new InputError(`${method}: bad N:M pattern ${g.n}:${g.m}: need integers 1 <= N < M`);
    }
    if (W.rows % g.m !== 0) {
      throw new InputError(`bad N:M pattern ${g.n}:${g.m}: d = ${W.rows} is not a multiple of M = ${g.m}`);
    }
  }
}

export function magnitudeScores(problem: Problem): Matrix {
  const { W } = problem;
  const s = zeros(W.rows, W.cols);
  for (let i = 0; i < s.data.length; i++) s.data[i] = Math.abs(W.data[i]);
  return s;
}

export function magnitudePrune(problem: Problem, opts: PruneOptions): PruneResult {
  checkBaselineInput(problem, opts, 'magnitude');
  // maskFromScores owns the stable tie rule and the ⌊p·d²⌋ count, shared with every method.
  const mask = maskFromScores(magnitudeScores(problem), opts.sparsity, opts.granularity);
  return { mask, wPruned: applyMask(mask, problem.W), notes: [] };
}
