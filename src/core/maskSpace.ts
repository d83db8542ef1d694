/**
 * The entries a method may prune, and how many in each comparison group, shared by
 * the attention-aware methods of SPEC §9 (gradual, swap search, reconstruction), so
 * that each prunes exactly what the baselines prune:
 *
 * - merged, unstructured: one group of d² entries, ⌊p·d²⌋ pruned;
 * - merged, N:M: in each column of W, each run of M consecutive rows prunes N;
 * - factored ([M_Q ; M_K] on W_Q, W_K, each d×d_h): W_Q and W_K are pruned separately
 *   (⌊p·d·d_h⌋ each, or N:M within each), as the factored baselines prune them.
 *
 * Inside a group, ties break by ascending flat index (the stable rule of mask.ts), so
 * a single-group mask equals maskFromScores on the same scores.
 */
import type { Matrix } from './matrix.ts';
import type { Granularity } from './mask.ts';
import { inputNorms } from './binarise.ts';
import type { BinariseScore } from './binarise.ts';

export interface MaskSpace {
  /** Number of mask entries (d², or 2·d·d_h for factored). */
  readonly size: number;
  /** Entry indices of each comparison group (ascending). */
  readonly groups: readonly Int32Array[];
  /** Entries pruned in each group at the target. */
  readonly prune: readonly number[];
  /** The weight each entry multiplies (W, or [W_Q ; W_K]). */
  readonly weight: Float64Array;
  /** ‖X_{:,i}‖₂ of each entry's input feature i (its row in W, W_Q or W_K). */
  readonly inputNorm: Float64Array;
}

/** Groups of one d_in×d_out matrix stored at `offset` of the mask vector. */
function matrixGroups(rows: number, cols: number, offset: number, sparsity: number, g: Granularity, groups: Int32Array[], prune: number[]): void {
  if (g.kind === 'unstructured') {
    const idx = new Int32Array(rows * cols);
    for (let i = 0; i < idx.length; i++) idx[i] = offset + i;
    groups.push(idx);
    // The +1e-9 guard of maskFromScores, so 0.3·10 counts as 3.
    prune.push(Math.floor(sparsity * rows * cols + 1e-9));
    return;
  }
  if (rows % g.m !== 0) throw new Error(`bad N:M pattern ${g.n}:${g.m}: d = ${rows} is not a multiple of M = ${g.m}`);
  for (let j = 0; j < cols; j++) {
    for (let r = 0; r < rows; r += g.m) {
      const idx = new Int32Array(g.m);
      for (let t = 0; t < g.m; t++) idx[t] = offset + (r + t) * cols + j;
      groups.push(idx);
      prune.push(g.n);
    }
  }
}

function checkSparsity(sparsity: number, g: Granularity): void {
  if (g.kind === 'unstructured' && !(Number.isFinite(sparsity) && sparsity >= 0 && sparsity < 1)) {
    throw new Error(`sparsity must be in [0, 1), got ${sparsity}`);
  }
  if (g.kind === 'nm' && !(Number.isInteger(g.n) && Number.isInteger(g.m) && g.n >= 1 && g.n < g.m)) {
    throw new Error(`bad N:M pattern ${g.n}:${g.m}: need integers 1 <= N < M`);
  }
}

/** The merged space: a d×d mask on W. */
export function mergedSpace(problem: { X: Matrix; W: Matrix }, sparsity: number, granularity: Granularity): MaskSpace {
  checkSparsity(sparsity, granularity);
  const { W } = problem;
  const groups: Int32Array[] = [];
  const prune: number[] = [];
  matrixGroups(W.rows, W.cols, 0, sparsity, granularity, groups, prune);
  const norms = inputNorms(problem.X);
  const inputNorm = new Float64Array(W.data.length);
  for (let i = 0; i < W.rows; i++) inputNorm.fill(norms[i], i * W.cols, (i + 1) * W.cols);
  return { size: W.data.length, groups, prune, weight: Float64Array.from(W.data), inputNorm };
}

