/**
 * The gradient exercise's answer and its worked solution. The answer a reader is judged
 * against is the core's closed-form gradient (AttentionObjective.evaluate, the code the
 * solvers run). The worked solution spells out the intermediate matrices of chapter 4's
 * derivation, each computed with the core's attention and matrix routines, and ends in
 * the same gradient (the unit tests hold the two to 1e-12).
 */
import { AttentionObjective } from '../core/objective.ts';
import { attention, logits } from '../core/attention.ts';
import { type Matrix, fromNested, hadamard, matmul, transpose, zeros } from '../core/matrix.ts';
import type { GradientProblem } from './presets.ts';

/** ∇L(M) by the core's closed form (row-major d×d), and the same with λ = 0. */
export function closedFormGradient(p: GradientProblem): { gradient: Float64Array; withoutRegulariser: Float64Array; loss: number } {
  const X = fromNested(p.X, 'X');
  const W = fromNested(p.W, 'W');
  const m = fromNested(p.M, 'M').data;
  const gradient = new Float64Array(m.length);
  const withoutRegulariser = new Float64Array(m.length);
  const { loss } = new AttentionObjective(X, W, { lambda: p.lambda }).evaluate(m, gradient);
  new AttentionObjective(X, W, { lambda: 0 }).evaluate(m, withoutRegulariser);
  return { gradient, withoutRegulariser, loss };
}

/** Every intermediate of the derivation, in the order chapter 4 introduces them. */
export interface GradientSteps {
  /** A = M ∘ W */
  A: Matrix;
  /** S = X A Xᵀ, and the dense logits S₀ = X W Xᵀ */
  S: Matrix;
  S0: Matrix;
  /** F = Softmax(S), F₀ = Softmax(S₀) */
  F: Matrix;
  F0: Matrix;
  /** C = F − F₀ */
  C: Matrix;
  /** P = F ∘ C − diag(rowsum(F ∘ C)) F */
  P: Matrix;
  /** G = Xᵀ P X */
  G: Matrix;
  /** W ∘ G, the attention term's gradient */
  WG: Matrix;
  /** λ M */
  regulariser: Matrix;
  /** ∇L(M) = W ∘ G + λ M */
  gradient: Matrix;
}

export function gradientSteps(p: GradientProblem): GradientSteps {
  const X = fromNested(p.X, 'X');
  const W = fromNested(p.W, 'W');
  const M = fromNested(p.M, 'M');
  const A = hadamard(M, W);
  const F = attention(X, A);
  const F0 = attention(X, W);
  const C = zeros(F.rows, F.cols);
  for (let i = 0; i < C.data.length; i++) C.data[i] = F.data[i] - F0.data[i];
  const FC = hadamard(F, C);
  const P = zeros(F.rows, F.cols);
  for (let a = 0; a < F.rows; a++) {
    let rowSum = 0;
    for (let b = 0; b < F.cols; b++) rowSum += FC.data[a * F.cols + b];
    for (let b = 0; b < F.cols; b++) P.data[a * F.cols + b] = FC.data[a * F.cols + b] - rowSum * F.data[a * F.cols + b];
  }
  const G = matmul(transpose(X), matmul(P, X));
  const WG = hadamard(W, G);
  const regulariser = zeros(M.rows, M.cols);
  for (let i = 0; i < M.data.length; i++) regulariser.data[i] = p.lambda * M.data[i];
  const gradient = zeros(M.rows, M.cols);
  for (let i = 0; i < M.data.length; i++) gradient.data[i] = WG.data[i] + regulariser.data[i];
  return { A, S: logits(X, A), S0: logits(X, W), F, F0, C, P, G, WG, regulariser, gradient };
}
