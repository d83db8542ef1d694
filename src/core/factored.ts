/**
 * The factored extension (SPEC §7): masks on W_Q and W_K (each d×d_h) instead of
 * on the merged W = W_Q W_Kᵀ/√d_h, so that pruning saves weights at any sparsity.
 *
 *   S = X (M_Q∘W_Q)(M_K∘W_K)ᵀ Xᵀ / √d_h,   L = ½‖F − F₀‖² + ½λ(‖M_Q‖² + ‖M_K‖²)
 *   ∇_{M_Q} = W_Q ∘ (Xᵀ P X (M_K∘W_K)) / √d_h + λ M_Q
 *   ∇_{M_K} = W_K ∘ (Xᵀ Pᵀ X (M_Q∘W_Q)) / √d_h + λ M_K
 *
 * with P as in the merged case. The mask vector is [M_Q ; M_K] (2·d·d_h entries),
 * so the same gradient-descent stepper runs it. Sequences attend within themselves.
 *
 * Q/K biases (GPT-2's c_attn): S = (X W_Q' + 1 b_Qᵀ)(X W_K' + 1 b_Kᵀ)ᵀ/√d_h. The biases
 * are frozen (never masked, never refitted, not counted): they only enter the products
 * XW_Q' and XW_K', and the gradients above already use those products, so they are
 * unchanged in form. Without biases not one operation differs.
 */
import type { Matrix } from './matrix.ts';
import { type AttentionMetrics, metricsOverSequences } from './attention.ts';
import type { ObjectiveValue } from './objective.ts';
import type { Objective } from './gd.ts';
import { gemmNN, gemmNT, gemmTN, softmaxRowsInPlace } from './kernels.ts';

export interface FactoredProblem {
  X: Matrix;
  /** d×d_h */
  Wq: Matrix;
  /** d×d_h */
  Wk: Matrix;
  causal: boolean;
  segments?: readonly number[];
  /** The head's query and key biases (d_h each), kept as they are; absent for our models. */
  bq?: Float64Array;
  bk?: Float64Array;
}

/** Throws, naming the mismatch, unless W_Q and W_K are d×d_h for X's d and the biases d_h long. */
export function checkFactoredProblem(problem: FactoredProblem): void {
  const { X, Wq, Wk } = problem;
  if (Wq.rows !== X.cols || Wk.rows !== X.cols || Wq.cols !== Wk.cols) {
    throw new Error(`factored shapes: X is ${X.rows}x${X.cols}, W_Q ${Wq.rows}x${Wq.cols}, W_K ${Wk.rows}x${Wk.cols}`);
  }
  if ((problem.bq && problem.bq.length !== Wq.cols) || (problem.bk && problem.bk.length !== Wk.cols)) {
    throw new Error(`factored biases: b_Q has ${problem.bq?.length} entries, b_K ${problem.bk?.length} (expected ${Wq.cols})`);
  }
}

export class FactoredObjective implements Objective {
  /** Number of mask entries: 2·d·d_h (the stepper only needs the length). */
  readonly d: number;
  readonly size: number;
  private readonly n: number;
  private readonly dIn: number;
  private readonly dh: number;
  private readonly scale: number;
  private readonly segments: readonly number[];
  private readonly f0: Float64Array[];
  // Scratch, sized for the longest segment.
  private readonly wq: Float64Array;
  private readonly wk: Float64Array;
  private readonly xq: Float64Array;
  private readonly xk: Float64Array;
  private readonly s: Float64Array;
  private readonly p: Float64Array;
  private readonly tmp: Float64Array;
  private readonly gq: Float64Array;
  private readonly gk: Float64Array;

  constructor(
    private readonly problem: FactoredProblem,
    readonly lambda: number,
  ) {
    checkFactoredProblem(problem);
    const { X, Wq } = problem;
    this.n = X.rows;
    this.dIn = X.cols;
    this.dh = Wq.cols;
    this.size = 2 * this.dIn * this.dh;
    this.d = Math.sqrt(this.size); // only used for bookkeeping by callers that expect d²
    this.scale = 1 / Math.sqrt(this.dh);
    this.segments = problem.segments ?? [this.n];
    const T = Math.max(...this.segments);
    const dd = this.dIn * this.dh;
    this.wq = new Float64Array(dd);
    this.wk = new Float64Array(dd);
    this.xq = new Float64Array(T * this.dh);
    this.xk = new Float64Array(T * this.dh);
    this.s = new Float64Array(T * T);
    this.p = new Float64Array(T * T);
    this.tmp = new Float64Array(T * this.dh);
    this.gq = new Float64Array(dd);
    this.gk = new Float64Array(dd);
    this.f0 = [];
    const ones = new Float64Array(this.size).fill(1);
    this.maskWeights(ones);
    let start = 0;
    for (const len of this.segments) {
      this.attention(start, len);
      this.f0.push(this.s.slice(0, len * len));
      start += len;
    }
  }

