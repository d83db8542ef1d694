/**
 * One entry point for "prune this matrix with that method": the CLI's `solve`,
 * the site's widgets and the tests all go through here, so they cannot disagree.
 */
import { InputError } from './errors.ts';
import type { Matrix } from './matrix.ts';
import type { Problem } from './problem.ts';
import { type Granularity, countPruned } from './mask.ts';
import { type AttentionMetrics, compareAttention } from './attention.ts';
import { exhaustiveSearch, percentileRank } from './exhaustive.ts';
import { PRUNING_METHOD_IDS, type MethodId, updatesWeights } from './methods.ts';
import { type Compute, type MethodExtras, type RunOptions, runMerged } from './methodRunners.ts';
import type { RefitId } from './methods.ts';

/** The options of one solve: the method runners' (sparsity, pattern, Algorithm 1's settings, kernel, budgets). */
export type SolveOptions = RunOptions;

export interface SolveResult {
  method: MethodId;
  /** The refit stage after the mask ('none' for the exhaustive search). */
  refit: RefitId;
  sparsity: number;
  mask: Matrix;
  wPruned: Matrix;
  pruned: number;
  metrics: AttentionMetrics;
  notes: string[];
  lossHistory?: number[];
  relaxed?: Matrix;
  /** Algorithm 1: descent, rate and PL bound; the searches and refits: what they did. */
  convergence?: MethodExtras['convergence'];
  search?: MethodExtras['search'];
  reconstruction?: MethodExtras['reconstruction'];
  linearRefit?: MethodExtras['linearRefit'];
  /** Wall time and exact objective evaluations of the mask stage and the refit. */
  compute?: Compute;
  exhaustive?: { optimum: number; masks: number; rankOf: Record<string, number>; losses: Float64Array };
  timeMs: number;
}

export function validateSparsity(p: number): void {
  if (!(typeof p === 'number' && Number.isFinite(p) && p >= 0 && p < 1)) {
    throw new InputError(`sparsity must be a number in [0, 1) (got ${p})`);
  }
}

/** The sparsity a granularity really produces (N:M fixes it to N/M). */
export function effectiveSparsity(opts: { sparsity: number; granularity: Granularity }): number {
  return opts.granularity.kind === 'nm' ? opts.granularity.n / opts.granularity.m : opts.sparsity;
}

export function solve(problem: Problem, method: MethodId, options: SolveOptions): SolveResult {
  validateSparsity(options.sparsity);
  const start = performance.now();
  const finish = (r: Omit<SolveResult, 'metrics' | 'timeMs' | 'method' | 'sparsity' | 'pruned' | 'refit'>, refit: RefitId = 'none'): SolveResult => {
    const metrics = compareAttention(problem, r.wPruned);
    return { method, refit, sparsity: effectiveSparsity(options), pruned: countPruned(r.mask), metrics, ...r, timeMs: performance.now() - start };
  };

  if (method === 'exhaustive') {
    const ex = exhaustiveSearch(problem, options.sparsity, options.granularity);
    const rankOf: Record<string, number> = {};
    const notes: string[] = [];
    for (const other of PRUNING_METHOD_IDS) {
      const r = solve(problem, other, { ...options, refit: 'none' });
      rankOf[other] = percentileRank(ex.losses, r.metrics.attentionLoss);
      if (updatesWeights(other)) {
        notes.push(`${other} also updates the kept weights, so its loss is not one of the enumerated masks and can even beat the best mask.`);
      }
    }
    const { mask } = ex;
    const wPruned = { rows: mask.rows, cols: mask.cols, data: mask.data.map((b, i) => (b === 0 ? 0 : problem.W.data[i])) };
    return finish({ mask, wPruned, notes, exhaustive: { optimum: ex.optimum, masks: ex.masks, rankOf, losses: ex.losses } });
  }
  const r = runMerged(problem, method, options);
  const relaxed = r.relaxed ? { rows: problem.W.rows, cols: problem.W.cols, data: r.relaxed } : undefined;
  return finish(
    {
      mask: r.mask,
      wPruned: r.wPruned,
      notes: r.notes,
      ...(r.lossHistory ? { lossHistory: r.lossHistory } : {}),
      ...(relaxed ? { relaxed } : {}),
      ...(r.convergence ? { convergence: r.convergence } : {}),
      ...(r.search ? { search: r.search } : {}),
      ...(r.reconstruction ? { reconstruction: r.reconstruction } : {}),
      ...(r.linearRefit ? { linearRefit: r.linearRefit } : {}),
      compute: r.compute,
    },
    r.refit,
  );
}
