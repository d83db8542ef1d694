/**
 * The attention objective of SPEC §2 and its closed-form gradient:
 *
 *   L(M) = ½‖F(M) − F₀‖²_F + ½λ‖M‖²_F,   F(M) = Softmax(X (M∘W) Xᵀ)
 *   C = F − F₀,  P = F∘C − diag(rowsum(F∘C))·F,  ∇L = W ∘ (Xᵀ P X) + λM
 *
 * One instance owns every buffer it needs, so the gradient-descent loop
 * allocates nothing: an evaluation is four small matrix products, n² exps and
 * a few elementwise passes, O(n²d + nd²).
 */
import type { Matrix } from './matrix.ts';
import { checkShapes } from './attention.ts';
import { gemmNN, gemmNT, gemmTN, softmaxRowsInPlace } from './kernels.ts';

export interface ObjectiveValue {
  /** L(M), the full objective. */
  loss: number;
  /** ½‖F(M) − F₀‖², the attention term alone. */
  attentionLoss: number;
}

/** The shape and options every objective kernel (JS, WASM) checks and records the same way. */
export function objectiveSetup(X: Matrix, W: Matrix, opts: { causal?: boolean; lambda?: number }): { n: number; d: number; causal: boolean; lambda: number } {
  checkShapes(X, W);
  const lambda = opts.lambda ?? 0;
  if (!(lambda >= 0 && Number.isFinite(lambda))) throw new Error(`lambda must be a finite number >= 0 (got ${lambda})`);
  return { n: X.rows, d: X.cols, causal: opts.causal ?? false, lambda };
}

export class AttentionObjective {
  readonly n: number;
  readonly d: number;
  readonly causal: boolean;
  readonly lambda: number;
  private readonly x: Float64Array;
  private readonly w: Float64Array;
  /** Dense attention F₀, computed once. */
  readonly f0: Float64Array;
  /** Attention F(M) of the last evaluation. */
  readonly f: Float64Array;
  private readonly wm: Float64Array; // M∘W
  private readonly a: Float64Array; // X (M∘W), then P X
  private readonly p: Float64Array; // P
  private readonly g: Float64Array; // Xᵀ P X

  constructor(X: Matrix, W: Matrix, opts: { causal?: boolean; lambda?: number } = {}) {
    ({ n: this.n, d: this.d, causal: this.causal, lambda: this.lambda } = objectiveSetup(X, W, opts));
    this.x = X.data;
    this.w = W.data;
    const { n, d } = this;
    this.f0 = new Float64Array(n * n);
    this.f = new Float64Array(n * n);
    this.wm = new Float64Array(d * d);
    this.a = new Float64Array(n * d);
    this.p = new Float64Array(n * n);
    this.g = new Float64Array(d * d);
    this.forward(W.data, this.f0);
  }

  /** out = Softmax(X Wm Xᵀ) for an already-masked weight Wm. */
  private forward(wm: Float64Array, out: Float64Array): void {
    const { n, d } = this;
    gemmNN(this.x, wm, this.a, n, d, d);
    gemmNT(this.a, this.x, out, n, n, d, this.causal);
    softmaxRowsInPlace(out, n, this.causal);
  }

  /**
   * Evaluate L(M); if `grad` is given, also write ∇L(M) into it (length d²).
   * M is row-major d×d. Non-finite results are returned as they are: the caller
   * (the solver) decides what divergence means.
   */
  evaluate(m: Float64Array, grad?: Float64Array): ObjectiveValue {
    const { n, d, causal, lambda, wm, f, f0, p } = this;
    const w = this.w;
    for (let i = 0; i < d * d; i++) wm[i] = m[i] * w[i];
    this.forward(wm, f);

    let attn = 0;
    for (let i = 0; i < n; i++) {
      const o = i * n;
      const end = causal ? i + 1 : n;
      let rowSum = 0;
      for (let j = 0; j < end; j++) {
        const c = f[o + j] - f0[o + j];
        attn += c * c;
        const fc = f[o + j] * c;
        p[o + j] = fc;
        rowSum += fc;
      }
      if (grad) for (let j = 0; j < end; j++) p[o + j] -= rowSum * f[o + j];
    }
    attn *= 0.5;
    let reg = 0;
    if (lambda > 0) {
      for (let i = 0; i < d * d; i++) reg += m[i] * m[i];
      reg *= 0.5 * lambda;
    }

    if (grad) {
      const a = this.a;
      const g = this.g;
      // a = P X (n×d); causal P is lower triangular, so row i only sums j ≤ i.
      a.fill(0);
      for (let i = 0; i < n; i++) {
        const o = i * n;
        const ai = i * d;
        const end = causal ? i + 1 : n;
        for (let j = 0; j < end; j++) {
          const pij = p[o + j];
          if (pij === 0) continue;
          const xj = j * d;
          for (let k = 0; k < d; k++) a[ai + k] += pij * this.x[xj + k];
        }
      }
      gemmTN(this.x, a, g, n, d, d); // g = Xᵀ (P X)
      for (let i = 0; i < d * d; i++) grad[i] = w[i] * g[i] + lambda * m[i];
    }
    return { loss: attn + reg, attentionLoss: attn };
  }
}
