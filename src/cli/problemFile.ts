/** Read and validate a problem file `{ "X": number[n][d], "W": number[d][d], "causal"?: boolean }`. */
import { fromNested } from '../core/matrix.ts';
import type { Problem } from '../core/problem.ts';
import { checkShapes } from '../core/attention.ts';
import { UsageError } from './args.ts';
import { readInputFile } from './io.ts';
import { FILE_MAX_BYTES } from './limits.ts';

export function parseProblem(text: string, source: string): Problem {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${source} is not valid JSON (${(e as Error).message})`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new UsageError(`${source} must be a JSON object with "X" and "W"`);
  const obj = json as Record<string, unknown>;
  if (!('X' in obj)) throw new UsageError(`${source} has no "X"`);
  if (!('W' in obj)) throw new UsageError(`${source} has no "W"`);
  if (obj.causal !== undefined && typeof obj.causal !== 'boolean') throw new UsageError(`${source}: "causal" must be true or false`);
  try {
    const X = fromNested(obj.X as number[][], 'X');
    const W = fromNested(obj.W as number[][], 'W');
    checkShapes(X, W);
    return { X, W, causal: obj.causal === true };
  } catch (e) {
    throw new UsageError(`${source}: ${(e as Error).message}`);
  }
}

/** Read a problem file: a regular file of at most FILE_MAX_BYTES.problem bytes (limits.ts). */
export function readProblem(path: string, maxBytes: number = FILE_MAX_BYTES.problem): Problem {
  return parseProblem(readInputFile(path, `--problem ${path}`, maxBytes), path);
}

/**
 * Why a problem's results may not be finite, or null: the largest attention logit
 * |X W Xᵀ| bound (max ‖xᵢ‖² · max |Wⱼₖ| · d) overflows float64, or is so large that every
 * softmax row is one-hot (so KL to a pruned attention can be infinite).
 */
export function logitScaleHint(problem: Problem): string | null {
  let maxRow = 0;
  const { rows: n, cols: d, data: x } = problem.X;
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += x[i * d + j] * x[i * d + j];
    maxRow = Math.max(maxRow, s);
  }
  let maxW = 0;
  for (const v of problem.W.data) maxW = Math.max(maxW, Math.abs(v));
  const bound = maxRow * maxW * d;
  if (!Number.isFinite(bound) || !Number.isFinite(maxRow)) return 'the attention logits X·W·Xᵀ overflow float64: rescale X and W';
  if (bound > 700)
    return `the attention logits X·W·Xᵀ can reach ${bound.toPrecision(2)}, so the softmax rows are one-hot and pruned rows can put zero weight where the dense ones do not: rescale X and W`;
  return null;
}
