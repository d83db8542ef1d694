/**
 * Binary masks (1 = kept, 0 = pruned) and the selection rules every method shares.
 *
 * One tie rule everywhere: scores are sorted ascending with a *stable* sort and the
 * first k are pruned, so among equal scores the lower flat index is pruned first.
 * That is numpy's `argsort(kind="stable")`, which an independent reference can use.
 */
import { InputError } from './errors.ts';
import { type Matrix, zeros, filled } from './matrix.ts';

/** How a method's pruned entries are grouped. */
export type Granularity =
  | { kind: 'unstructured' }
  /** In each output column j of W, in each group of m consecutive input rows, prune n. */
  | { kind: 'nm'; n: number; m: number };

/** Parse "2:4" into an N:M granularity; throws a one-line message on bad input. */
export function parseNM(text: string, d?: number): { kind: 'nm'; n: number; m: number } {
  const match = /^\s*(\d+)\s*:\s*(\d+)\s*$/.exec(text);
  if (!match) throw new InputError(`bad N:M pattern "${text}": expected two integers like 2:4`);
  const n = Number(match[1]);
  const m = Number(match[2]);
  if (m < 1 || n < 1 || n >= m) throw new InputError(`bad N:M pattern "${text}": need 1 <= N < M`);
  if (d !== undefined && d % m !== 0) throw new InputError(`bad N:M pattern "${text}": d = ${d} is not a multiple of M = ${m}`);
  return { kind: 'nm', n, m };
}

/** Number of entries pruned from a d×d matrix at sparsity p, unstructured: ⌊p·d²⌋. */
export function prunedCount(d: number, sparsity: number): number {
  return Math.floor(sparsity * d * d + 1e-9);
}

/** Stable ascending argsort of scores[offset + stride*t], t = 0..len-1; returns t-indices. */
function stableArgsort(values: Float64Array): Int32Array {
  const idx = new Int32Array(values.length);
  for (let i = 0; i < idx.length; i++) idx[i] = i;
  // Array.prototype.sort is stable (ES2019); compare on value, then index, to be explicit.
  const arr = Array.from(idx);
  arr.sort((a, b) => values[a] - values[b] || a - b);
  return Int32Array.from(arr);
}

/** Keep mask pruning the k lowest scores over the whole matrix. */
export function maskPruneLowestGlobal(scores: Matrix, k: number): Matrix {
  const mask = filled(scores.rows, scores.cols, 1);
  if (k <= 0) return mask;
  const order = stableArgsort(scores.data);
  for (let t = 0; t < k && t < order.length; t++) mask.data[order[t]] = 0;
  return mask;
}

/** Keep mask pruning the kPerColumn lowest scores within each column (compared over rows). */
export function maskPruneLowestPerColumn(scores: Matrix, kPerColumn: number): Matrix {
  const { rows, cols } = scores;
  const mask = filled(rows, cols, 1);
  if (kPerColumn <= 0) return mask;
  const column = new Float64Array(rows);
  for (let j = 0; j < cols; j++) {
    for (let i = 0; i < rows; i++) column[i] = scores.data[i * cols + j];
    const order = stableArgsort(column);
    for (let t = 0; t < kPerColumn && t < rows; t++) mask.data[order[t] * cols + j] = 0;
  }
  return mask;
}

/**
 * N:M keep mask: in each column j, rows are split into groups of m consecutive
 * rows and the n lowest-scoring rows of each group are pruned.
 */
export function maskPruneNM(scores: Matrix, n: number, m: number): Matrix {
  const { rows, cols } = scores;
  if (rows % m !== 0) throw new InputError(`bad N:M pattern ${n}:${m}: d = ${rows} is not a multiple of M = ${m}`);
  const mask = filled(rows, cols, 1);
  const group = new Float64Array(m);
  for (let j = 0; j < cols; j++) {
    for (let g = 0; g < rows; g += m) {
      for (let t = 0; t < m; t++) group[t] = scores.data[(g + t) * cols + j];
      const order = stableArgsort(group);
      for (let t = 0; t < n; t++) mask.data[(g + order[t]) * cols + j] = 0;
    }
  }
  return mask;
}

/** Apply a granularity: unstructured prunes k globally, N:M prunes per group. */
export function maskFromScores(scores: Matrix, sparsity: number, granularity: Granularity): Matrix {
  if (granularity.kind === 'nm') return maskPruneNM(scores, granularity.n, granularity.m);
  return maskPruneLowestGlobal(scores, Math.floor(sparsity * scores.data.length + 1e-9));
}

export function countPruned(mask: Matrix): number {
  let c = 0;
  for (let i = 0; i < mask.data.length; i++) if (mask.data[i] === 0) c++;
  return c;
}

export function applyMask(mask: Matrix, w: Matrix): Matrix {
  const out = zeros(w.rows, w.cols);
  for (let i = 0; i < w.data.length; i++) out.data[i] = mask.data[i] === 0 ? 0 : w.data[i];
  return out;
}
