/**
 * Messages between a page and the solver worker. Problems travel as their seeded
 * recipe (SyntheticSpec), never as big matrices: the worker regenerates them, so a
 * result is reproducible from the URL alone.
 */
import type { NearPoint } from './nearCloud.ts';
import type { SyntheticSpec } from '../core/synthetic.ts';
import type { Granularity } from '../core/mask.ts';
import type { ConvergenceReport, GdOptions } from '../core/gd.ts';
import type { MethodId, ModelMethodId, RefitId } from '../core/methods.ts';
import type { Compute } from '../core/methodRunners.ts';
import type { AttentionMetrics } from '../core/attention.ts';
import type { ModelName } from '../model/config.ts';
import type { PruneMode } from '../model/prune.ts';
import type { TextDeparture, Top1Agreement } from '../model/textAgreement.ts';

/** Which arithmetic runs the gradient-descent objective. */
export type Engine = 'f64' | 'tfjs';

export type Job =
  | { kind: 'lab'; spec: SyntheticSpec; sparsity: number; gd: GdOptions; engine: Engine; snapshots: number }
  /** `refit`: the refit after every method's mask (default none), as the CLI's `solve --refit`. */
  | { kind: 'compare'; spec: SyntheticSpec; sparsity: number; granularity: Granularity; methods: MethodId[]; gd: Partial<GdOptions>; refit?: RefitId }
  | { kind: 'sweep'; spec: SyntheticSpec; sparsities: number[]; methods: MethodId[]; patterns: string[]; gd: Partial<GdOptions>; refit?: RefitId }
  | { kind: 'exhaustive'; spec: SyntheticSpec; sparsity: number; gd: Partial<GdOptions> }
  | { kind: 'scatter'; spec: SyntheticSpec; sparsity: number; samples: number; seed: number; gd: Partial<GdOptions>; near?: number }
  | { kind: 'gradcheck'; spec: SyntheticSpec; lambda: number; spread: number; h: number; sweep?: number[] }
  | { kind: 'lossFloor'; spec: SyntheticSpec; lambda: number; clip: boolean }
  | { kind: 'modelPrune'; settings: ModelSettings; methods: ModelMethodId[]; view?: AttentionView }
  | { kind: 'modelGenerate'; settings: ModelSettings; methods: ModelMethodId[]; prompt: string; tokens: number; seed: number; temperature: number }
  | { kind: 'modelSweep'; settings: Omit<ModelSettings, 'sparsity' | 'pattern'>; methods: ModelMethodId[]; sparsities: number[] };

/** How a shipped model is pruned: the same choices as `cli -- model-prune`. */
export interface ModelSettings {
  model: ModelName;
  /** Fraction of each head's entries set to zero; for an N:M pattern it is N/M and this is ignored. */
  sparsity: number;
  /** 'unstructured' or 'N:M' (e.g. '2:4'), as the CLI's --nm. */
  pattern: string;
  mode: PruneMode;
  gd: Partial<GdOptions>;
  /**
   * The refits after every method's mask (the CLI's --refit, one run per refit): each
   * chosen method runs once with each of these. Default ['none'].
   */
  refits?: RefitId[];
  /**
   * brown-char only: calibrate on the first 8 windows of this text (the CLI's
   * --calib-text) instead of the 8 seeded training windows (the CLI's default, seed 1).
   */
  calibText?: string;
}

/** Which attention patterns to return: every head's, on one prompt (text for brown-char, token ids for induction). */
export interface AttentionView {
  text?: string;
  tokens?: number[];
}

/** Attention probabilities of every head on the view's prompt: [layer][head][query t][key s], flattened. */
export interface AttentionPatterns {
  /** The prompt's tokens, as the model's characters (induction: token ids as strings). */
  tokens: string[];
  ids: number[];
  T: number;
  nLayers: number;
  nHeads: number;
  dense: Float32Array;
  /** One per method run, in the job's order. */
  pruned: Float32Array[];
}