  private maskWeights(m: Float64Array): void {
    const dd = this.dIn * this.dh;
    for (let i = 0; i < dd; i++) {
      this.wq[i] = m[i] * this.problem.Wq.data[i];
      this.wk[i] = m[dd + i] * this.problem.Wk.data[i];
    }
  }

  /** s[0..len²) = softmax of segment [start, start+len)'s logits; fills xq, xk. */
  private attention(start: number, len: number): void {
    const x = this.problem.X.data.subarray(start * this.dIn, (start + len) * this.dIn);
    segmentAttention(this.problem, x, len, this.wq, this.wk, { xq: this.xq, xk: this.xk, s: this.s });
  }

  /** ‖F₀‖² over the sequences (the dense attention). */
  f0Norm2(): number {
    let s = 0;
    for (const f of this.f0) for (let i = 0; i < f.length; i++) s += f[i] * f[i];
    return s;
  }

  evaluate(m: Float64Array, grad?: Float64Array): ObjectiveValue {
    const { dIn, dh, scale, lambda } = this;
    const dd = dIn * dh;
    this.maskWeights(m);
    if (grad) {
      this.gq.fill(0);
      this.gk.fill(0);
    }
    let attn = 0;
    let start = 0;
    for (const [seg, len] of this.segments.entries()) {
      this.attention(start, len);
      const f = this.s;
      const f0 = this.f0[seg];
      const p = this.p;
      for (let i = 0; i < len; i++) {
        let rowSum = 0;
        for (let j = 0; j < len; j++) {
          const c = f[i * len + j] - f0[i * len + j];
          attn += c * c;
          const fc = f[i * len + j] * c;
          p[i * len + j] = fc;
          rowSum += fc;
        }
        for (let j = 0; j < len; j++) p[i * len + j] -= rowSum * f[i * len + j];
      }
      if (grad) {
        const x = this.problem.X.data.subarray(start * dIn, (start + len) * dIn);
        // ∂/∂(W_Q): Xᵀ P (X W_K') — tmp = P · xk (len×dh), then gq += Xᵀ tmp.
        gemmNN(p, this.xk, this.tmp, len, len, dh);
        accumulateTN(x, this.tmp, this.gq, len, dIn, dh);
        // ∂/∂(W_K): Xᵀ Pᵀ (X W_Q') — tmp = Pᵀ · xq.
        gemmTN(p, this.xq, this.tmp, len, len, dh);
        accumulateTN(x, this.tmp, this.gk, len, dIn, dh);
      }
      start += len;
    }
    attn *= 0.5;
    let reg = 0;
    if (lambda > 0) for (let i = 0; i < m.length; i++) reg += m[i] * m[i];
    reg *= 0.5 * lambda;
    if (grad) {
      const { Wq, Wk } = this.problem;
      for (let i = 0; i < dd; i++) {
        grad[i] = Wq.data[i] * this.gq[i] * scale + lambda * m[i];
        grad[dd + i] = Wk.data[i] * this.gk[i] * scale + lambda * m[dd + i];
      }
    }
    return { loss: attn + reg, attentionLoss: attn };
  }
}

/** out += a(n×rows)ᵀ · b(n×cols). */
function accumulateTN(a: Float64Array, b: Float64Array, out: Float64Array, n: number, rows: number, cols: number): void {
  for (let t = 0; t < n; t++) {
    for (let r = 0; r < rows; r++) {
      const v = a[t * rows + r];
      if (v === 0) continue;
      for (let c = 0; c < cols; c++) out[r * cols + c] += v * b[t * cols + c];
    }
  }
}

/**
 * One sequence's attention under W_Q′, W_K′ (the problem's biases added): s[0..len²) =
 * softmax((x W_Q′ + 1b_Qᵀ)(x W_K′ + 1b_Kᵀ)ᵀ/√d_h), row-wise; xq and xk are filled on the way.
 */
