/**
 * One pruning of a small head, everything a reader checks by hand: the pruned weight
 * W′ = M ∘ W, the product XW′, the dense and pruned attention F₀ and F′, and both
 * relative errors. Chapter 3's clickable example and the home page's figure call it on
 * every click or slider step, on the main thread (it is a few hundred multiplications).
 */
import type { Matrix } from './matrix.ts';
import { attention } from './attention.ts';
import { applyMask } from './mask.ts';
import { linearError } from './linear.ts';
import { gemmNN } from './kernels.ts';

export interface EntryPruning {
  wPruned: Matrix;
  /** X W′ (n × d). */
  xw: Matrix;
  f0: Matrix;
  f: Matrix;
  /** ‖XW − XW′‖_F / ‖XW‖_F */
  linearError: number;
  /** ‖F′ − F₀‖_F / ‖F₀‖_F */
  attentionError: number;
}

export function pruneEntries(X: Matrix, W: Matrix, mask: Matrix, causal = false, f0: Matrix = attention(X, W, causal)): EntryPruning {
  const wPruned = applyMask(mask, W);
  const xw: Matrix = { rows: X.rows, cols: W.cols, data: new Float64Array(X.rows * W.cols) };
  gemmNN(X.data, wPruned.data, xw.data, X.rows, X.cols, W.cols);
  const f = attention(X, wPruned, causal);
  let diff = 0;
  let ref = 0;
  for (let i = 0; i < f.data.length; i++) {
    diff += (f.data[i] - f0.data[i]) ** 2;
    ref += f0.data[i] ** 2;
  }
  return { wPruned, xw, f0, f, linearError: linearError(X, W, wPruned), attentionError: Math.sqrt(diff / ref) };
}
