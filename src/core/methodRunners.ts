/**
 * Every pruning method of the registry (methods.ts) run on one head, merged (a mask on
 * W = W_Q W_Kᵀ/√d_h, d×d) or factored (masks on W_Q and W_K). `solve()` and the model
 * pruner (src/model/prune.ts) both go through here, so a method behaves the same on a
 * synthetic problem, in the CLI and in the page. The tables below are typed against
 * PruningMethodId: a registry entry without a runner is a compile error.
 */
import type { Matrix } from './matrix.ts';
import { type Granularity, applyMask } from './mask.ts';
import { type Problem, rowSlice } from './problem.ts';
import type { PruningMethodId, RefitId } from './methods.ts';
import { type ConvergenceReport, type GdOptions, GD_DEFAULTS, GradientDescent } from './gd.ts';
import { createObjective, factoredObjective, type KernelName } from './objectiveFactory.ts';
import type { FactoredProblem } from './factored.ts';
import { binariseFactored, binariseMerged } from './binarise.ts';
import { magnitudePrune } from './baselines/magnitude.ts';
import { wandaPrune } from './baselines/wanda.ts';
import { sparseGptPrune } from './baselines/sparsegpt.ts';
import { riaPrune } from './baselines/ria.ts';
import { randomPrune } from './baselines/random.ts';
import { attentionSwapSearch, factoredSwapSearch, type SwapTrace } from './swapSearch.ts';
import { attentionReconstruct, factoredReconstruct, type HeldOut, type ReconstructReport } from './reconstruct.ts';
import { linearErrorOfLayers, linearRefit } from './linearObjective.ts';
import { subSeed } from './random.ts';

/** The refit's rows and its held-out rows: the last `o.holdOut` sequences are held out. */
export function splitForRefit<P extends { X: Matrix; segments?: readonly number[]; causal?: boolean }>(p: P, holdOut = 0): { fit: P; heldOut?: HeldOut } {
  const segments = p.segments ?? [p.X.rows];
  if (holdOut <= 0 || segments.length - holdOut < 1) return { fit: p };
  const keep = segments.slice(0, segments.length - holdOut);
  const rows = keep.reduce((a, b) => a + b, 0);
  return {
    fit: { ...p, X: rowSlice(p.X, 0, rows), segments: keep },
    heldOut: { X: rowSlice(p.X, rows, p.X.rows - rows), segments: segments.slice(keep.length) },
  };
}
import { factoredGradualPrune, gradualPrune } from './gradual.ts';

/** The work budgets of the methods that search or refit (ours); the defaults fit the page's time budget. */
export interface MethodBudgets {
  /** Swap search: exact attention-loss evaluations. */
  swapEvaluations: number;
  /** Reconstruction: gradient steps at most (it stops earlier on the held-out set). */
  reconstructIters: number;
  /** Gradual pruning: stages and descent steps per stage. */
  gradualStages: number;
  gradualIters: number;
}

/**
 * Merged heads use the WASM kernel (≈ 1.5 ms an evaluation at n = 512, d = 64); the
 * factored objective ran in plain JavaScript then (≈ 12 ms), so its budgets are smaller.
 * Measured in docs/ablation.json (scripts/ablation.ts); the precomputed sweeps and their
 * parity tests rely on these budgets, so they stay although the factored kernel is now WASM too.
 */
export const METHOD_BUDGETS: Readonly<Record<'merged' | 'factored', MethodBudgets>> = {
  merged: { swapEvaluations: 300, reconstructIters: 150, gradualStages: 4, gradualIters: 50 },
  factored: { swapEvaluations: 80, reconstructIters: 30, gradualStages: 2, gradualIters: 15 },
};

export interface RunOptions {
  sparsity: number;
  granularity: Granularity;
  gd?: Partial<GdOptions>;
  kernel?: KernelName;
  /**
   * Reconstruction's early stopping: this many trailing sequences of the problem are
   * held out of the refit, which stops when their attention error stops falling (the
   * mask is still chosen on every sequence). 0 or fewer than 2 sequences left: no
   * held-out set, the refit runs its full budget.
   */
  holdOut?: number;
  budgets?: Partial<MethodBudgets>;
  /** The second stage, after the mask (default 'none'): the support is kept exactly. */
  refit?: RefitId;
  /** The random mask's seed (default 1); a model pruner derives one per head from it. */
  seed?: number;
}

/**
 * What a run cost, for the tables that compare methods on equal terms: wall time and
 * exact objective evaluations (each evaluation of the loss a stage optimises, gradient
 * included or not; the one-shot baselines and the closed-form linear refit make none).
 */
