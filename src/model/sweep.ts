/**
 * The one sparsity sweep: every method at every sparsity, each pruned model scored.
 * The CLI's `sweep`, the precompute scripts and the page's worker all run this loop;
 * they differ only in how a model is pruned and scored (the worker reuses its session's
 * cached results and pauses between heads), which they pass in.
 *
 * Order: sparsity outer, then method, then refit (the order of `cli -- sweep`'s rows).
 */
import type { ModelName } from './config.ts';
import type { ModelMethodId, RefitId } from '../core/methods.ts';
import type { Granularity } from '../core/mask.ts';
import type { GdOptions, GdSettings } from '../core/gd.ts';
import { type ModelPruneResult, type ModelPruneSpec, type PruneMode, totalCompute } from './prune.ts';

export interface SweepPlan {
  methods: readonly ModelMethodId[];
  /** Each method runs once per refit (default: none only). */
  refits?: readonly RefitId[];
  sparsities: readonly number[];
  mode: PruneMode;
  granularity: Granularity;
  gd: Partial<GdOptions>;
}

/** One pruned model of a sweep. */
export interface SweepCell<S> {
  method: ModelMethodId;
  refit: RefitId;
  sparsity: number;
  score: S;
  /** Each head's relative attention error on the calibration sequences, averaged over the heads. */
  meanAttentionError: number;
  timeMs: number;
  /** Exact objective evaluations over every head (mask stage + refit). */
  evaluations: number;
}

export interface SweepHooks<S> {
  prune(spec: ModelPruneSpec & { gd: Partial<GdOptions> }): ModelPruneResult | Promise<ModelPruneResult>;
  score(result: ModelPruneResult): S | Promise<S>;
  /** Called after each cell (progress lines, a pause so a cancel gets through). */
  afterCell?(cell: SweepCell<S>): void | Promise<void>;
}

/** The sparsities a plan really runs: an N:M pattern fixes the sparsity to N/M (one column). */
export function sweepSparsities(plan: Pick<SweepPlan, 'sparsities' | 'granularity'>): number[] {
  return plan.granularity.kind === 'nm' ? [plan.granularity.n / plan.granularity.m] : [...plan.sparsities];
}

export function validateSweepPlan(plan: SweepPlan): void {
  if (plan.methods.length === 0) throw new Error('choose at least one method');
  if (plan.sparsities.length === 0) throw new Error('choose at least one sparsity');
  for (const p of plan.sparsities) if (!(Number.isFinite(p) && p >= 0 && p < 1)) throw new Error(`every sparsity must be a number in [0, 1) (got ${p})`);
}

export function meanAttentionError(result: ModelPruneResult): number {
  return result.heads.reduce((a, h) => a + h.metrics.attentionError, 0) / result.heads.length;
}

export async function sweepModel<S>(plan: SweepPlan, hooks: SweepHooks<S>): Promise<SweepCell<S>[]> {
  validateSweepPlan(plan);
  const cells: SweepCell<S>[] = [];
  for (const sparsity of sweepSparsities(plan)) {
    for (const method of plan.methods) {
      for (const refit of plan.refits ?? ['none']) {
        const t0 = performance.now();
        const result = await hooks.prune({ method, refit, sparsity, mode: plan.mode, granularity: plan.granularity, gd: plan.gd });
        const score = await hooks.score(result);
        const c = totalCompute(result);
        const cell = {
          method,
          refit,
          sparsity,
          score,
          meanAttentionError: meanAttentionError(result),
          timeMs: performance.now() - t0,
          evaluations: c.maskEvaluations + c.refitEvaluations,
        };
        cells.push(cell);
        await hooks.afterCell?.(cell);
      }
    }
  }
  return cells;
}

/**
 * One row of a sweep as `cli -- sweep` prints it and the precomputed files store it:
 * the dense model first (method "dense", sparsity 0), then each method at each sparsity.
 * The metric is `perplexity` (brown-char) or `accuracy` (induction); the files drop
 * `time_ms`.
 */
export interface SweepRow {
  method: ModelMethodId | 'dense';
  /** The refit after the mask (absent on the dense row). */
  refit?: RefitId;
  sparsity: number;
  perplexity?: number;
  accuracy?: number;
  mean_attention_error: number;
  /** Exact objective evaluations over every head (deterministic, so the files keep it). */
  evaluations?: number;
  time_ms?: number;
}

/** What `sweep` prints as JSON (and, with the command that reproduces it, each sweep of the precomputed files). */
export interface SweepResult {
  model: ModelName;
  mode: PruneMode;
  nm?: string;
  metric: 'accuracy' | 'perplexity';
  calibration: string;
  /** The calibration windows each refit's rows used (equal data: see windowsUsed in prune.ts). */
  windows?: { refit: RefitId; calibration: number; mask: number; refit_fit: number; refit_stop: number }[];
  evaluation: string;
  gd: GdSettings;
  rows: SweepRow[];
}

/** A sweep of public/data/sweeps.json or page-sweeps.json. */
export interface SavedSweep extends SweepResult {
  command: string;
}

/** The value of a row's metric. */
export function rowMetric(sweep: Pick<SweepResult, 'metric'>, row: SweepRow): number {
  const v = sweep.metric === 'accuracy' ? row.accuracy : row.perplexity;
  if (v === undefined) throw new Error(`a sweep row of ${row.method} at ${row.sparsity} has no ${sweep.metric}`);
  return v;
}
