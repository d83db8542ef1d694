/**
 * The rounding step of Algorithm 1, as an option: which score of the relaxed mask M_T
 * decides the entries kept (the d² − k highest, or the N:M pattern, via maskFromScores).
 *
 * - 'relaxed': M_T itself, the paper's rounding. M_T is measured against a head that
 *   the λ-term shrank as a whole, so "small M_T" mixes "the attention term pushed it
 *   down" with "nothing held it up"; on the shipped models this cuts entries that matter.
 * - 'magnitude-weighted': |M_T ∘ W|, the size of the weight gradient descent actually
 *   uses. At M_T = const it is magnitude pruning; where the attention term moved M, the
 *   score follows it. (Ours.)
 * - 'wanda-weighted': |M_T ∘ W|·‖X_{:,i}‖₂ for the entry of input feature i (row i of W,
 *   W_Q or W_K): Wanda's activation-aware score on the relaxed weight. (Ours.)
 *
 * A score relative to the pure-decay level (M_T / ∏(1 − s_t λ)) is not listed: the
 * level is one number per run, so it ranks exactly like M_T.
 *
 * Merged masks are d×d on W; factored masks are the vector [M_Q ; M_K] on W_Q, W_K
 * (each d×d_h), scored and binarised matrix by matrix like the factored baselines.
 */
import { type Matrix, zeros } from './matrix.ts';
import { type Granularity, maskFromScores } from './mask.ts';

export type BinariseScore = 'relaxed' | 'magnitude-weighted' | 'wanda-weighted';
export const BINARISE_SCORES: readonly BinariseScore[] = ['relaxed', 'magnitude-weighted', 'wanda-weighted'];

/** ‖X_{:,i}‖₂ for every input feature i (X is n×d). */
export function inputNorms(X: Matrix): Float64Array {
  const d = X.cols;
  const out = new Float64Array(d);
  for (let r = 0; r < X.rows; r++) for (let i = 0; i < d; i++) out[i] += X.data[r * d + i] ** 2;
  for (let i = 0; i < d; i++) out[i] = Math.sqrt(out[i]);
  return out;
}

/**
 * The score of relaxed entries `m` on weight `w` (same shape, d_in × d_out, rows =
 * input features). `X` is needed only by 'wanda-weighted'.
 */
export function relaxedScores(m: Matrix | Float64Array, w: Matrix, score: BinariseScore, X?: Matrix): Matrix {
  const data = m instanceof Float64Array ? m : m.data;
  if (data.length !== w.data.length) throw new Error(`relaxed mask has ${data.length} entries, weight ${w.data.length}`);
  const out = zeros(w.rows, w.cols);
  if (score === 'relaxed') {
    out.data.set(data);
    return out;
  }
  const norms = score === 'wanda-weighted' ? inputNorms(requireX(X, score)) : undefined;
  if (norms && norms.length !== w.rows) throw new Error(`X has ${norms.length} columns, the weight ${w.rows} rows`);
  for (let i = 0; i < w.rows; i++) {
    const ni = norms ? norms[i] : 1;
    for (let j = 0; j < w.cols; j++) {
      const t = i * w.cols + j;
      out.data[t] = Math.abs(data[t] * w.data[t]) * ni;
    }
  }
  return out;
}

/** Merged scores for a problem {X, W}. */
export function mergedScores(m: Matrix | Float64Array, problem: { X: Matrix; W: Matrix }, score: BinariseScore): Matrix {
  return relaxedScores(m, problem.W, score, problem.X);
}

/** Binary keep mask of a merged relaxed mask (d×d). */
export function binariseMerged(
  m: Matrix | Float64Array,
  problem: { X: Matrix; W: Matrix },
  sparsity: number,
  granularity: Granularity,
  score: BinariseScore,
): Matrix {
  return maskFromScores(mergedScores(m, problem, score), sparsity, granularity);
}

/**
 * Binary keep masks of a factored relaxed mask [M_Q ; M_K]: each of W_Q and W_K is
 * pruned to the same sparsity (or N:M pattern), as the factored baselines do.
 */
export function binariseFactored(
  m: Float64Array,
  fp: { X: Matrix; Wq: Matrix; Wk: Matrix },
  sparsity: number,
  granularity: Granularity,
  score: BinariseScore,
): { maskQ: Matrix; maskK: Matrix } {
  const dd = fp.Wq.data.length;
  if (m.length !== 2 * dd) throw new Error(`factored relaxed mask has ${m.length} entries, expected ${2 * dd}`);
  const maskQ = maskFromScores(relaxedScores(m.subarray(0, dd), fp.Wq, score, fp.X), sparsity, granularity);
  const maskK = maskFromScores(relaxedScores(m.subarray(dd), fp.Wk, score, fp.X), sparsity, granularity);
  return { maskQ, maskK };
}

function requireX(X: Matrix | undefined, score: BinariseScore): Matrix {
  if (!X) throw new Error(`the ${score} score needs the calibration X`);
  return X;
}

export function isBinariseScore(s: string): s is BinariseScore {
  return (BINARISE_SCORES as readonly string[]).includes(s);
}
