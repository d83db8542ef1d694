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
 *
 * Q/K biases (GPT-2): factored mode keeps them as they are (frozen: never masked, never
 * refitted, not counted); the objective's logits add them (core/factored.ts). Merged mode
 * folds them in: X̃ = [X, 1] and W̃_h = [W_Q; b_Qᵀ][W_K; b_Kᵀ]ᵀ/√d_h, (d+1)×(d+1), and every
 * one of its (d+1)² entries is prunable (the bias terms are entries of W̃_h like any other).
 */
import { type Matrix, zeros } from '../core/matrix.ts';
import type { Problem } from '../core/problem.ts';
import type { Granularity } from '../core/mask.ts';
import { compareAttention, type AttentionMetrics } from '../core/attention.ts';
import type { GdOptions } from '../core/gd.ts';
import { augmentedMerged, type FactoredProblem, withOnesColumn } from '../core/factored.ts';
import { factoredMetrics } from '../core/objectiveFactory.ts';
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
import { architectureOf, headDim } from './config.ts';
import { getParam, type TransformerWeights } from './weights.ts';
import { forwardCaptures, headQK, type HeadLogitsFn, type HeadOverride } from './transformer.ts';

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
  /** The layers whose heads are pruned (default: all), ascending. */
  layers?: readonly number[];
  /** Only these heads (default: every head of `layers`); with it, `layers` is ignored. */
  heads?: readonly HeadId[];
}

/** A head of the model: layer and head, both from 0. */
export interface HeadId {
  layer: number;
  head: number;
}

/** Each layer's calibration X (float64, all sequences stacked) and the sequence lengths. */
export interface Calibration {
  xs: Matrix[];
  segments: number[];
}

/** Attention scores a calibration forward pass may hold at once (floats): GPT-2's 1 024-token windows go two at a time. */
const CALIBRATION_SCORES_BUDGET = 1 << 25;

/**
 * Record each layer's attention input X on the calibration sequences. With `layers`, the
 * forward pass stops after the last of them and only their X are kept (the others are empty
 * matrices): pruning GPT-2's layer 0 needs one block of the twelve, and each X of GPT-2 small
 * on 8 windows is 50 MB in float64. Long windows run a few at a time (their attention scores
 * are H·T² floats each); our models' windows all run in one pass.
 */
export function captureCalibration(model: TransformerWeights, sequences: readonly Int32Array[], layers?: readonly number[]): Calibration {
  if (sequences.length === 0) throw new Error('calibration needs at least one sequence');
  const T = sequences[0].length;
  if (sequences.some((s) => s.length !== T)) throw new Error('calibration sequences must have equal length');
  const { nLayers, nHeads, dModel: d } = model.config;
  const wanted = new Set(layers ?? Array.from({ length: nLayers }, (_, l) => l));
  const lastLayer = Math.max(...wanted);
  const xs = Array.from({ length: nLayers }, (_, l) => (wanted.has(l) ? zeros(sequences.length * T, d) : { rows: 0, cols: d, data: new Float64Array(0) }));
  const perPass = Math.max(1, Math.floor(CALIBRATION_SCORES_BUDGET / (nHeads * T * T)));
  for (let first = 0; first < sequences.length; first += perPass) {
    const chunk = sequences.slice(first, first + perPass);
    const r = forwardCaptures(model, chunk, { capture: true, lastLayer });
    (r.layers ?? []).forEach((l, layer) => {
      if (wanted.has(layer)) xs[layer].data.set(l.x!, first * T * d);
    });
  }
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

function pruneFactoredHead(fp: FactoredProblem, spec: ModelPruneSpec, o: RunOptions, cache: RelaxedCache | undefined, key: string) {
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
    wq: r.wq,
    wk: r.wk,
    override: { kind: 'factored', Wq: toF32(r.wq), Wk: toF32(r.wk) } as HeadOverride,
    pruned: countZeros(r.maskQ) + countZeros(r.maskK),
    total: fp.Wq.data.length + fp.Wk.data.length,
    notes: r.notes,
    compute: r.compute,
  };
}

/** The layers a spec prunes (all by default), each checked against the model. */
export function layersOf(spec: Pick<ModelPruneSpec, 'layers'>, nLayers: number): number[] {
  const layers = spec.layers ?? Array.from({ length: nLayers }, (_, l) => l);
  for (const l of layers) if (!Number.isInteger(l) || l < 0 || l >= nLayers) throw new Error(`layer ${l} out of range (the model has ${nLayers})`);
  return [...new Set(layers)].sort((a, b) => a - b);
}

/** Head h's slice of a layer's Q or K bias, in float64 (GPT-2 has them; our models do not). */
function headBias(model: TransformerWeights, layer: number, head: number, which: 'bq' | 'bk'): Float64Array {
  const dh = headDim(model.config);
  return Float64Array.from(getParam(model, `layers.${layer}.attn.${which}`).data.subarray(head * dh, (head + 1) * dh));
}

/**
 * What pruning one head needs, and nothing of the model: its layer's calibration X, its
 * W_Q and W_K columns (d×d_h) and Q/K bias slices. Heads are independent, so these travel
 * to any worker of the page's pool (structured clone) and `pruneHead` runs there.
 */
export interface HeadInputs {
  layer: number;
  head: number;
  X: Matrix;
  segments: number[];
  wq: Matrix;
  wk: Matrix;
  bq?: Float64Array;
  bk?: Float64Array;
}

