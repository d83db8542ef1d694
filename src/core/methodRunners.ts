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
import type { PruningMethodId } from './methods.ts';
import { type ConvergenceReport, type GdOptions, GD_DEFAULTS, GradientDescent } from './gd.ts';
import { createObjective, type KernelName } from './objectiveFactory.ts';
import { FactoredObjective, type FactoredProblem } from './factored.ts';
import { binariseFactored, binariseMerged } from './binarise.ts';
import { magnitudePrune } from './baselines/magnitude.ts';
import { wandaPrune } from './baselines/wanda.ts';
import { sparseGptPrune } from './baselines/sparsegpt.ts';
import { attentionSwapSearch, factoredSwapSearch, type SwapTrace } from './swapSearch.ts';
import { attentionReconstruct, factoredReconstruct, type HeldOut, type ReconstructReport } from './reconstruct.ts';

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
 * factored objective runs in plain JavaScript (≈ 12 ms), so its budgets are smaller.
 * Measured in docs/ablation.json (scripts/ablation.ts).
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

type MergedRunner = (problem: Problem, o: RunOptions) => MergedOutcome;

const MERGED: { [K in PruningMethodId]: MergedRunner } = {
  gd: (problem, o) => {
    const gd = descendMerged(problem, o);
    const extras = gdExtras(gd);
    const notes =
      gd.options.lambda === 0
        ? ['lambda = 0: M = 1 is a stationary point (the attention term has zero gradient there), so the mask cannot move and ties are broken by index order.']
        : [];
    return { ...roundMerged(problem, extras.relaxed ?? gd.m, o), ...extras, notes };
  },
  magnitude: (problem, o) => magnitudePrune(problem, o),
  wanda: (problem, o) => wandaPrune(problem, o),
  sparsegpt: (problem, o) => sparseGptPrune(problem, o),
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
    return { mask: r.mask, wPruned: r.wPruned, notes: r.notes };
  },
  swap: (problem, o) => {
    const r = attentionSwapSearch(problem, o, { maxEvaluations: budgets(o, 'merged').swapEvaluations, kernel: o.kernel });
    return { mask: r.mask, wPruned: r.wPruned, notes: r.notes, search: r.trace };
  },
  'swap-recon': (problem, o) => {
    const s = attentionSwapSearch(problem, o, { maxEvaluations: budgets(o, 'merged').swapEvaluations, kernel: o.kernel });
    const { fit, heldOut } = splitForRefit(problem, o.holdOut);
    const r = attentionReconstruct(fit, s.mask, { iters: budgets(o, 'merged').reconstructIters, heldOut, kernel: o.kernel });
    return { mask: r.mask, wPruned: r.wPruned, notes: [...s.notes, ...r.notes], search: s.trace, reconstruction: r.report };
  },
  'sparsegpt-recon': (problem, o) => {
    const s = sparseGptPrune(problem, o);
    const { fit, heldOut } = splitForRefit(problem, o.holdOut);
    const r = attentionReconstruct(fit, s.mask, { iters: budgets(o, 'merged').reconstructIters, heldOut, init: s.wPruned, kernel: o.kernel });
    return { mask: r.mask, wPruned: r.wPruned, notes: [...s.notes, ...r.notes], reconstruction: r.report };
  },
};

/** Run one method on a merged head. */
export function runMerged(problem: Problem, method: PruningMethodId, o: RunOptions): MergedOutcome {
  return MERGED[method](problem, o);
}

/** The linear baselines treat W_Q and W_K each as a linear layer X·W (as the official code treats q_proj, k_proj). */
function linearFactored(fp: FactoredProblem, o: RunOptions, prune: typeof magnitudePrune): FactoredOutcome {
  const rq = prune({ X: fp.X, W: fp.Wq, causal: fp.causal }, o);
  const rk = prune({ X: fp.X, W: fp.Wk, causal: fp.causal }, o);
  return { maskQ: rq.mask, maskK: rk.mask, wq: rq.wPruned, wk: rk.wPruned, notes: [...rq.notes.map((n) => `W_Q: ${n}`), ...rk.notes.map((n) => `W_K: ${n}`)] };
}

/** Algorithm 1's descent on a factored head ([M_Q ; M_K]). */
export function descendFactored(fp: FactoredProblem, o: RunOptions): GradientDescent {
  const opts = gdOptions(o);
  const gd = new GradientDescent(undefined, opts, new FactoredObjective(fp, opts.lambda));
  gd.advance();
  return gd;
}

export function roundFactored(fp: FactoredProblem, relaxed: Float64Array, o: RunOptions): FactoredOutcome {
  const { maskQ, maskK } = binariseFactored(relaxed, fp, o.sparsity, o.granularity, gdOptions(o).score);
  return { maskQ, maskK, wq: applyMask(maskQ, fp.Wq), wk: applyMask(maskK, fp.Wk), notes: [] };
}

type FactoredRunner = (fp: FactoredProblem, o: RunOptions) => FactoredOutcome;

const FACTORED: { [K in PruningMethodId]: FactoredRunner } = {
  gd: (fp, o) => {
    const gd = descendFactored(fp, o);
    const extras = gdExtras(gd);
    return { ...roundFactored(fp, extras.relaxed ?? gd.m, o), ...extras };
  },
  magnitude: (fp, o) => linearFactored(fp, o, magnitudePrune),
  wanda: (fp, o) => linearFactored(fp, o, wandaPrune),
  sparsegpt: (fp, o) => linearFactored(fp, o, sparseGptPrune),
  gradual: (fp, o) => {
    const b = budgets(o, 'factored');
    const g = gdOptions(o);
    const r = factoredGradualPrune(fp, o, { stages: b.gradualStages, itersPerStage: b.gradualIters, lambda: g.lambda, eta: g.eta, score: g.score });
    return { maskQ: r.maskQ, maskK: r.maskK, wq: r.wq, wk: r.wk, notes: r.notes };
  },
  swap: (fp, o) => {
    const r = factoredSwapSearch(fp, o, { maxEvaluations: budgets(o, 'factored').swapEvaluations });
    return { maskQ: r.maskQ, maskK: r.maskK, wq: r.wq, wk: r.wk, notes: r.notes, search: r.trace };
  },
  'swap-recon': (fp, o) => {
    const s = factoredSwapSearch(fp, o, { maxEvaluations: budgets(o, 'factored').swapEvaluations });
    const { fit, heldOut } = splitForRefit(fp, o.holdOut);
    const r = factoredReconstruct(fit, s, { iters: budgets(o, 'factored').reconstructIters, heldOut });
    return { maskQ: r.maskQ, maskK: r.maskK, wq: r.wq, wk: r.wk, notes: [...s.notes, ...r.notes], search: s.trace, reconstruction: r.report };
  },
  'sparsegpt-recon': (fp, o) => {
    const s = linearFactored(fp, o, sparseGptPrune);
    const { fit, heldOut } = splitForRefit(fp, o.holdOut);
    const r = factoredReconstruct(
      fit,
      { maskQ: s.maskQ, maskK: s.maskK },
      { iters: budgets(o, 'factored').reconstructIters, heldOut, init: { wq: s.wq, wk: s.wk } },
    );
    return { maskQ: r.maskQ, maskK: r.maskK, wq: r.wq, wk: r.wk, notes: [...s.notes, ...r.notes], reconstruction: r.report };
  },
};

/** Run one method on a factored head. */
export function runFactored(fp: FactoredProblem, method: PruningMethodId, o: RunOptions): FactoredOutcome {
  return FACTORED[method](fp, o);
}
