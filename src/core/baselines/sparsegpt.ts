/**
 * SparseGPT (Frantar & Alistarh, 2023; SPEC §4): optimal-brain-surgeon pruning with
 * weight reconstruction, ported from the logic of the official `fasterprune`
 * (IST-DASLab/sparsegpt, sparsegpt.py) to float64 TypeScript.
 *
 * Orientation: the official code works on a torch Linear weight, rows = outputs and
 * columns = inputs. Our W maps inputs to outputs as Y = X W (rows = inputs), so we
 * work on Wt = Wᵀ and transpose back at the end.
 *
 * Differences from the official code, on purpose:
 *  - unstructured blocks prune exactly their share of k (the official code compares
 *    scores with `<= thresh` and so prunes one extra weight per block); every method
 *    must remove the same number of weights.
 *  - ties are broken by the shared stable rule of mask.ts, not by torch's sort/topk.
 *  - a failed Cholesky raises damping and says so in `notes`, instead of crashing.
 */
import { InputError, NumericalError } from '../errors.ts';
import { type Matrix, zeros } from '../matrix.ts';
import { maskPruneLowestGlobal, maskPruneNM } from '../mask.ts';
import { sharedGram, cholesky, choleskyInverse, upperCholesky } from '../linalg.ts';
import type { Problem, PruneOptions, PruneResult } from '../problem.ts';
import { checkBaselineInput } from './magnitude.ts';

export interface SparseGptOptions {
  /** Input columns per lazy-update block (official default 128). */
  readonly blockSize?: number;
  /** Damping as a fraction of mean(diag H) (official default 0.01). */
  readonly percdamp?: number;
}

/**
 * Pivots below this fraction of their diagonal entry count as a failed Cholesky. An
 * exactly singular H (n < d, percdamp 0) leaves round-off pivots near ±1e-15·H_jj,
 * half of them positive; 1e-10 rejects those with a wide margin while still accepting
 * any H whose damping is ≥ 1e-10 of its largest diagonal entry.
 */
const PIVOT_REL_TOL = 1e-10;
/** Damping escalation: ×10 per retry, starting from at least this percdamp. */
const MIN_RETRY_PERCDAMP = 1e-6;
const MAX_DAMPING_TRIES = 12;

/** 1e-6 rather than 0.000001 (or 9.999999999999999e-7 after repeated ×10). */
const fmt = (x: number): string => (x === 0 ? '0' : Number(x.toPrecision(12)).toExponential());

/** U with UᵀU = H⁻¹ for H + damp·I, raising damp until every factorisation succeeds. */
function dampedInverseFactor(h: Matrix, percdamp: number, notes: string[]): Matrix {
  const d = h.rows;
  let mean = 0;
  for (let j = 0; j < d; j++) mean += h.data[j * d + j];
  mean /= d;
  let pd = percdamp;
  for (let attempt = 0; attempt < MAX_DAMPING_TRIES; attempt++) {
    const hd = zeros(d, d);
    hd.data.set(h.data);
    const damp = pd * mean;
    for (let j = 0; j < d; j++) hd.data[j * d + j] += damp;
    const l = cholesky(hd, PIVOT_REL_TOL);
    const u = l && upperCholesky(choleskyInverse(l), PIVOT_REL_TOL);
    if (u) {
      if (attempt > 0) {
        notes.push(
          `SparseGPT: Cholesky failed with percdamp = ${fmt(percdamp)} (H is singular or too ill-conditioned); ` +
            `raised damping to percdamp = ${fmt(pd)} (added ${damp.toExponential(3)} to diag H) after ${attempt} ` +
            `retr${attempt === 1 ? 'y' : 'ies'}.`,
        );
      }
      return u;
    }
    if (attempt < MAX_DAMPING_TRIES - 1) pd = Math.max(pd * 10, MIN_RETRY_PERCDAMP);
  }
  throw new NumericalError(
    `Cholesky failed: H is not positive definite even with damping percdamp = ${fmt(pd)} ` +
      `(${MAX_DAMPING_TRIES} tries from percdamp = ${fmt(percdamp)}); check X for non-finite values`,
  );
}

