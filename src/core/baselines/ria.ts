/**
 * RIA, Relative Importance and Activations (Zhang et al., "Plug-and-Play", ICLR 2024):
 * a training-free linear baseline. Each weight's size is taken relative to the total of
 * its input channel and of its output channel, and scaled by the activation norm of its
 * input feature to the power a = ½ (the official code's default `--a 0.5`):
 *
 *   S_ij = ( |W_ij| / Σ_j' |W_ij'|  +  |W_ij| / Σ_i' |W_i'j| ) · ‖X_{:,i}‖₂^½
 *
 * Our W maps inputs to outputs (Y = XW, row i = input feature i, column j = output j);
 * the official code's torch weight is its transpose, so its `sum(dim=0)` (over outputs,
 * for each input) is our row sum and its `sum(dim=1)` our column sum. The official
 * activation factor is (√(‖X_i‖²/N))^a; the 1/N is the same for every entry of a
 * layer and does not change the order.
 *
 * Comparison groups as in the official default (no `--per_outneuron`): the whole matrix
 * for unstructured pruning (exactly ⌊p·d²⌋ pruned by the shared stable rule, where the
 * official `<= threshold` prunes one more), and N of every M consecutive inputs of each
 * output for N:M. The official channel reallocation and linear-sum-assignment options
 * for N:M are not ported (they are off by default there too). No weight update.
 */
import { type Matrix, zeros } from '../matrix.ts';
import { applyMask, maskFromScores } from '../mask.ts';
import type { Problem, PruneOptions, PruneResult } from '../problem.ts';
import { inputNorms } from '../binarise.ts';
import { checkBaselineInput } from './magnitude.ts';

/** The official code's exponent of the activation norm. */
export const RIA_ACTIVATION_POWER = 0.5;

export function riaScores(problem: Problem): Matrix {
  const { X, W } = problem;
  const din = W.rows;
  const dout = W.cols;
  const rowSum = new Float64Array(din);
  const colSum = new Float64Array(dout);
  for (let i = 0; i < din; i++)
    for (let j = 0; j < dout; j++) {
      const a = Math.abs(W.data[i * dout + j]);
      rowSum[i] += a;
      colSum[j] += a;
    }
  const norms = inputNorms(X);
  const s = zeros(din, dout);
  for (let i = 0; i < din; i++) {
    const act = norms[i] ** RIA_ACTIVATION_POWER;
    for (let j = 0; j < dout; j++) {
      const a = Math.abs(W.data[i * dout + j]);
      // A channel whose weights are all 0 contributes 0, not 0/0.
      const relative = (rowSum[i] > 0 ? a / rowSum[i] : 0) + (colSum[j] > 0 ? a / colSum[j] : 0);
      s.data[i * dout + j] = relative * act;
    }
  }
  return s;
}

export function riaPrune(problem: Problem, opts: PruneOptions): PruneResult {
  checkBaselineInput(problem, opts, 'ria');
  const mask = maskFromScores(riaScores(problem), opts.sparsity, opts.granularity);
  return { mask, wPruned: applyMask(mask, problem.W), notes: [] };
}
