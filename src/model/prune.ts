/**
 * Pruning every head of a model (SPEC §7), with the same core solvers as `solve`.
 *
 * Calibration: the dense model runs once on the calibration sequences; layer ℓ's
 * X is the layer-normed input of its attention, all sequences stacked, each
 * sequence attending only within itself (causal).
 *
 * Merged mode prunes W_h = W_Q^h W_K^hᵀ/√d_h (d² entries). Factored mode prunes
 * W_Q^h and W_K^h (d×d_h each): gradient descent uses the factored objective, the
 * linear baselines treat each as an ordinary linear layer X·W (as the official
 * SparseGPT/Wanda code treats q_proj and k_proj); every head is pruned to the same
 * sparsity. Values, output projections and MLPs stay dense.
 */
import { type Matrix, zeros } from '../core/matrix.ts';
import type { Problem } from '../core/problem.ts';
import type { Granularity } from '../core/mask.ts';
import { compareAttention, type AttentionMetrics } from '../core/attention.ts';
import type { GdOptions } from '../core/gd.ts';
import type { FactoredProblem } from '../core/factored.ts';
import type { ModelMethodId, RefitId } from '../core/methods.ts';
import {
  type Compute,
  type RunOptions,
  descendFactored,
  descendMerged,
  finishFactored,
  finishMerged,
  roundFactored,
  roundMerged,
  runFactored,
  runMerged,
} from '../core/methodRunners.ts';
import { subSeed } from '../core/random.ts';
import { headDim } from './config.ts';
import type { Model } from './weights.ts';
import { forward, headQK, mergedHeadWeight, type HeadLogitsFn, type HeadOverride } from './transformer.ts';

export type PruneMode = 'merged' | 'factored';

export interface ModelPruneSpec {
  method: ModelMethodId;
  sparsity: number;
  mode: PruneMode;
  granularity: Granularity;
  gd?: Partial<GdOptions>;
  /** The refit stage after the mask (default 'none'). */
  refit?: RefitId;
  /** The random mask's seed (each head draws its own stream from it; default 1). */
  seed?: number;
}

/** Each layer's calibration X (float64, all sequences stacked) and the sequence lengths. */
export interface Calibration {
  xs: Matrix[];
  segments: number[];
}

export function captureCalibration(model: Model, sequences: readonly Int32Array[]): Calibration {
  if (sequences.length === 0) throw new Error('calibration needs at least one sequence');
  const T = sequences[0].length;
  if (sequences.some((s) => s.length !== T)) throw new Error('calibration sequences must have equal length');
  const r = forward(model, sequences, { capture: true });
  const d = model.config.dModel;
  const xs = (r.layers ?? []).map((l) => {
    const x = zeros(sequences.length * T, d);
    x.data.set(l.x!);
    return x;
  });
  return { xs, segments: sequences.map(() => T) };
}

/** One pruned head: its logits override and what it cost. */
export interface PrunedHead {
  layer: number;
  head: number;
  override: HeadOverride;
  /** Attention metrics over the calibration sequences (SPEC §5). */
  metrics: AttentionMetrics;
  /** Entries pruned and total prunable entries (d² merged, 2·d·d_h factored). */
  pruned: number;
  total: number;
  notes: string[];
  /** Wall time and exact objective evaluations of this head's mask and refit. */
  compute: Compute;
}

export interface ModelPruneResult {
  spec: ModelPruneSpec;
  heads: PrunedHead[];
  timeMs: number;
}

/**
 * The calibration windows each stage used (equal data): every mask method sees all of
 * them; the linear refit fits on all of them; the attention refit fits on all but the
 * last REFIT_HOLD_OUT and stops on those (no window outside the calibration set).
 */
export function windowsUsed(spec: Pick<ModelPruneSpec, 'refit'>, calibrationWindows: number) {
  const refit = spec.refit ?? 'none';
  const stop = refit === 'attention' && calibrationWindows - REFIT_HOLD_OUT >= 1 ? REFIT_HOLD_OUT : 0;
  return {
    calibration: calibrationWindows,
    mask: calibrationWindows,
    refit_fit: refit === 'none' ? 0 : calibrationWindows - stop,
    refit_stop: stop,
  };
}

