/** The shared shapes of a pruning problem and of a baseline's answer. */
import type { Matrix } from './matrix.ts';
import type { Granularity } from './mask.ts';

/** One head's pruning problem: calibration activations X (n×d) and merged W (d×d). */
export interface Problem {
  readonly X: Matrix;
  readonly W: Matrix;
  /** Causal softmax: token i attends to tokens ≤ i. */
  readonly causal: boolean;
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
