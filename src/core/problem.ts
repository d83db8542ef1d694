/** The shared shapes of a pruning problem and of a baseline's answer. */
import { InputError } from './errors.ts';
import type { Matrix } from './matrix.ts';
import type { Granularity } from './mask.ts';

/** One head's pruning problem: calibration activations X (n×d) and merged W (d×d). */
export interface Problem {
  readonly X: Matrix;
  readonly W: Matrix;
  /** Causal softmax: token i attends to tokens ≤ i. */
  readonly causal: boolean;
  /**
   * Lengths of the sequences X is made of (summing to n). Each sequence attends only
   * within itself (SPEC §7); the loss sums over sequences. Omitted: one sequence.
   */
  readonly segments?: readonly number[];
}

/** The sequence lengths of a problem, checked: positive integers summing to n. */
export function segmentsOf(problem: Problem): readonly number[] {
  const n = problem.X.rows;
  if (!problem.segments) return [n];
  let sum = 0;
  for (const len of problem.segments) {
    if (!(Number.isInteger(len) && len >= 1)) throw new InputError(`segments must be positive integers (got ${len})`);
    sum += len;
  }
  if (sum !== n) throw new InputError(`segments sum to ${sum} but X has ${n} rows`);
  return problem.segments;
}

/** The rows [start, start + len) of X as a view (no copy). */
export function rowSlice(X: Matrix, start: number, len: number): Matrix {
  return { rows: len, cols: X.cols, data: X.data.subarray(start * X.cols, (start + len) * X.cols) };
}

/** Each sequence of a problem as its own X (views). */
export function sequenceBlocks(problem: Problem): Matrix[] {
  const blocks: Matrix[] = [];
  let start = 0;
  for (const len of segmentsOf(problem)) {
    blocks.push(rowSlice(problem.X, start, len));
    start += len;
  }
  return blocks;
}

export interface PruneOptions {
  /** Fraction of entries pruned, in [0, 1). Ignored by N:M, whose sparsity is N/M. */
  readonly sparsity: number;
  readonly granularity: Granularity;
}

/** What a linear baseline returns: the binary keep mask and the weight the pruned attention uses. */
export interface PruneResult {
  /** 1 = kept, 0 = pruned. */
  readonly mask: Matrix;
  /** The weight the pruned attention uses: B ∘ W, or SparseGPT's updated weight. */
  readonly wPruned: Matrix;
  /** Things the reader must be told (e.g. SparseGPT had to raise damping). */
  readonly notes: string[];
}