/** The compute of a whole model: the heads' sums. */
export function totalCompute(result: { heads: readonly { compute: Compute }[] }): Compute {
  return result.heads.reduce(
    (a, h) => ({
      timeMs: a.timeMs + h.compute.timeMs,
      maskEvaluations: a.maskEvaluations + h.compute.maskEvaluations,
      refitEvaluations: a.refitEvaluations + h.compute.refitEvaluations,
    }),
    { timeMs: 0, maskEvaluations: 0, refitEvaluations: 0 },
  );
}

function toF32(m: Matrix | Float64Array): Float32Array {
  return Float32Array.from('data' in m ? m.data : m);
}

/** A rows×cols float64 matrix holding `data`. */
export function matrix(rows: number, cols: number, data: ArrayLike<number>): Matrix {
  const m = zeros(rows, cols);
  m.data.set(data);
  return m;
}

/** W = Wq Wkᵀ/√d_h in float64. */
export function merge(wq: Matrix, wk: Matrix): Matrix {
  const d = wq.rows;
  const dh = wq.cols;
  const out = zeros(d, d);
  const s = 1 / Math.sqrt(dh);
  for (let i = 0; i < d; i++)
    for (let j = 0; j < d; j++) {
      let acc = 0;
      for (let k = 0; k < dh; k++) acc += wq.data[i * dh + k] * wk.data[j * dh + k];
      out.data[i * d + j] = acc * s;
    }
  return out;
}

/**
 * Relaxed masks M_T by head. M_T does not depend on the sparsity or the N:M pattern
 * (those only enter at binarisation), so a sweep runs gradient descent once per head.
 */
export type RelaxedCache = Map<string, Float64Array>;

/** What each cached descent cost (its evaluations), kept beside the cache's relaxed masks. */
const DESCENT_EVALUATIONS = new WeakMap<Float64Array, number>();

function relaxedMask(cache: RelaxedCache | undefined, key: string, run: () => Float64Array): Float64Array {
  let m = cache?.get(key);
  if (!m) {
    m = run();
    cache?.set(key, m);
  }
  return m;
}

/**
 * Reconstruction refits on all but the last two calibration sequences and stops when
 * the attention error on those two stops falling (the masks use all of them).
 */
export const REFIT_HOLD_OUT = 2;

const countZeros = (m: Matrix): number => m.data.reduce((c, v) => c + (v === 0 ? 1 : 0), 0);

const runOptions = (spec: ModelPruneSpec, layer: number, head: number): RunOptions => ({
  sparsity: spec.sparsity,
  granularity: spec.granularity,
  gd: spec.gd,
  holdOut: REFIT_HOLD_OUT,
  refit: spec.refit,
  seed: subSeed(spec.seed ?? 1, `head.${layer}.${head}`),
});

function pruneMergedHead(problem: Problem, spec: ModelPruneSpec, o: RunOptions, cache: RelaxedCache | undefined, key: string) {
  const r =
    spec.method === 'gd'
      ? finishMerged(
          problem,
          () => {
            const relaxed = relaxedMask(cache, key, () => {
              const gd = descendMerged(problem, o);
              const m = Float64Array.from(gd.m);
              DESCENT_EVALUATIONS.set(m, gd.evaluations);
              return m;
            });
            // A sweep reuses one descent at every sparsity: each cell reports the descent's cost.
            const evaluations = DESCENT_EVALUATIONS.get(relaxed) ?? 0;
            return { outcome: roundMerged(problem, relaxed, o), evaluations };
          },
          o,
        )
      : runMerged(problem, spec.method, o);
  return {
    wPruned: r.wPruned,
    override: { kind: 'merged', W: toF32(r.wPruned) } as HeadOverride,
    pruned: countZeros(r.mask),
    total: problem.W.data.length,
    notes: r.notes,
    compute: r.compute,
  };
}