/** One pruned head of a shipped model. */
export interface ModelPruneHead {
  layer: number;
  head: number;
  attentionError: number;
  attentionLoss: number;
  meanRowKL: number;
  pruned: number;
  total: number;
  notes: string[];
}

/** A model's score on the page's evaluation windows (perplexity; accuracy for induction). */
export interface ModelScore {
  crossEntropy: number;
  perplexity: number;
  accuracy?: number;
  tokens: number;
}

/** Weight accounting of one pruned model (SPEC §7), as `cli -- model-prune` reports it. */
export interface WeightAccounting {
  dense_qk_weights: number;
  merged_dense_entries: number;
  kept_entries: number;
  mode: PruneMode;
  break_even_sparsity_merged: number;
}

/** One method's pruning of every head, and the pruned model's score. */
export interface ModelMethodRun {
  method: ModelMethodId;
  refit: RefitId;
  /** Wall time and exact objective evaluations summed over the heads (as the CLI's `compute`). */
  compute: Compute;
  heads: ModelPruneHead[];
  pruned: ModelScore;
  weights: WeightAccounting;
  /** Time pruning the heads (gradient descent runs once per head and settings, then is reused). */
  pruneMs: number;
  pruning: PruningReport;
}

/**
 * How a job got one method's pruning. The page's model widgets share one worker and
 * its caches: a setting pruned by one widget is reused by the others (the browser
 * test checks that no setting is pruned twice).
 */
export interface PruningReport {
  /** The setting: method, sparsity, pattern, mode and (for gd) the full GD options. */
  setting: string;
  /** How many times this worker has pruned the setting so far. */
  count: number;
  /** True when this job reused an earlier job's pruning (it cost no pruning time). */
  reused: boolean;
}

/** What every model job reports about its setting. */
export interface ModelJobHeader {
  model: ModelName;
  mode: PruneMode;
  nLayers: number;
  nHeads: number;
  metric: 'accuracy' | 'perplexity';
  calibration: string;
  evaluation: string;
  backend: string;
  dense: ModelScore;
}

/** Pruning every head of a shipped model in the worker with one or more methods, and scoring dense and pruned. */
export interface ModelPruneJobResult extends ModelJobHeader {
  /** The effective sparsity (N/M for a pattern). */
  sparsity: number;
  pattern: string;
  runs: ModelMethodRun[];
  view?: AttentionPatterns;
  timeMs: { load: number; prune: number; evaluate: number; total: number };
}

/** The same prompt and seed continued by the dense model and by each pruned one. */
export interface ModelGenerateJobResult extends ModelJobHeader {
  sparsity: number;
  pattern: string;
  prompt: string;
  seed: number;
  temperature: number;
  tokens: number;
  denseText: string;
  /** What one generated token is ("character" for brown-char): the unit of `tokens` and of each departure. */
  unit: 'character' | 'token';
  runs: {
    method: ModelMethodId;
    refit: RefitId;
    text: string;
    pruned: ModelScore;
    /** Where this text first departs from the dense text (src/model/textAgreement.ts), with that token's characters in `text`. */
    departure: TextDeparture;
    /** Top-1 agreement with the dense model on the evaluation sequences. */
    agreement: Top1Agreement;
    pruning: PruningReport;
  }[];
  timeMs: { load: number; prune: number; generate: number; total: number };
}

/** Metric against sparsity for every method: the CLI's `sweep`, in the page. */
export interface ModelSweepJobResult extends ModelJobHeader {
  rows: {
    method: ModelMethodId;
    refit: RefitId;
    sparsity: number;
    /** Exact objective evaluations over every head (mask stage + refit). */
    evaluations: number;
    score: ModelScore;
    meanAttentionError: number;
    pruning: PruningReport;
  }[];
  timeMs: { load: number; total: number };
}

export interface LabProgress {
  iteration: number;
  loss: number;
  attentionLoss: number;
  /** The relaxed mask at this iteration (d×d), sent every few iterations for the heatmap. */
  m?: Float64Array;
}

