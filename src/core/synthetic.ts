/**
 * Synthetic pruning problems: Gaussian X and W. The weight scale sets how peaked
 * attention is: logits X W Xᵀ grow like scale·d, so a small scale gives nearly
 * uniform rows and a large one gives nearly one-hot rows.
 */
import { InputError } from './errors.ts';
import { type Matrix, zeros } from './matrix.ts';
import type { Problem } from './problem.ts';
import { gaussian, mulberry32, subSeed } from './random.ts';

export interface SyntheticSpec {
  n: number;
  d: number;
  seed: number;
  /** Standard deviation of W's entries is scale / √d (1/√d keeps logits O(1) at scale 1). */
  scale?: number;
  causal?: boolean;
}

function gaussianMatrix(rows: number, cols: number, std: number, seed: number): Matrix {
  const normal = gaussian(mulberry32(seed));
  const m = zeros(rows, cols);
  for (let i = 0; i < m.data.length; i++) m.data[i] = std * normal();
  return m;
}

export function syntheticProblem(spec: SyntheticSpec): Problem {
  const { n, d, seed } = spec;
  if (!(Number.isInteger(n) && n >= 1 && Number.isInteger(d) && d >= 1)) {
    throw new InputError(`synthetic problem needs positive integer n and d (got n=${n}, d=${d})`);
  }
  const scale = spec.scale ?? 1;
  const X = gaussianMatrix(n, d, 1, subSeed(seed, 'X'));
  const W = gaussianMatrix(d, d, scale / Math.sqrt(d), subSeed(seed, 'W'));
  return { X, W, causal: spec.causal ?? false };
}
