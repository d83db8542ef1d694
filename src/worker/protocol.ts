/**
 * Messages between a page and the solver worker. Problems travel as their seeded
 * recipe (SyntheticSpec), never as big matrices: the worker regenerates them, so a
 * result is reproducible from the URL alone.
 */
import type { SyntheticSpec } from '../core/synthetic.ts';
import type { Granularity } from '../core/mask.ts';
import type { GdOptions } from '../core/gd.ts';
import type { Method } from '../core/solve.ts';
import type { AttentionMetrics } from '../core/attention.ts';

/** Which arithmetic runs the gradient-descent objective. */
export type Engine = 'f64' | 'tfjs';

export type Job =
  | { kind: 'lab'; spec: SyntheticSpec; sparsity: number; gd: GdOptions; engine: Engine; snapshots: number }
  | { kind: 'compare'; spec: SyntheticSpec; sparsity: number; granularity: Granularity; methods: Method[]; gd: Partial<GdOptions> }
  | { kind: 'sweep'; spec: SyntheticSpec; sparsities: number[]; methods: Method[]; patterns: string[]; gd: Partial<GdOptions> }
  | { kind: 'exhaustive'; spec: SyntheticSpec; sparsity: number; gd: Partial<GdOptions> }
  | { kind: 'scatter'; spec: SyntheticSpec; sparsity: number; samples: number; seed: number; gd: Partial<GdOptions> };

export interface LabProgress {
  iteration: number;
  loss: number;
  attentionLoss: number;
  /** The relaxed mask at this iteration (d×d), sent every few iterations for the heatmap. */
  m?: Float64Array;
}

export interface LabResult {
  d: number;
  n: number;
  lossHistory: number[];
  attentionLossHistory: number[];
  /** Relaxed masks at chosen iterations, for scrubbing through the run. */
  snapshots: { iteration: number; m: Float64Array }[];
  mask: Float64Array;
  f0: Float64Array;
  fPruned: Float64Array;
  metrics: AttentionMetrics;
  safeEta: number;
  engine: string;
  timeMs: number;
}

export interface MethodOutcome {
  method: Method;
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
  method: Method;
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
  methods: { method: Method; attentionLoss: number; rank: number }[];
  timeMs: number;
}

export interface ScatterResult {
  /** Random masks at the same sparsity: (linear error, attention error) pairs. */
  random: { linear: number; attention: number }[];
  methods: { method: Method; linear: number; attention: number }[];
}

export type JobResult = LabResult | CompareResult | SweepRow[] | ExhaustiveJobResult | ScatterResult;

export type ToWorker = { type: 'run'; id: number; job: Job } | { type: 'cancel'; id: number };

export type FromWorker =
  | { type: 'progress'; id: number; progress: LabProgress | { done: number; total: number } }
  | { type: 'result'; id: number; result: JobResult }
  | { type: 'error'; id: number; message: string; kind: ErrorKind };

/** Why a job failed, so a widget can explain it in words. */
export type ErrorKind = 'divergence' | 'numerical' | 'input' | 'cancelled' | 'bug';