export interface Compute {
  timeMs: number;
  /** Evaluations of the mask stage's objective (attention, or linear for the linear swap search). */
  maskEvaluations: number;
  /** Evaluations of the attention refit's objective (0 for no refit and for the linear refit). */
  refitEvaluations: number;
}

/** What a method reports beyond its mask (each present only where the method has it). */
export interface MethodExtras {
  /** Algorithm 1: L(M_t) for t = 0..T and the relaxed mask M_T. */
  lossHistory?: number[];
  attentionLossHistory?: number[];
  relaxed?: Float64Array;
  convergence?: ConvergenceReport;
  search?: SwapTrace;
  reconstruction?: ReconstructReport;
  /** The linear refit: relative linear error ‖X(W′ − W)‖/‖XW‖ before and after. */
  linearRefit?: { before: number; after: number };
}

/** What the mask stage produced, with its own evaluation count. */
interface MaskStage<T> {
  outcome: T;
  evaluations: number;
}

export interface MergedOutcome extends MethodExtras {
  mask: Matrix;
  wPruned: Matrix;
  notes: string[];
}

export interface FactoredOutcome extends MethodExtras {
  maskQ: Matrix;
  maskK: Matrix;
  wq: Matrix;
  wk: Matrix;
  notes: string[];
}

/** A whole run (mask, then refit) with its cost. */
export type MergedRun = MergedOutcome & { refit: RefitId; compute: Compute };
export type FactoredRun = FactoredOutcome & { refit: RefitId; compute: Compute };

const gdOptions = (o: RunOptions): Required<GdOptions> => ({
  ...GD_DEFAULTS,
  ...Object.fromEntries(Object.entries(o.gd ?? {}).filter(([, v]) => v !== undefined)),
});
const budgets = (o: RunOptions, mode: 'merged' | 'factored'): MethodBudgets => ({ ...METHOD_BUDGETS[mode], ...o.budgets });

/** Algorithm 1 on a merged head from a relaxed mask already computed (a sweep reuses M_T across sparsities). */
export function roundMerged(problem: Problem, relaxed: Float64Array, o: RunOptions): MergedOutcome {
  const mask = binariseMerged(relaxed, problem, o.sparsity, o.granularity, gdOptions(o).score);
  return { mask, wPruned: applyMask(mask, problem.W), notes: [] };
}

/** Algorithm 1's descent on a merged head (no rounding yet). */
export function descendMerged(problem: Problem, o: RunOptions): GradientDescent {
  const opts = gdOptions(o);
  const gd = new GradientDescent(problem, opts, createObjective(problem, opts.lambda, o.kernel));
  gd.advance();
  return gd;
}

function gdExtras(gd: GradientDescent): MethodExtras {
  return {
    lossHistory: gd.lossHistory.slice(),
    attentionLossHistory: gd.attentionLossHistory.slice(),
    relaxed: Float64Array.from(gd.m),
    convergence: gd.convergenceReport(),
  };
}

type MergedRunner = (problem: Problem, o: RunOptions) => MaskStage<MergedOutcome>;

const none = <T>(outcome: T): MaskStage<T> => ({ outcome, evaluations: 0 });
const gradualEvaluations = (t: { stages: { evaluations: number }[] }): number => t.stages.reduce((a, s) => a + s.evaluations + 1, 0);
const seedOf = (o: RunOptions, part = ''): number => subSeed(o.seed ?? 1, `random${part}`);

/** The mask stage of every method (the registry's ids; a missing one is a compile error). */
const MERGED: { [K in PruningMethodId]: MergedRunner } = {
  gd: (problem, o) => {
    const gd = descendMerged(problem, o);
    const extras = gdExtras(gd);
    const notes =
      gd.options.lambda === 0
        ? ['lambda = 0: M = 1 is a stationary point (the attention term has zero gradient there), so the mask cannot move and ties are broken by index order.']
        : [];
    return { outcome: { ...roundMerged(problem, extras.relaxed ?? gd.m, o), ...extras, notes }, evaluations: gd.evaluations };
  },
  magnitude: (problem, o) => none(magnitudePrune(problem, o)),
  wanda: (problem, o) => none(wandaPrune(problem, o)),
  sparsegpt: (problem, o) => none(sparseGptPrune(problem, o)),
  ria: (problem, o) => none(riaPrune(problem, o)),
  random: (problem, o) => none(randomPrune(problem, { ...o, seed: seedOf(o) })),
  gradual: (problem, o) => {
    const b = budgets(o, 'merged');
    const g = gdOptions(o);
    const r = gradualPrune(problem, o, {
      stages: b.gradualStages,
      itersPerStage: b.gradualIters,
      lambda: g.lambda,
      eta: g.eta,
      score: g.score,
      kernel: o.kernel,
    });
    return { outcome: { mask: r.mask, wPruned: r.wPruned, notes: r.notes }, evaluations: gradualEvaluations(r.trace) };
  },
  swap: (problem, o) => swapMerged(problem, o, 'attention'),
  'swap-linear': (problem, o) => swapMerged(problem, o, 'linear'),
};