interface InverseFactor {
  U: Matrix;
  /** Inputs that are zero on every calibration token (their weights are set to 0). */
  dead: number[];
  notes: string[];
}

const FACTORS = new WeakMap<Float64Array, Map<number, InverseFactor>>();

/**
 * Steps 1–3 for a calibration X: H = (2/n) XᵀX, dead inputs patched, damping, U. They
 * depend on X and percdamp only, so they are computed once and shared (a GPT-2 layer's
 * 24 SparseGPT calls, W_Q and W_K of 12 heads, read one X; U of d = 768 is ~1 s in JS).
 */
function inverseFactorOf(X: Matrix, percdamp: number): InverseFactor {
  let byDamp = FACTORS.get(X.data);
  const hit = byDamp?.get(percdamp);
  if (hit && hit.U.rows === X.cols) return hit;
  const cols = X.cols;
  const notes: string[] = [];
  // Step 1: H = (2/n) XᵀX. The 2/n only rescales H (and U by a constant), but we keep
  // it so that H and the damping values match the official code.
  // A copy of the layer's shared Gram matrix: it is scaled and its diagonal patched below.
  const shared = sharedGram(X);
  const h = { rows: shared.rows, cols: shared.cols, data: Float64Array.from(shared.data) };
  const scale = 2 / X.rows;
  for (let t = 0; t < h.data.length; t++) h.data[t] *= scale;
  const dead: number[] = [];
  for (let j = 0; j < cols; j++) {
    if (h.data[j * cols + j] === 0) {
      // An input that is never active: its weights cannot matter to XW, and H would be singular.
      h.data[j * cols + j] = 1;
      dead.push(j);
    }
  }
  if (dead.length > 0)
    notes.push(
      `SparseGPT: ${dead.length} input feature(s) are zero on every calibration token (H_jj = 0); their weights were set to 0, as in the official code.`,
    );
  // Steps 2–3: damping and U = upper Cholesky factor of H⁻¹.
  const U = dampedInverseFactor(h, percdamp, notes);
  const factor = { U, dead, notes };
  if (!byDamp) {
    byDamp = new Map();
    FACTORS.set(X.data, byDamp);
  }
  byDamp.set(percdamp, factor);
  return factor;
}