function segmentAttention(
  fp: FactoredProblem,
  x: Float64Array,
  len: number,
  wq: Float64Array,
  wk: Float64Array,
  out: { xq: Float64Array; xk: Float64Array; s: Float64Array },
): void {
  const dIn = fp.X.cols;
  const dh = fp.Wq.cols;
  const scale = 1 / Math.sqrt(dh);
  gemmNN(x, wq, out.xq, len, dIn, dh);
  gemmNN(x, wk, out.xk, len, dIn, dh);
  addRowBias(out.xq, fp.bq, len, dh);
  addRowBias(out.xk, fp.bk, len, dh);
  gemmNT(out.xq, out.xk, out.s, len, len, dh, fp.causal);
  for (let i = 0; i < len * len; i++) out.s[i] *= scale;
  softmaxRowsInPlace(out.s, len, fp.causal);
}

/** out[t, :] += b for t < rows (nothing without a bias). */
function addRowBias(out: Float64Array, b: Float64Array | undefined, rows: number, cols: number): void {
  if (!b) return;
  for (let t = 0; t < rows; t++) for (let c = 0; c < cols; c++) out[t * cols + c] += b[c];
}

/** [X, 1]: X with a column of ones appended (the biases' rows of an augmented W). */
export function withOnesColumn(X: Matrix): Matrix {
  const d = X.cols;
  const out = { rows: X.rows, cols: d + 1, data: new Float64Array(X.rows * (d + 1)) };
  for (let t = 0; t < X.rows; t++) {
    out.data.set(X.data.subarray(t * d, (t + 1) * d), t * (d + 1));
    out.data[t * (d + 1) + d] = 1;
  }
  return out;
}

/**
 * The merged weight of a head with Q/K biases over X̃ = [X, 1]: W̃ = [W_Q; b_Qᵀ][W_K; b_Kᵀ]ᵀ/√d_h,
 * (d+1)×(d+1), so that X̃ W̃ X̃ᵀ = (XW_Q + 1b_Qᵀ)(XW_K + 1b_Kᵀ)ᵀ/√d_h. A missing bias is zeros.
 */
export function augmentedMerged(wq: Matrix, wk: Matrix, bq?: ArrayLike<number>, bk?: ArrayLike<number>): Matrix {
  const d = wq.rows;
  const dh = wq.cols;
  const D = d + 1;
  const s = 1 / Math.sqrt(dh);
  const q = (i: number, k: number) => (i < d ? wq.data[i * dh + k] : (bq?.[k] ?? 0));
  const kk = (j: number, k: number) => (j < d ? wk.data[j * dh + k] : (bk?.[k] ?? 0));
  const out = { rows: D, cols: D, data: new Float64Array(D * D) };
  for (let i = 0; i < D; i++)
    for (let j = 0; j < D; j++) {
      let acc = 0;
      for (let k = 0; k < dh; k++) acc += q(i, k) * kk(j, k);
      out.data[i * D + j] = acc * s;
    }
  return out;
}

/**
 * compareAttention for a factored head, pruned to W_Q′ and W_K′ (biases as they are): the
 * same metrics from S = (X W_Q + 1b_Qᵀ)(X W_K + 1b_Kᵀ)ᵀ/√d_h, without the d×d merged weight.
 * That is d_h/d of the merged form's work per sequence (64/768 for GPT-2: one GPT-2 head's
 * metrics on 8 windows of 1 024 tokens went from ~30 s to a few seconds).
 */
export function compareAttentionFactored(fp: FactoredProblem, wq: Matrix, wk: Matrix): AttentionMetrics {
  const d = fp.X.cols;
  const segments = fp.segments ?? [fp.X.rows];
  const T = Math.max(...segments);
  const xq = new Float64Array(T * fp.Wq.cols);
  const xk = new Float64Array(T * fp.Wq.cols);
  const attentionOf = (x: Float64Array, len: number, q: Matrix, k: Matrix): Matrix => {
    const s = new Float64Array(len * len);
    segmentAttention(fp, x, len, q.data, k.data, { xq, xk, s });
    return { rows: len, cols: len, data: s };
  };
  let start = 0;
  const pairs = segments.map((len) => {
    const x = fp.X.data.subarray(start * d, (start + len) * d);
    start += len;
    return () => ({ f0: attentionOf(x, len, fp.Wq, fp.Wk), f: attentionOf(x, len, wq, wk) });
  });
  return metricsOverSequences(pairs);
}