function swapMerged(problem: Problem, o: RunOptions, objective: 'attention' | 'linear'): MaskStage<MergedOutcome> {
  const r = attentionSwapSearch(problem, o, { maxEvaluations: budgets(o, 'merged').swapEvaluations, kernel: o.kernel, objective });
  return { outcome: { mask: r.mask, wPruned: r.wPruned, notes: r.notes, search: r.trace }, evaluations: r.trace.evaluations };
}

/**
 * The refit stage on a merged head: the mask is kept exactly, the kept weights move.
 * 'linear': exact least squares on ‖XW − XW′‖ over every calibration row. 'attention':
 * Armijo steps on the attention error from the mask stage's weights (SparseGPT's update
 * included), fitted on all but the last `o.holdOut` sequences and stopped on those.
 */
export function refitMerged(problem: Problem, stage: MaskStage<MergedOutcome>, o: RunOptions): { outcome: MergedOutcome; evaluations: number } {
  const r = stage.outcome;
  const refit = o.refit ?? 'none';
  if (refit === 'none') return { outcome: r, evaluations: 0 };
  if (refit === 'linear') {
    const l = linearRefit(problem.X, problem.W, r.mask, r.wPruned);
    return { outcome: { ...r, wPruned: l.wPruned, notes: [...r.notes, ...l.notes], linearRefit: { before: l.before, after: l.after } }, evaluations: 0 };
  }
  const { fit, heldOut } = splitForRefit(problem, o.holdOut);
  const a = attentionReconstruct(fit, r.mask, { iters: budgets(o, 'merged').reconstructIters, heldOut, init: r.wPruned, kernel: o.kernel });
  return { outcome: { ...r, wPruned: a.wPruned, notes: [...r.notes, ...a.notes], reconstruction: a.report }, evaluations: a.report.evaluations };
}

/** Run one method on a merged head, then its refit (`o.refit`), and say what it cost. */
export function runMerged(problem: Problem, method: PruningMethodId, o: RunOptions): MergedRun {
  return finishMerged(problem, () => MERGED[method](problem, o), o);
}

/** A mask stage computed elsewhere (a sweep's cached gradient descent), then the refit, timed. */
export function finishMerged(problem: Problem, maskStage: () => MaskStage<MergedOutcome>, o: RunOptions): MergedRun {
  const t0 = performance.now();
  const stage = maskStage();
  const refitted = refitMerged(problem, stage, o);
  return {
    ...refitted.outcome,
    refit: o.refit ?? 'none',
    compute: { timeMs: performance.now() - t0, maskEvaluations: stage.evaluations, refitEvaluations: refitted.evaluations },
  };
}

/** The linear baselines treat W_Q and W_K each as a linear layer X·W (as the official code treats q_proj, k_proj). */
function linearFactored(
  fp: FactoredProblem,
  o: RunOptions,
  prune: (p: Problem, o: RunOptions, part: string) => ReturnType<typeof magnitudePrune>,
): MaskStage<FactoredOutcome> {
  const rq = prune({ X: fp.X, W: fp.Wq, causal: fp.causal }, o, 'q');
  const rk = prune({ X: fp.X, W: fp.Wk, causal: fp.causal }, o, 'k');
  return none({
    maskQ: rq.mask,
    maskK: rk.mask,
    wq: rq.wPruned,
    wk: rk.wPruned,
    notes: [...rq.notes.map((n) => `W_Q: ${n}`), ...rk.notes.map((n) => `W_K: ${n}`)],
  });
}

/** Algorithm 1's descent on a factored head ([M_Q ; M_K]), run to its end (its objective released: read gd.m and its history). */
export function descendFactored(fp: FactoredProblem, o: RunOptions): GradientDescent {
  const opts = gdOptions(o);
  const objective = factoredObjective(fp, opts.lambda, o.kernel);
  const gd = new GradientDescent(undefined, opts, objective);
  try {
    gd.advance();
  } finally {
    objective.release?.();
  }
  return gd;
}

export function roundFactored(fp: FactoredProblem, relaxed: Float64Array, o: RunOptions): FactoredOutcome {
  const { maskQ, maskK } = binariseFactored(relaxed, fp, o.sparsity, o.granularity, gdOptions(o).score);
  return { maskQ, maskK, wq: applyMask(maskQ, fp.Wq), wk: applyMask(maskK, fp.Wk), notes: [] };
}