export function sparseGptPrune(problem: Problem, opts: PruneOptions, options: SparseGptOptions = {}): PruneResult {
  checkBaselineInput(problem, opts, 'sparsegpt');
  const blockSize = options.blockSize ?? 128;
  const percdamp = options.percdamp ?? 0.01;
  if (!Number.isInteger(blockSize) || blockSize < 1) throw new InputError(`sparsegpt: blockSize must be a positive integer, got ${blockSize}`);
  if (!Number.isFinite(percdamp) || percdamp < 0) throw new InputError(`sparsegpt: percdamp must be >= 0, got ${percdamp}`);
  const g = opts.granularity;
  // An N:M group must not straddle two blocks: its later columns would be scored
  // before the previous block's errors reached them.
  if (g.kind === 'nm' && blockSize % g.m !== 0) {
    throw new InputError(`sparsegpt: blockSize ${blockSize} is not a multiple of M = ${g.m}`);
  }

  const { X, W } = problem;
  const cols = W.rows; // inputs = columns of Wt
  const rows = W.cols; // outputs = rows of Wt
  const notes: string[] = [];

  // Wt = Wᵀ, row-major rows × cols.
  const wt = new Float64Array(rows * cols);
  for (let i = 0; i < cols; i++) for (let j = 0; j < rows; j++) wt[j * cols + i] = W.data[i * rows + j];

  // Steps 1–3 depend on X alone: computed once per X and percdamp (every head of a layer, W_Q and W_K alike).
  const { U: u, dead, notes: factorNotes } = inverseFactorOf(X, percdamp);
  const U = u.data;
  for (const j of dead) for (let r = 0; r < rows; r++) wt[r * cols + j] = 0;
  notes.push(...factorNotes);

  // pruned[r*cols + c] = 1 when Wt_rc is pruned.
  const pruned = new Uint8Array(rows * cols);
  // Cumulative target: blocks [0, c) together prune ⌊p·rows·c⌋. For one block (d ≤ 128)
  // that is exactly ⌊p·rows·d⌋; with several blocks the per-block floors can no longer
  // lose weights, so the total is the same k = ⌊p·d²⌋ as every other method.
  const target = (c: number): number => Math.floor(opts.sparsity * rows * c + 1e-9);

  for (let i1 = 0; i1 < cols; i1 += blockSize) {
    const i2 = Math.min(i1 + blockSize, cols);
    const bw = i2 - i1;
    const err = new Float64Array(rows * bw); // Err1: each pruned weight's scaled error

    if (g.kind === 'unstructured') {
      // OBS saliency w²/[H⁻¹]_jj with the block's current (already updated) weights.
      // Flat order is row-major over the Wt block, like the official tmp.flatten().
      const scores = zeros(rows, bw);
      for (let r = 0; r < rows; r++) {
        for (let c = 0; c < bw; c++) {
          const w = wt[r * cols + i1 + c];
          const u = U[(i1 + c) * cols + i1 + c];
          scores.data[r * bw + c] = (w * w) / (u * u);
        }
      }
      // Exactly k pruned (the official `<= thresh` would add one per block).
      const keep = maskPruneLowestGlobal(scores, target(i2) - target(i1));
      for (let r = 0; r < rows; r++) for (let c = 0; c < bw; c++) if (keep.data[r * bw + c] === 0) pruned[r * cols + i1 + c] = 1;
    }

    for (let j = i1; j < i2; j++) {
      if (g.kind === 'nm' && (j - i1) % g.m === 0) {
        // Score this group of M columns *now*, after the updates from earlier columns.
        // maskPruneNM groups rows within a column, so lay the group out as M × rows.
        const m = g.m;
        const scores = zeros(m, rows);
        for (let t = 0; t < m; t++) {
          const u = U[(j + t) * cols + j + t];
          for (let r = 0; r < rows; r++) {
            const w = wt[r * cols + j + t];
            scores.data[t * rows + r] = (w * w) / (u * u);
          }
        }
        const keep = maskPruneNM(scores, g.n, m);
        for (let t = 0; t < m; t++) for (let r = 0; r < rows; r++) if (keep.data[t * rows + r] === 0) pruned[r * cols + j + t] = 1;
      }

      // Prune column j and let the later columns of the block compensate:
      // err = (w − q)/U_jj, W[:, j+1:i2] −= err ⊗ U[j, j+1:i2]. Kept weights have err = 0.
      const ujj = U[j * cols + j];
      const urow = j * cols;
      for (let r = 0; r < rows; r++) {
        const idx = r * cols + j;
        if (pruned[idx] === 0) continue;
        const e = wt[idx] / ujj;
        wt[idx] = 0; // exactly zero, never touched again
        err[r * bw + (j - i1)] = e;
        const base = r * cols;
        for (let c = j + 1; c < i2; c++) wt[base + c] -= e * U[urow + c];
      }
    }

    // Lazy batch update: the later columns receive the whole block's errors at once,
    // W[:, i2:] −= Err1 · U[i1:i2, i2:].
    if (i2 < cols) {
      for (let r = 0; r < rows; r++) {
        const base = r * cols;
        for (let t = 0; t < bw; t++) {
          const e = err[r * bw + t];
          if (e === 0) continue;
          const urow = (i1 + t) * cols;
          for (let c = i2; c < cols; c++) wt[base + c] -= e * U[urow + c];
        }
      }
    }
  }

  // Back to W's orientation: rows = inputs, columns = outputs; 1 = kept.
  const mask = zeros(cols, rows);
  const wPruned = zeros(cols, rows);
  for (let i = 0; i < cols; i++) {
    for (let j = 0; j < rows; j++) {
      mask.data[i * rows + j] = pruned[j * cols + i] === 1 ? 0 : 1;
      wPruned.data[i * rows + j] = wt[j * cols + i];
    }
  }
  return { mask, wPruned, notes };
}