function pruneFactoredHead(
  X: Matrix,
  segments: number[],
  wq: Matrix,
  wk: Matrix,
  spec: ModelPruneSpec,
  o: RunOptions,
  cache: RelaxedCache | undefined,
  key: string,
) {
  const fp: FactoredProblem = { X, Wq: wq, Wk: wk, causal: true, segments };
  const r =
    spec.method === 'gd'
      ? finishFactored(
          fp,
          () => {
            const relaxed = relaxedMask(cache, key, () => {
              const gd = descendFactored(fp, o);
              const m = Float64Array.from(gd.m);
              DESCENT_EVALUATIONS.set(m, gd.evaluations);
              return m;
            });
            // A sweep reuses one descent at every sparsity: each cell reports the descent's cost.
            const evaluations = DESCENT_EVALUATIONS.get(relaxed) ?? 0;
            return { outcome: roundFactored(fp, relaxed, o), evaluations };
          },
          o,
        )
      : runFactored(fp, spec.method, o);
  return {
    wMerged: merge(r.wq, r.wk),
    override: { kind: 'factored', Wq: toF32(r.wq), Wk: toF32(r.wk) } as HeadOverride,
    pruned: countZeros(r.maskQ) + countZeros(r.maskK),
    total: wq.data.length + wk.data.length,
    notes: r.notes,
    compute: r.compute,
  };
}

/**
 * Prune the heads one at a time, layer by layer, yielding each as it is done: the
 * page's worker pauses between heads (so a cancel gets through mid-model), the CLI
 * collects them with `pruneModel`. Pass the same `cache` to calls that differ only
 * in sparsity or N:M pattern (a sweep).
 */
export function* pruneModelSteps(model: Model, calib: Calibration, spec: ModelPruneSpec, cache?: RelaxedCache): Generator<PrunedHead, void, void> {
  const { nLayers, nHeads, dModel: d } = model.config;
  const dh = headDim(model.config);
  for (let layer = 0; layer < nLayers; layer++) {
    const X = calib.xs[layer];
    for (let head = 0; head < nHeads; head++) {
      const W = matrix(d, d, mergedHeadWeight(model, layer, head));
      const problem: Problem = { X, W, causal: true, segments: calib.segments };
      let wEffective: Matrix;
      let rest: { override: HeadOverride; pruned: number; total: number; notes: string[]; compute: Compute };
      const o = runOptions(spec, layer, head);
      if (spec.mode === 'merged') {
        const r = pruneMergedHead(problem, spec, o, cache, `merged.${layer}.${head}`);
        wEffective = r.wPruned;
        rest = r;
      } else {
        const { Wq, Wk } = headQK(model, layer, head);
        const r = pruneFactoredHead(X, calib.segments, matrix(d, dh, Wq), matrix(d, dh, Wk), spec, o, cache, `factored.${layer}.${head}`);
        wEffective = r.wMerged;
        rest = r;
      }
      yield { layer, head, metrics: compareAttention(problem, wEffective), ...rest };
    }
  }
}

/** Prune every head of every layer; `onProgress` is called after each head. */
export function pruneModel(
  model: Model,
  calib: Calibration,
  spec: ModelPruneSpec,
  onProgress?: (done: number, total: number) => void,
  cache?: RelaxedCache,
): ModelPruneResult {
  const start = performance.now();
  const total = model.config.nLayers * model.config.nHeads;
  const heads: PrunedHead[] = [];
  for (const h of pruneModelSteps(model, calib, spec, cache)) {
    heads.push(h);
    onProgress?.(heads.length, total);
  }
  return { spec, heads, timeMs: performance.now() - start };
}

/** The head-logit overrides of a pruning result, for forward/crossEntropy/generate. */
export function headLogitsOf(result: { heads: readonly Pick<PrunedHead, 'layer' | 'head' | 'override'>[] }): HeadLogitsFn {
  const byKey = new Map(result.heads.map((h) => [`${h.layer}.${h.head}`, h.override]));
  return (layer, head) => byKey.get(`${layer}.${head}`);
}

/**
 * Weight accounting (SPEC §7): the dense model stores W_Q and W_K (2·d·d_h per
 * head); a merged mask keeps (1−p)·d² entries of W_h instead, which is fewer only
 * above sparsity 1 − 2d_h/d; a factored mask keeps (1−p)·2·d·d_h.
 */
export function weightAccounting(model: Model, result: ModelPruneResult) {
  const { nLayers, nHeads, dModel: d } = model.config;
  const dh = headDim(model.config);
  const heads = nLayers * nHeads;
  const kept = result.heads.reduce((s, h) => s + (h.total - h.pruned), 0);
  return {
    dense_qk_weights: heads * 2 * d * dh,
    merged_dense_entries: heads * d * d,
    kept_entries: kept,
    mode: result.spec.mode,
    break_even_sparsity_merged: 1 - (2 * dh) / d,
  };
}