type FactoredRunner = (fp: FactoredProblem, o: RunOptions) => MaskStage<FactoredOutcome>;

const FACTORED: { [K in PruningMethodId]: FactoredRunner } = {
  gd: (fp, o) => {
    const gd = descendFactored(fp, o);
    const extras = gdExtras(gd);
    return { outcome: { ...roundFactored(fp, extras.relaxed ?? gd.m, o), ...extras }, evaluations: gd.evaluations };
  },
  magnitude: (fp, o) => linearFactored(fp, o, magnitudePrune),
  wanda: (fp, o) => linearFactored(fp, o, wandaPrune),
  sparsegpt: (fp, o) => linearFactored(fp, o, (p, oo) => sparseGptPrune(p, oo)),
  ria: (fp, o) => linearFactored(fp, o, riaPrune),
  random: (fp, o) => linearFactored(fp, o, (p, oo, part) => randomPrune(p, { ...oo, seed: seedOf(oo, part) })),
  gradual: (fp, o) => {
    const b = budgets(o, 'factored');
    const g = gdOptions(o);
    const r = factoredGradualPrune(fp, o, { stages: b.gradualStages, itersPerStage: b.gradualIters, lambda: g.lambda, eta: g.eta, score: g.score });
    return { outcome: { maskQ: r.maskQ, maskK: r.maskK, wq: r.wq, wk: r.wk, notes: r.notes }, evaluations: gradualEvaluations(r.trace) };
  },
  swap: (fp, o) => swapFactored(fp, o, 'attention'),
  'swap-linear': (fp, o) => swapFactored(fp, o, 'linear'),
};

function swapFactored(fp: FactoredProblem, o: RunOptions, objective: 'attention' | 'linear'): MaskStage<FactoredOutcome> {
  const r = factoredSwapSearch(fp, o, { maxEvaluations: budgets(o, 'factored').swapEvaluations, objective });
  return { outcome: { maskQ: r.maskQ, maskK: r.maskK, wq: r.wq, wk: r.wk, notes: r.notes, search: r.trace }, evaluations: r.trace.evaluations };
}

/** The refit stage on a factored head: W_Q and W_K each keep their support (see refitMerged). */
export function refitFactored(fp: FactoredProblem, stage: MaskStage<FactoredOutcome>, o: RunOptions): { outcome: FactoredOutcome; evaluations: number } {
  const r = stage.outcome;
  const refit = o.refit ?? 'none';
  if (refit === 'none') return { outcome: r, evaluations: 0 };
  if (refit === 'linear') {
    const q = linearRefit(fp.X, fp.Wq, r.maskQ, r.wq);
    const k = linearRefit(fp.X, fp.Wk, r.maskK, r.wk);
    const both = (wq: Matrix, wk: Matrix) =>
      linearErrorOfLayers(fp.X, [
        { W: fp.Wq, wPruned: wq },
        { W: fp.Wk, wPruned: wk },
      ]);
    return {
      outcome: {
        ...r,
        wq: q.wPruned,
        wk: k.wPruned,
        notes: [...r.notes, `W_Q: ${q.notes[0]}`, `W_K: ${k.notes[0]}`],
        linearRefit: { before: both(r.wq, r.wk), after: both(q.wPruned, k.wPruned) },
      },
      evaluations: 0,
    };
  }
  const { fit, heldOut } = splitForRefit(fp, o.holdOut);
  const a = factoredReconstruct(
    fit,
    { maskQ: r.maskQ, maskK: r.maskK },
    { iters: budgets(o, 'factored').reconstructIters, heldOut, init: { wq: r.wq, wk: r.wk } },
  );
  return { outcome: { ...r, wq: a.wq, wk: a.wk, notes: [...r.notes, ...a.notes], reconstruction: a.report }, evaluations: a.report.evaluations };
}

/** Run one method on a factored head, then its refit, and say what it cost. */
export function runFactored(fp: FactoredProblem, method: PruningMethodId, o: RunOptions): FactoredRun {
  return finishFactored(fp, () => FACTORED[method](fp, o), o);
}

export function finishFactored(fp: FactoredProblem, maskStage: () => MaskStage<FactoredOutcome>, o: RunOptions): FactoredRun {
  const t0 = performance.now();
  const stage = maskStage();
  const refitted = refitFactored(fp, stage, o);
  return {
    ...refitted.outcome,
    refit: o.refit ?? 'none',
    compute: { timeMs: performance.now() - t0, maskEvaluations: stage.evaluations, refitEvaluations: refitted.evaluations },
  };
}

export type { MaskStage };
