/**
 * The home page's figure, without the DOM: one small, peaked head pruned at k of its d²
 * weights by a linear method and by an attention-aware one, with the dense and both
 * pruned attention maps and both errors. Plain math on the main thread (src/core's
 * solve(), the same one the CLI runs), a few tens of milliseconds per setting.
 */
import { syntheticProblem } from '../../core/synthetic.ts';
import { solve } from '../../core/solve.ts';
import { attention } from '../../core/attention.ts';
import type { Matrix } from '../../core/matrix.ts';
import type { PruningMethodId } from '../../core/methods.ts';
import type { Problem } from '../../core/problem.ts';

/** Small enough to be instant, peaked enough (scale 3) for the softmax to matter. */
export const HOME_FIGURE = { n: 16, d: 8, seed: 1, scale: 3 } as const;
/** The choices the figure offers: linear methods, and attention-aware ones fast enough to run on every slider step. */
export const HOME_LINEAR: readonly PruningMethodId[] = ['wanda', 'magnitude', 'sparsegpt'];
export const HOME_ATTENTION: readonly PruningMethodId[] = ['swap', 'gd'];

export interface HomeSide {
  method: PruningMethodId;
  f: Matrix;
  attentionError: number;
}

export interface HomeComparison {
  k: number;
  f0: Matrix;
  linear: HomeSide;
  aware: HomeSide;
}

export function homeProblem(): Problem {
  return syntheticProblem(HOME_FIGURE);
}

/** Both methods at k of d² weights pruned. */
export function compareAt(problem: Problem, k: number, linear: PruningMethodId, aware: PruningMethodId, f0 = attention(problem.X, problem.W)): HomeComparison {
  const d = problem.W.rows;
  const sparsity = k / (d * d);
  const side = (method: PruningMethodId): HomeSide => {
    const r = solve(problem, method, { sparsity, granularity: { kind: 'unstructured' } });
    return { method, f: attention(problem.X, r.wPruned), attentionError: r.metrics.attentionError };
  };
  return { k, f0, linear: side(linear), aware: side(aware) };
}

/** Over every k from 1 to d² − 1: at how many does the attention-aware method have the smaller error (the home page quotes it). */
export function winsOverK(linear: PruningMethodId, aware: PruningMethodId): { wins: number; ties: number; levels: number } {
  const problem = homeProblem();
  const d = problem.W.rows;
  let wins = 0;
  let ties = 0;
  const f0 = attention(problem.X, problem.W);
  for (let k = 1; k < d * d; k++) {
    const c = compareAt(problem, k, linear, aware, f0);
    if (c.aware.attentionError < c.linear.attentionError * (1 - 1e-12)) wins++;
    else if (Math.abs(c.aware.attentionError - c.linear.attentionError) <= 1e-12 * c.linear.attentionError) ties++;
  }
  return { wins, ties, levels: d * d - 1 };
}
