/**
 * Softmax attention F = Softmax(X W Xᵀ) and the metrics of SPEC §5.
 * Rows are distributions over the tokens a query attends to.
 */
import { InputError } from './errors.ts';
import { type Matrix, zeros, assertSameShape } from './matrix.ts';
import { gemmNN, gemmNT, softmaxRowsInPlace } from './kernels.ts';
import { type Problem, sequenceBlocks } from './problem.ts';

/** X W Xᵀ (n×n); with `causal` only entries j ≤ i are computed (the rest are left 0). */
function logitsLower(X: Matrix, W: Matrix, causal: boolean): Matrix {
  checkShapes(X, W);
  const { rows: n, cols: d } = X;
  const a = new Float64Array(n * d);
  gemmNN(X.data, W.data, a, n, d, d);
  const s = zeros(n, n);
  gemmNT(a, X.data, s.data, n, n, d, causal);
  return s;
}

/** Logits S = X W Xᵀ (n×n). With `causal`, entries above the diagonal are −∞. */
export function logits(X: Matrix, W: Matrix, causal = false): Matrix {
  const s = logitsLower(X, W, causal);
  const n = s.rows;
  if (causal) for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) s.data[i * n + j] = -Infinity;
  return s;
}

/** Row-wise softmax, max-subtracted; −∞ entries become exactly 0. */
export function softmaxRows(s: Matrix): Matrix {
  const out = zeros(s.rows, s.cols);
  for (let i = 0; i < s.rows; i++) {
    const o = i * s.cols;
    let max = -Infinity;
    for (let j = 0; j < s.cols; j++) if (s.data[o + j] > max) max = s.data[o + j];
    let sum = 0;
    for (let j = 0; j < s.cols; j++) {
      const e = s.data[o + j] === -Infinity ? 0 : Math.exp(s.data[o + j] - max);
      out.data[o + j] = e;
      sum += e;
    }
    for (let j = 0; j < s.cols; j++) out.data[o + j] /= sum;
  }
  return out;
}

/** F = Softmax(X W Xᵀ), row-wise, causal optional. */
export function attention(X: Matrix, W: Matrix, causal = false): Matrix {
  const f = logitsLower(X, W, causal);
  softmaxRowsInPlace(f.data, f.rows, causal);
  return f;
}

export function checkShapes(X: Matrix, W: Matrix): void {
  if (W.rows !== W.cols) throw new InputError(`W must be square, got ${W.rows}x${W.cols}`);
  if (X.cols !== W.rows) throw new InputError(`shape mismatch: X is ${X.rows}x${X.cols} but W is ${W.rows}x${W.cols} (X needs d = ${W.rows} columns)`);
}

export interface AttentionMetrics {
  /** ‖F' − F₀‖_F / ‖F₀‖_F */
  attentionError: number;
  /** ½‖F' − F₀‖_F² */
  attentionLoss: number;
  /** mean over rows of KL(F₀ᵢ ‖ F'ᵢ) */
  meanRowKL: number;
  /** mean over rows of ½ Σⱼ |F₀ᵢⱼ − F'ᵢⱼ| */
  meanRowTV: number;
}

/** Compare a pruned attention matrix with the dense one (SPEC §5). */
export function attentionMetrics(f0: Matrix, f: Matrix): AttentionMetrics {
  assertSameShape(f0, f, 'attention metrics');
  let diff2 = 0;
  let ref2 = 0;
  let kl = 0;
  let tv = 0;
  const n = f0.rows;
  for (let i = 0; i < n; i++) {
    let rowKl = 0;
    let rowTv = 0;
    for (let j = 0; j < f0.cols; j++) {
      const p = f0.data[i * f0.cols + j];
      const q = f.data[i * f0.cols + j];
      const c = q - p;
      diff2 += c * c;
      ref2 += p * p;
      rowTv += Math.abs(c);
      // p log(p/q): 0 when p = 0; if q underflowed to 0 where p > 0 the KL is +∞, reported as such.
      if (p > 0) rowKl += p * (Math.log(p) - Math.log(q));
    }
    kl += rowKl;
    tv += 0.5 * rowTv;
  }
  return {
    attentionError: Math.sqrt(diff2) / Math.sqrt(ref2),
    attentionLoss: 0.5 * diff2,
    meanRowKL: kl / n,
    meanRowTV: tv / n,
  };
}

/**
 * Metrics of the attention computed with weight wPruned against the dense weight W,
 * over every sequence of the problem (each attends within itself): Frobenius norms
 * and loss sum over sequences, KL and TV average over all rows.
 */
export function compareAttention(problem: Problem, wPruned: Matrix): AttentionMetrics {
  return metricsOverSequences(
    sequenceBlocks(problem).map((X) => () => ({ f0: attention(X, problem.W, problem.causal), f: attention(X, wPruned, problem.causal) })),
  );
}

/**
 * The metrics of SPEC §5 over several sequences, each given as its dense and pruned
 * attention (computed one sequence at a time, so only one pair is held): Frobenius norms
 * and loss sum over sequences, KL and TV average over all rows.
 */
export function metricsOverSequences(sequences: Iterable<() => { f0: Matrix; f: Matrix }>): AttentionMetrics {
  let diff2 = 0;
  let ref2 = 0;
  let klSum = 0;
  let tvSum = 0;
  let rows = 0;
  for (const pair of sequences) {
    const { f0, f } = pair();
    const m = attentionMetrics(f0, f);
    diff2 += 2 * m.attentionLoss;
    ref2 += frobenius2(f0);
    klSum += m.meanRowKL * f0.rows;
    tvSum += m.meanRowTV * f0.rows;
    rows += f0.rows;
  }
  return { attentionError: Math.sqrt(diff2 / ref2), attentionLoss: 0.5 * diff2, meanRowKL: klSum / rows, meanRowTV: tvSum / rows };
}

function frobenius2(m: Matrix): number {
  let s = 0;
  for (let i = 0; i < m.data.length; i++) s += m.data[i] * m.data[i];
  return s;
}