/** One snapshot of a lab run: the relaxed mask at iteration t and the mask rounded from it. */
export interface LabSnapshot {
  iteration: number;
  /** The relaxed mask M_t (d×d). */
  m: Float64Array;
  /** The binary mask rounded from M_t with the run's score and sparsity (1 = kept), d×d. */
  rounded: Uint8Array;
  /** max |F′_t − F₀| over the attention matrix, for a colour scale fixed across t. */
  maxDiff: number;
}

/** Why a lab run stopped early: the solver's divergence, with the trajectory up to it kept. */
export interface LabDivergence {
  /** The solver's message (the same text the CLI prints before exiting with code 2). */
  message: string;
  /** The iteration at which the run was declared diverged, and L there. */
  iteration: number;
  loss: number;
}

export interface LabResult {
  d: number;
  n: number;
  /** L(M_t) for t = 0..the last iteration run (up to and including the one that diverged). */
  lossHistory: number[];
  attentionLossHistory: number[];
  /** Snapshots at chosen iterations, for scrubbing through the run (only finite masks). */
  snapshots: LabSnapshot[];
  /** X (n×d) and W (d×d), row-major, so the page can compute F′ for any snapshot's rounded mask. */
  x: Float64Array;
  w: Float64Array;
  causal: boolean;
  f0: Float64Array;
  /** ‖∇L(M₀)‖_F: exactly 0 when λ = 0 (M₀ = 1 is then a stationary point, SPEC §2). */
  startGradNorm: number;
  /** The end of a finished run (null when it diverged): the binarised mask and its attention. */
  final: { mask: Float64Array; fPruned: Float64Array; metrics: AttentionMetrics } | null;
  divergence: LabDivergence | null;
  safeEta: number;
  engine: string;
  /** The relative attention error of the mask rounded at each snapshot's iteration (the same rounding as at T). */
  roundedError: { iteration: number; error: number }[];
  /** Reference lines: the baselines' errors at the same sparsity, and the exhaustive optimum where d is small enough. */
  references: { method: MethodId; error: number }[];
  /** Iterations t at which L(M_t) > L(M_{t−1}): outside the theorem's descent hypothesis (none under Armijo steps). */
  raisedAt: number[];
  convergence: ConvergenceReport;
  timeMs: number;
}

/** L* for the lab's gap L(M_t) − L*: the loss after a long Armijo run of the same problem and λ (lossFloor.ts). */
export interface LossFloorResult {
  value: number;
  /** Armijo steps run (at most LOSS_FLOOR_ITERS). */
  iterations: number;
  /** True when L stopped moving before the last step. */
  converged: boolean;
  timeMs: number;
}

export interface MethodOutcome {
  method: MethodId;
  refit: RefitId;
  /** Wall time and exact objective evaluations of the mask stage and the refit (absent for the exhaustive search). */
  compute?: Compute;
  pattern: string;
  sparsity: number;
  pruned: number;
  metrics: AttentionMetrics;
  linearError: number;
  mask: Float64Array;
  fPruned: Float64Array;
  notes: string[];
  timeMs: number;
}

export interface CompareResult {
  n: number;
  d: number;
  f0: Float64Array;
  outcomes: MethodOutcome[];
}

export interface SweepRow {
  method: MethodId;
  pattern: string;
  sparsity: number;
  attentionError: number;
  meanRowKL: number;
  linearError: number;
}

export interface ExhaustiveJobResult {
  losses: Float64Array;
  optimum: number;
  masks: number;
  methods: { method: MethodId; attentionLoss: number; rank: number }[];
  timeMs: number;
}

export interface ScatterResult {
  /** Random masks at the same sparsity: (linear error, attention error) pairs. */
  random: { linear: number; attention: number }[];
  methods: { method: MethodId; linear: number; attention: number }[];
  /** Masks 1–4 swaps from each method's mask (`near` per method; none when omitted). */
  near: NearPoint[];
}

