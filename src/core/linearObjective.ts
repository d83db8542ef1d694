/**
 * The linear objective of SparseGPT and Wanda, ½‖X W − X W′‖²_F, as the controls of the
 * fair fight need it (SPEC §9):
 *
 *  - as a function of a binary (or real) mask B on one or more weight matrices stored in
 *    one vector (merged: W; factored: [W_Q ; W_K]), for the linear swap search, the
 *    attention swap search's twin:
 *
 *      L_lin(B) = ½ Σ_blocks ‖X ((B − 1) ∘ W)‖²_F = ½ Σ_j d_jᵀ H d_j,   H = XᵀX,
 *      ∂L_lin/∂B = W ∘ (H D),   D = (B − 1) ∘ W;
 *
 *  - as the linear refit: with the support fixed, each output column's kept weights solve
 *    the least-squares problem min ‖X_{:,S} w − X W_{:,j}‖, i.e. H_SS w = (H W_{:,j})_S
 *    (exact, by Cholesky; the refit a SparseGPT user would expect, without its
 *    column-by-column approximation).
 *
 * The rows of X are stacked over every calibration sequence: a linear map has no
 * sequences, so causal flags and segments do not enter.
 */
import { type Matrix, zeros } from './matrix.ts';
import { cholesky, sharedGram } from './linalg.ts';
import { linearError, linearErrorOfLayers } from './linear.ts';
import type { ObjectiveValue } from './objective.ts';
import { num } from '../ui/format.ts';

/** One weight matrix (d_in × d_out, rows = inputs) stored at `offset` of the mask vector. */
export interface LinearBlock {
  W: Matrix;
  offset: number;
}

export class LinearMaskObjective {
  readonly size: number;
  /** Evaluations so far (each `evaluate` call counts one). */
  evaluations = 0;
  /** ½ Σ ‖X W‖²: turns a loss into the relative error √(L / this). */
  readonly denseHalfNorm2: number;
  private readonly h: Matrix;
  private readonly d: Float64Array;
  private readonly hd: Float64Array;

  constructor(
    X: Matrix,
    private readonly blocks: readonly LinearBlock[],
  ) {
    this.h = sharedGram(X);
    this.size = blocks.reduce((s, b) => Math.max(s, b.offset + b.W.data.length), 0);
    const biggest = Math.max(...blocks.map((b) => b.W.data.length));
    this.d = new Float64Array(biggest);
    this.hd = new Float64Array(biggest);
    let dense = 0;
    for (const b of blocks) dense += quadratic(this.h, b.W.data, b.W.rows, b.W.cols, this.hd);
    this.denseHalfNorm2 = dense / 2;
  }

  /** L_lin(B) (λ = 0, so `loss` = `attentionLoss` = the linear loss) and, if asked, its gradient. */
  evaluate(b: Float64Array, grad?: Float64Array): ObjectiveValue {
    this.evaluations++;
    let total = 0;
    for (const { W, offset } of this.blocks) {
      const n = W.data.length;
      for (let i = 0; i < n; i++) this.d[i] = (b[offset + i] - 1) * W.data[i];
      total += quadratic(this.h, this.d, W.rows, W.cols, this.hd);
      if (grad) for (let i = 0; i < n; i++) grad[offset + i] = W.data[i] * this.hd[i];
    }
    const loss = total / 2;
    return { loss, attentionLoss: loss };
  }

  /** ‖X(W′ − W)‖ / ‖XW‖ of the masked weight B ∘ W. */
  relativeError(b: Float64Array): number {
    // The Gram form's round-off can take a near-zero loss below 0.
    return Math.sqrt(Math.max(0, this.evaluate(b).loss) / this.denseHalfNorm2);
  }
}

/** Σ_j d_jᵀ H d_j for D (rows × cols, row-major), leaving H D in `hd`. */
function quadratic(h: Matrix, d: ArrayLike<number>, rows: number, cols: number, hd: Float64Array): number {
  const H = h.data;
  let s = 0;
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      let acc = 0;
      for (let k = 0; k < rows; k++) acc += H[i * rows + k] * d[k * cols + j];
      hd[i * cols + j] = acc;
      s += d[i * cols + j] * acc;
    }
  }
  return s;
}

