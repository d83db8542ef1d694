/** The linear view's error (SPEC §4): how far X W' is from X W, relative to ‖X W‖. */
import type { Matrix } from './matrix.ts';
import { gemmNN } from './kernels.ts';

export function linearError(X: Matrix, W: Matrix, wPruned: Matrix): number {
  return linearErrorOfLayers(X, [{ W, wPruned }]);
}

/**
 * The same over several layers fed by one X (a factored head's W_Q and W_K):
 * √(Σ ‖X(W′ − W)‖² / Σ ‖XW‖²), from the products themselves. (The Gram form dᵀ(XᵀX)d
 * loses half the digits near an exact fit and can come out negative.)
 */
export function linearErrorOfLayers(X: Matrix, layers: readonly { W: Matrix; wPruned: Matrix }[]): number {
  const { rows: n, cols: d } = X;
  let num = 0;
  let den = 0;
  for (const { W, wPruned } of layers) {
    const diff = new Float64Array(W.data.length);
    for (let i = 0; i < diff.length; i++) diff[i] = W.data[i] - wPruned.data[i];
    const out = new Float64Array(n * W.cols);
    const ref = new Float64Array(n * W.cols);
    gemmNN(X.data, diff, out, n, d, W.cols);
    gemmNN(X.data, W.data, ref, n, d, W.cols);
    for (let i = 0; i < out.length; i++) {
      num += out[i] * out[i];
      den += ref[i] * ref[i];
    }
  }
  // XW = 0: no relative error unless W′ moves the map (then it is unbounded).
  if (den === 0) return num === 0 ? 0 : Number.POSITIVE_INFINITY;
  return Math.sqrt(num / den);
}
