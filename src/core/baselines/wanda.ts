/**
 * Wanda (Sun et al., 2023; SPEC §4): score S_ij = |W_ij|·‖X_{:,i}‖₂, i.e. weight size
 * times the activation norm of its input feature, compared within each output
 * (column j of W, because Y = XW). No weight update.
 */
import { type Matrix, zeros } from '../matrix.ts';
import { applyMask, maskPruneLowestPerColumn, maskPruneNM } from '../mask.ts';
import type { Problem, PruneOptions, PruneResult } from '../problem.ts';
import { checkBaselineInput } from './magnitude.ts';

/** S_ij = |W_ij| · ‖X_{:,i}‖₂ (d_in × d_out, same shape as W). */
export function wandaScores(problem: Problem): Matrix {
  const { X, W } = problem;
  const din = W.rows;
  const dout = W.cols;
  // Column norms of X in one row-major pass.
  const norms = new Float64Array(din);
  for (let r = 0; r < X.rows; r++) {
    for (let i = 0; i < din; i++) {
      const v = X.data[r * din + i];
      norms[i] += v * v;
    }
  }
  const s = zeros(din, dout);
  for (let i = 0; i < din; i++) {
    const ni = Math.sqrt(norms[i]);
    for (let j = 0; j < dout; j++) s.data[i * dout + j] = Math.abs(W.data[i * dout + j]) * ni;
  }
  return s;
}

/**
 * Unstructured: ⌊p·d_in⌋ pruned in every column, so d_out·⌊p·d_in⌋ in total; this is
 * Wanda's per-output comparison group and can be fewer than the global ⌊p·d²⌋ of the
 * other methods when p·d is not an integer. N:M: the N lowest of each group.
 */
export function wandaPrune(problem: Problem, opts: PruneOptions): PruneResult {
  checkBaselineInput(problem, opts, 'wanda');
  const scores = wandaScores(problem);
  const g = opts.granularity;
  const mask =
    g.kind === 'nm'
      ? maskPruneNM(scores, g.n, g.m)
      : // The same +1e-9 guard as prunedCount in mask.ts, so 0.3·10 counts as 3, not 2.
        maskPruneLowestPerColumn(scores, Math.floor(opts.sparsity * scores.rows + 1e-9));
  return { mask, wPruned: applyMask(mask, problem.W), notes: [] };
}