/** One finite-difference step of the gradient check's sweep over h. */
export interface GradcheckSweepPoint {
  h: number;
  /** max |∇L_closed − ∇L_fd| over the d² entries. */
  maxAbsDiff: number;
  /** ‖∇L_closed − ∇L_fd‖_F / ‖∇L_closed‖_F; null when the closed-form gradient is exactly zero. */
  relativeError: number | null;
}

/**
 * The gradient check: at the point M = 1 + spread·noise, the closed-form gradient of
 * SPEC §2 next to central finite differences (L(M + h eᵢⱼ) − L(M − h eᵢⱼ)) / 2h.
 */
export interface GradcheckResult {
  n: number;
  d: number;
  h: number;
  /** The point M (d×d, row-major). */
  m: Float64Array;
  /** L(M) and its attention term ½‖F(M) − F₀‖². */
  loss: number;
  attentionLoss: number;
  closedForm: Float64Array;
  finiteDiff: Float64Array;
  /** max |closed form| and max |finite difference|. */
  maxAbsClosed: number;
  maxAbsFinite: number;
  maxAbsDiff: number;
  /** ‖closed − fd‖_F / ‖closed‖_F; null when the closed form is exactly zero (then only the absolute difference means anything). */
  relativeError: number | null;
  /** Every entry of the closed-form gradient is exactly 0 (M = 1 and λ = 0). */
  exactlyZero: boolean;
  /** The same check over a range of h (the truncation / round-off trade-off). */
  sweep: GradcheckSweepPoint[];
  /** The h of the sweep with the smallest max |difference|. */
  bestH: number;
  evaluations: number;
  timeMs: number;
}

/** What each kind of job returns: the one table the worker, the client and the tests type against. */
export interface JobResults {
  lab: LabResult;
  compare: CompareResult;
  sweep: SweepRow[];
  exhaustive: ExhaustiveJobResult;
  scatter: ScatterResult;
  gradcheck: GradcheckResult;
  lossFloor: LossFloorResult;
  modelPrune: ModelPruneJobResult;
  modelGenerate: ModelGenerateJobResult;
  modelSweep: ModelSweepJobResult;
}

export type JobKind = Job['kind'];
export type JobOf<K extends JobKind> = Extract<Job, { kind: K }>;
export type ResultOf<K extends JobKind> = JobResults[K];
export type JobResult = JobResults[JobKind];

/** A result message as the worker sends it for a job of kind K. */
export interface ResultMessage<K extends JobKind> {
  type: 'result';
  id: number;
  kind: K;
  result: ResultOf<K>;
}

/** The message carries the result of a job of kind K: the worker tags every result with its job's kind. */
export function isResultFor<K extends JobKind>(kind: K, m: { kind: JobKind; result: JobResult }): m is ResultMessage<K> & { kind: JobKind; result: JobResult } {
  return m.kind === kind;
}

/** What each kind of job reports while it runs (the lab streams its iterate; the others count steps). */
export type ProgressOf<K extends JobKind> = K extends 'lab' ? LabProgress : StepProgress;

/** A progress report is the lab's (it carries the iteration) or a count of steps. */
export function isProgressFor<K extends JobKind>(kind: K, p: JobProgress): p is ProgressOf<K> & JobProgress {
  return (kind === 'lab') === 'iteration' in p;
}
export type JobProgress = LabProgress | StepProgress;

/** Progress of a job made of steps (heads pruned, models scored); `stage` says what in words. */
export interface StepProgress {
  done: number;
  total: number;
  stage?: string;
}

export type ToWorker = { type: 'run'; id: number; job: Job } | { type: 'cancel'; id: number };

export type FromWorker =
  | { type: 'progress'; id: number; progress: JobProgress }
  | { type: 'result'; id: number; kind: JobKind; result: JobResult }
  | { type: 'error'; id: number; message: string; kind: ErrorKind };

/** Why a job failed, so a widget can explain it in words. */
export type ErrorKind = 'divergence' | 'numerical' | 'input' | 'cancelled' | 'bug';
