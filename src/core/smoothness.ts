/**
 * A step size the theory allows: an upper bound on the Lipschitz constant of ∇L.
 *
 * L(M) = g(A(M)) + ½λ‖M‖² with the linear map A(M) = X (M∘W) Xᵀ and g the
 * row-wise ½‖softmax(s) − f₀‖². Then
 *   ‖A‖ ≤ max|W| · ‖X‖₂²                      (‖X D Xᵀ‖_F ≤ ‖X‖₂² ‖D‖_F)
 *   ‖∇²g‖ ≤ ‖J‖² + ‖Σₖ cₖ ∇²fₖ‖ ≤ 1/4 + 3·2   (J = diag f − f fᵀ has ‖J‖ ≤ ½;
 *        ∇²(cᵀf) = diag(f∘u) − (f∘u)fᵀ − f(f∘u)ᵀ with u = c − (fᵀc)1, |u| ≤ 2)
 * so ∇L is Lipschitz with constant  β = (25/4) · max|W|² · ‖X‖₂⁴ + λ, and gradient
 * descent with η ≤ 1/β decreases L at every step. The bound is ours (the paper's
 * constant is stated differently); it is safe, not tight: real runs often
 * converge with steps far above it.
 */
import { type Matrix, maxAbs } from './matrix.ts';

/** Largest eigenvalue of XᵀX (= ‖X‖₂²) by power iteration, run to convergence. */
export function spectralNormSquared(X: Matrix): number {
  const { rows: n, cols: d } = X;
  const gram = new Float64Array(d * d);
  for (let t = 0; t < n; t++) {
    for (let a = 0; a < d; a++) {
      const xa = X.data[t * d + a];
      if (xa === 0) continue;
      for (let b = 0; b < d; b++) gram[a * d + b] += xa * X.data[t * d + b];
    }
  }
  let v = new Float64Array(d).fill(1 / Math.sqrt(d));
  let w = new Float64Array(d);
  let lambda = 0;
  for (let iter = 0; iter < 2000; iter++) {
    for (let a = 0; a < d; a++) {
      let s = 0;
      for (let b = 0; b < d; b++) s += gram[a * d + b] * v[b];
      w[a] = s;
    }
    let norm = 0;
    for (let a = 0; a < d; a++) norm += w[a] * w[a];
    norm = Math.sqrt(norm);
    if (norm === 0) return 0;
    for (let a = 0; a < d; a++) w[a] /= norm;
    const converged = Math.abs(norm - lambda) <= 1e-12 * norm;
    lambda = norm;
    [v, w] = [w, v];
    if (converged) break;
  }
  // Power iteration approaches from below; a hair of slack keeps the bound an upper bound.
  return lambda * (1 + 1e-9);
}

/** β, the Lipschitz constant of ∇L that the bound above gives. */
export function gradientLipschitzBound(X: Matrix, W: Matrix, lambda: number): number {
  const w = maxAbs(W);
  const x2 = spectralNormSquared(X);
  return 6.25 * w * w * x2 * x2 + lambda;
}

/** The largest step the bound allows (η ≤ 1/β guarantees monotone decrease). */
export function maxSafeStep(X: Matrix, W: Matrix, lambda: number): number {
  return 1 / gradientLipschitzBound(X, W, lambda);
}