// The reported error is computed from X(W′ − W) itself (linear.ts), never from the Gram form
// dᵀ(XᵀX)d: near an exact fit (fewer calibration rows than kept inputs) that form loses half the
// digits and can even come out negative, and its square root NaN.
export { linearError, linearErrorOfLayers };

export interface LinearRefitResult {
  wPruned: Matrix;
  notes: string[];
  /** Relative linear error before (the start weight) and after the refit, on the calibration rows. */
  before: number;
  after: number;
  /** Columns whose normal equations needed damping (a singular H_SS). */
  damped: number;
}

/**
 * Refit the kept weights of each output column of `W` by exact least squares on
 * ‖X W − X W′‖ with W′ = 0 off `mask` (1 = kept). `start` is only used to report the
 * error before (default: mask ∘ W). A singular H_SS (fewer independent calibration rows
 * than kept inputs) is solved with the smallest damping 10⁻¹²…·mean diag H that makes its
 * Cholesky succeed, and said so.
 */
export function linearRefit(X: Matrix, W: Matrix, mask: Matrix, start?: Matrix): LinearRefitResult {
  if (mask.rows !== W.rows || mask.cols !== W.cols) throw new Error(`mask is ${mask.rows}x${mask.cols}, W ${W.rows}x${W.cols}`);
  if (X.cols !== W.rows) throw new Error(`X has ${X.cols} columns but W has ${W.rows} rows`);
  const h = sharedGram(X);
  const din = W.rows;
  const dout = W.cols;
  const H = h.data;
  let meanDiag = 0;
  for (let i = 0; i < din; i++) meanDiag += H[i * din + i];
  meanDiag /= din;
  const out = zeros(din, dout);
  let damped = 0;
  for (let j = 0; j < dout; j++) {
    const S: number[] = [];
    for (let i = 0; i < din; i++) if (mask.data[i * dout + j] !== 0) S.push(i);
    if (S.length === 0) continue;
    const k = S.length;
    // Right-hand side (H W_{:,j})_S.
    const rhs = new Float64Array(k);
    for (let a = 0; a < k; a++) {
      let acc = 0;
      for (let t = 0; t < din; t++) acc += H[S[a] * din + t] * W.data[t * dout + j];
      rhs[a] = acc;
    }
    let damp = 0;
    let l: Matrix | null = null;
    for (let attempt = 0; attempt < 14 && !l; attempt++) {
      const hs = zeros(k, k);
      for (let a = 0; a < k; a++) for (let c = 0; c < k; c++) hs.data[a * k + c] = H[S[a] * din + S[c]] + (a === c ? damp : 0);
      l = cholesky(hs, 1e-13);
      if (!l) damp = damp === 0 ? 1e-12 * meanDiag : damp * 10;
    }
    if (!l) throw new Error(`linear refit: the normal equations of column ${j} stayed singular even with damping ${damp}`);
    if (damp > 0) damped++;
    const x = choleskySolve(l, rhs);
    for (let a = 0; a < k; a++) out.data[S[a] * dout + j] = x[a];
  }
  const startW = start ?? { rows: din, cols: dout, data: W.data.map((v, i) => (mask.data[i] === 0 ? 0 : v)) };
  const before = linearError(X, W, startW);
  const after = linearError(X, W, out);
  const notes = [
    `linear refit (least squares on ‖XW − XW′‖, support fixed): linear error ${fmt(before)} → ${fmt(after)}${damped ? `; ${damped} column(s) needed damping (singular XᵀX on the kept inputs)` : ''}`,
  ];
  return { wPruned: out, notes, before, after, damped };
}

/** Solve L Lᵀ x = b. */
function choleskySolve(l: Matrix, b: Float64Array): Float64Array {
  const n = l.rows;
  const L = l.data;
  const y = Float64Array.from(b);
  for (let i = 0; i < n; i++) {
    let s = y[i];
    for (let k = 0; k < i; k++) s -= L[i * n + k] * y[k];
    y[i] = s / L[i * n + i];
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = y[i];
    for (let k = i + 1; k < n; k++) s -= L[k * n + i] * y[k];
    y[i] = s / L[i * n + i];
  }
  return y;
}

/** An error for the notes, through format.ts (which refuses NaN: a note says it in words). */
const fmt = (x: number): string => (Number.isNaN(x) ? 'not a number' : num(x, 4));
