/** The linear view's error (SPEC §4): how far X W' is from X W, relative to ‖X W‖. */
import type { Matrix } from './matrix.ts';
import { gemmNN } from './kernels.ts';

export function linearError(X: Matrix, W: Matrix, wPruned: Matrix): number {
  const { rows: n, cols: d } = X;
  const diff = new Float64Array(W.data.length);
  for (let i = 0; i < diff.length; i++) diff[i] = W.data[i] - wPruned.data[i];
  const out = new Float64Array(n * W.cols);
  const ref = new Float64Array(n * W.cols);
  gemmNN(X.data, diff, out, n, d, W.cols);
  gemmNN(X.data, W.data, ref, n, d, W.cols);
  let num = 0;
  let den = 0;
  for (let i = 0; i < out.length; i++) {
    num += out[i] * out[i];
    den += ref[i] * ref[i];
  }
  // XW = 0: no relative error unless W′ moves the map (then it is unbounded).
  if (den === 0) return num === 0 ? 0 : Number.POSITIVE_INFINITY;
  return Math.sqrt(num / den);
}
