/**
 * One entry point for "prune this matrix with that method": the CLI's `solve`,
 * the site's widgets and the tests all go through here, so they cannot disagree.
 */
import { InputError } from './errors.ts';
import type { Matrix } from './matrix.ts';
import type { Problem, PruneOptions, PruneResult } from './problem.ts';
import { type Granularity, countPruned } from './mask.ts';
import { type AttentionMetrics, compareAttention } from './attention.ts';
import { type GdOptions, GD_DEFAULTS, gradientDescentPrune } from './gd.ts';
import { type KernelName, createObjective } from './objectiveFactory.ts';
import { magnitudePrune } from './baselines/magnitude.ts';
import { wandaPrune } from './baselines/wanda.ts';
import { sparseGptPrune } from './baselines/sparsegpt.ts';
import { exhaustiveSearch, percentileRank } from './exhaustive.ts';
import { PRUNING_METHOD_IDS, type MethodId } from './methods.ts';

export interface SolveOptions {
  sparsity: number;
  granularity: Granularity;
  gd?: Partial<GdOptions>;
  /** The kernel gd evaluates the objective with (default: WASM SIMD where it runs, else JS). */
  kernel?: KernelName;
}

export interface SolveResult {
  method: MethodId;
  sparsity: number;
  mask: Matrix;
  wPruned: Matrix;
  pruned: number;
  metrics: AttentionMetrics;
  notes: string[];
  lossHistory?: number[];
  relaxed?: Matrix;
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

function runBaseline(method: 'magnitude' | 'wanda' | 'sparsegpt', problem: Problem, opts: PruneOptions): PruneResult {
  if (method === 'magnitude') return magnitudePrune(problem, opts);
  if (method === 'wanda') return wandaPrune(problem, opts);
  return sparseGptPrune(problem, opts);
}

export function solve(problem: Problem, method: MethodId, options: SolveOptions): SolveResult {
  validateSparsity(options.sparsity);
  const start = performance.now();
  const pruneOpts: PruneOptions = { sparsity: options.sparsity, granularity: options.granularity };
  const finish = (r: Omit<SolveResult, 'metrics' | 'timeMs' | 'method' | 'sparsity' | 'pruned'>): SolveResult => {
    const metrics = compareAttention(problem, r.wPruned);
    return { method, sparsity: effectiveSparsity(options), pruned: countPruned(r.mask), metrics, ...r, timeMs: performance.now() - start };
  };

  if (method === 'gd') {
    const lambda = options.gd?.lambda ?? GD_DEFAULTS.lambda;
    const objective = createObjective(problem, lambda, options.kernel);
    const r = gradientDescentPrune(problem, options.sparsity, options.granularity, options.gd, objective);
    return finish({ mask: r.mask, wPruned: r.wPruned, notes: r.notes, lossHistory: r.lossHistory, relaxed: r.relaxed });
  }
  if (method === 'exhaustive') {
    const ex = exhaustiveSearch(problem, options.sparsity, options.granularity);
    const rankOf: Record<string, number> = {};
    const notes: string[] = [];
    for (const other of PRUNING_METHOD_IDS) {
      const r = solve(problem, other, options);
      rankOf[other] = percentileRank(ex.losses, r.metrics.attentionLoss);
      if (other === 'sparsegpt') {
        notes.push('sparsegpt also updates the kept weights, so its loss is not one of the enumerated masks and can even beat the best mask.');
      }
    }
    const { mask } = ex;
    const wPruned = { rows: mask.rows, cols: mask.cols, data: mask.data.map((b, i) => (b === 0 ? 0 : problem.W.data[i])) };
    return finish({ mask, wPruned, notes, exhaustive: { optimum: ex.optimum, masks: ex.masks, rankOf, losses: ex.losses } });
  }
  const r = runBaseline(method, problem, pruneOpts);
  return finish({ mask: r.mask, wPruned: r.wPruned, notes: r.notes });
}