/** Head `head` of `layer`: its inputs, read from the model and the calibration. */
export function headInputs(model: TransformerWeights, calib: Calibration, layer: number, head: number): HeadInputs {
  if (calib.xs[layer]?.rows === 0) throw new Error(`layer ${layer} was not calibrated (captureCalibration without it)`);
  const d = model.config.dModel;
  const dh = headDim(model.config);
  const biased = architectureOf(model.config).qkBias;
  const { Wq, Wk } = headQK(model, layer, head);
  return {
    layer,
    head,
    X: calib.xs[layer],
    segments: calib.segments,
    wq: matrix(d, dh, Wq),
    wk: matrix(d, dh, Wk),
    ...(biased ? { bq: headBias(model, layer, head, 'bq'), bk: headBias(model, layer, head, 'bk') } : {}),
  };
}

/**
 * Prune one head (the same path for every model and every caller: the CLI, the page's
 * shared model worker, the pool of workers of "Your own model"). With Q/K biases the
 * head's logits are X̃ W̃ X̃ᵀ over X̃ = [X, 1]: the merged problem and every metric use it.
 */
export function pruneHead(inputs: HeadInputs, spec: ModelPruneSpec, cache?: RelaxedCache): PrunedHead {
  const { layer, head, X, wq, wk, bq, bk } = inputs;
  const biased = bq !== undefined && bk !== undefined;
  const o = runOptions(spec, layer, head);
  if (spec.mode === 'merged') {
    const Xa = biased ? withOnesColumn(X) : X;
    const W = biased ? augmentedMerged(wq, wk, bq, bk) : merge(wq, wk);
    const problem: Problem = { X: Xa, W, causal: true, segments: inputs.segments };
    const r = pruneMergedHead(problem, spec, o, cache, `merged.${layer}.${head}`);
    return { layer, head, metrics: compareAttention(problem, r.wPruned), ...r };
  }
  const fp: FactoredProblem = { X, Wq: wq, Wk: wk, causal: true, segments: inputs.segments, ...(biased ? { bq, bk } : {}) };
  const r = pruneFactoredHead(fp, spec, o, cache, `factored.${layer}.${head}`);
  // The metrics in the factored form: the same numbers (to round-off) as through the merged W̃, at d_h/d of the work.
  return { layer, head, metrics: factoredMetrics(fp, r.wq, r.wk), ...r };
}

/**
 * Prune the heads one at a time, layer by layer, yielding each as it is done: the
 * page's worker pauses between heads (so a cancel gets through mid-model), the CLI
 * collects them with `pruneModel`. Pass the same `cache` to calls that differ only
 * in sparsity or N:M pattern (a sweep).
 */
export function* pruneModelSteps(model: TransformerWeights, calib: Calibration, spec: ModelPruneSpec, cache?: RelaxedCache): Generator<PrunedHead, void, void> {
  for (const { layer, head } of headsOf(spec, model.config)) yield pruneHead(headInputs(model, calib, layer, head), spec, cache);
}

/**
 * The heads a spec prunes, layer by layer, each ascending: `spec.heads` (each checked against
 * the model), or every head of `layersOf(spec)`.
 */
export function headsOf(spec: Pick<ModelPruneSpec, 'layers' | 'heads'>, config: { nLayers: number; nHeads: number }): HeadId[] {
  if (spec.heads === undefined) return layersOf(spec, config.nLayers).flatMap((layer) => Array.from({ length: config.nHeads }, (_, head) => ({ layer, head })));
  const seen = new Map<string, HeadId>();
  for (const { layer, head } of spec.heads) {
    layersOf({ layers: [layer] }, config.nLayers);
    if (!Number.isInteger(head) || head < 0 || head >= config.nHeads) throw new Error(`head ${head} out of range (the model has ${config.nHeads} per layer)`);
    seen.set(`${layer}.${head}`, { layer, head });
  }
  return [...seen.values()].sort((a, b) => a.layer - b.layer || a.head - b.head);
}

/** The layers whose heads a spec prunes, ascending. */
export function prunedLayersOf(spec: Pick<ModelPruneSpec, 'layers' | 'heads'>, config: { nLayers: number; nHeads: number }): number[] {
  return [...new Set(headsOf(spec, config).map((h) => h.layer))];
}

/** Prune every head of every layer; `onProgress` is called after each head. */
export function pruneModel(
  model: TransformerWeights,
  calib: Calibration,
  spec: ModelPruneSpec,
  onProgress?: (done: number, total: number) => void,
  cache?: RelaxedCache,
): ModelPruneResult {
  const start = performance.now();
  const total = headsOf(spec, model.config).length;
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
export function weightAccounting(model: TransformerWeights, result: ModelPruneResult) {
  const { nLayers, nHeads, dModel: d } = model.config;
  const dh = headDim(model.config);
  const heads = headsOf(result.spec, { nLayers, nHeads }).length;
  const kept = result.heads.reduce((s, h) => s + (h.total - h.pruned), 0);
  // With Q/K biases a merged W̃_h is (d+1)×(d+1) (the biases folded in); the biases are not counted as weights.
  const D = architectureOf(model.config).qkBias ? d + 1 : d;
  return {
    dense_qk_weights: heads * 2 * d * dh,
    merged_dense_entries: heads * D * D,
    kept_entries: kept,
    mode: result.spec.mode,
    break_even_sparsity_merged: D === d ? 1 - (2 * dh) / d : 1 - (2 * d * dh) / (D * D),
  };
}