/** The factored space: [M_Q ; M_K] on W_Q and W_K (each d×d_h). */
export function factoredSpace(fp: { X: Matrix; Wq: Matrix; Wk: Matrix }, sparsity: number, granularity: Granularity): MaskSpace {
  checkSparsity(sparsity, granularity);
  const { Wq, Wk } = fp;
  const dd = Wq.data.length;
  const groups: Int32Array[] = [];
  const prune: number[] = [];
  matrixGroups(Wq.rows, Wq.cols, 0, sparsity, granularity, groups, prune);
  matrixGroups(Wk.rows, Wk.cols, dd, sparsity, granularity, groups, prune);
  const weight = new Float64Array(2 * dd);
  weight.set(Wq.data);
  weight.set(Wk.data, dd);
  const norms = inputNorms(fp.X);
  const inputNorm = new Float64Array(2 * dd);
  for (let i = 0; i < Wq.rows; i++) {
    inputNorm.fill(norms[i], i * Wq.cols, (i + 1) * Wq.cols);
    inputNorm.fill(norms[i], dd + i * Wk.cols, dd + (i + 1) * Wk.cols);
  }
  return { size: 2 * dd, groups, prune, weight, inputNorm };
}

/** Stable ascending order of `idx` by scores[idx] (ties: lower index first). */
export function sortByScore(idx: Int32Array, scores: Float64Array): Int32Array {
  const arr = Array.from(idx);
  arr.sort((a, b) => scores[a] - scores[b] || a - b);
  return Int32Array.from(arr);
}

/**
 * Binary keep mask pruning the `counts[g]` lowest scores of each group (default: the
 * target `space.prune`). Entries with score −∞ go first, so a caller keeps earlier
 * prunings by scoring them −∞.
 */
export function pruneLowest(space: MaskSpace, scores: Float64Array, counts: readonly number[] = space.prune): Float64Array {
  const mask = new Float64Array(space.size).fill(1);
  space.groups.forEach((idx, g) => {
    const order = sortByScore(idx, scores);
    for (let t = 0; t < counts[g] && t < order.length; t++) mask[order[t]] = 0;
  });
  return mask;
}

/** Score of relaxed entries m in a space (see binarise.ts for the meaning of each). */
export function spaceScores(space: MaskSpace, m: Float64Array, score: BinariseScore): Float64Array {
  const out = new Float64Array(space.size);
  for (let i = 0; i < space.size; i++) {
    out[i] = score === 'relaxed' ? m[i] : Math.abs(m[i] * space.weight[i]) * (score === 'wanda-weighted' ? space.inputNorm[i] : 1);
  }
  return out;
}

/**
 * Bring a binary mask to the space's exact counts: where a group prunes too few, prune
 * its lowest-scoring kept entries; where too many, restore its highest-scoring pruned
 * ones. (Wanda's per-column count ⌊p·d⌋·d can differ from the global ⌊p·d²⌋.)
 */
export function fitToCounts(space: MaskSpace, mask: Float64Array, scores: Float64Array): Float64Array {
  const out = Float64Array.from(mask);
  space.groups.forEach((idx, g) => {
    const order = sortByScore(idx, scores);
    let pruned = 0;
    for (const i of idx) if (out[i] === 0) pruned++;
    for (let t = 0; t < order.length && pruned < space.prune[g]; t++)
      if (out[order[t]] !== 0) {
        out[order[t]] = 0;
        pruned++;
      }
    for (let t = order.length - 1; t >= 0 && pruned > space.prune[g]; t--)
      if (out[order[t]] === 0) {
        out[order[t]] = 1;
        pruned--;
      }
  });
  return out;
}

/** Matrix view helpers: a mask vector's slice as a rows×cols matrix (copy). */
export function sliceMatrix(v: Float64Array, offset: number, rows: number, cols: number): Matrix {
  return { rows, cols, data: v.slice(offset, offset + rows * cols) };
}
