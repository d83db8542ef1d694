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
import { spectralNormSquared } from './linalg.ts';

/** β, the Lipschitz constant of ∇L that the bound above gives. */
export function gradientLipschitzBound(X: Matrix, W: Matrix, lambda: number): number {
  const w = maxAbs(W);
  // Power iteration approaches ‖X‖₂² from below; a hair of slack keeps β an upper bound.
  const x2 = spectralNormSquared(X) * (1 + 1e-9);
  return 6.25 * w * w * x2 * x2 + lambda;
}

/** The largest step the bound allows (η ≤ 1/β guarantees monotone decrease). */
export function maxSafeStep(X: Matrix, W: Matrix, lambda: number): number {
  return 1 / gradientLipschitzBound(X, W, lambda);
}
