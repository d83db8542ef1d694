/**
 * Gradual pruning with gradient descent (ours, SPEC §9). Instead of one descent and
 * one rounding to the full sparsity, the target is reached in S stages: at stage s the
 * survivors' relaxed mask is re-optimised from M = B_{s−1} (survivors 1, pruned
 * entries held at exactly 0) by Algorithm 1's descent with Armijo steps, then the
 * lowest-scoring survivors are pruned up to the stage's count c_s. The attention term
 * thus sees the damage already done and can shift importance onto the survivors
 * before the next cut. The last stage prunes exactly the target (⌊p·d²⌋, or N:M).
 *
 * Stage counts per group: c_s = round(c · s/S) ('linear'), or the cubic schedule of
 * Zhu & Gupta (2017), c_s = round(c · (1 − (1 − s/S)³)), which cuts most early while
 * the mask is still nearly dense ('cubic').
 */
import type { Matrix } from './matrix.ts';
import type { Problem, PruneOptions } from './problem.ts';
import type { Objective } from './gd.ts';
import { GradientDescent } from './gd.ts';
import { applyMask } from './mask.ts';
import { createObjective, factoredObjective, type KernelName } from './objectiveFactory.ts';
import type { FactoredProblem } from './factored.ts';
import type { BinariseScore } from './binarise.ts';
import { type MaskSpace, factoredSpace, mergedSpace, pruneLowest, sliceMatrix, spaceScores } from './maskSpace.ts';
import type { FactoredPruneResult } from './swapSearch.ts';

export interface GradualOptions {
  /** Stages S (default 4). */
  stages?: number;
  /** Descent steps per stage (default 100). */
  itersPerStage?: number;
  /** λ of the descent (default 0.1, Algorithm 1's). */
  lambda?: number;
  /** Initial trial step of the Armijo rule (default 0.05). */
  eta?: number;
  /** Score that decides which survivors are cut (default 'magnitude-weighted'). */
  score?: BinariseScore;
  schedule?: 'linear' | 'cubic';
  kernel?: KernelName;
}

export interface GradualTrace {
  /** Per stage: entries pruned after it, descent steps, attention loss of the stage's binary mask. */
  stages: { pruned: number; steps: number; evaluations: number; stepsRaisedL: number; binaryAttentionLoss: number }[];
}

const DEFAULTS = {
  stages: 4,
  itersPerStage: 100,
  lambda: 0.1,
  eta: 0.05,
  score: 'magnitude-weighted' as BinariseScore,
  schedule: 'linear' as 'linear' | 'cubic',
};

/** The stage loop on any space; `exact` is the λ = 0 objective used to report each stage's binary loss. */
export function gradualCore(
  space: MaskSpace,
  objective: Objective,
  exact: Objective,
  options: GradualOptions = {},
): { mask: Float64Array; trace: GradualTrace } {
  const o = { ...DEFAULTS, ...stripUndefined(options) };
  if (!(Number.isInteger(o.stages) && o.stages >= 1)) throw new Error(`stages must be an integer >= 1 (got ${o.stages})`);
  let b: Float64Array = new Float64Array(space.size).fill(1);
  const trace: GradualTrace = { stages: [] };
  for (let s = 1; s <= o.stages; s++) {
    const frac = s / o.stages;
    const f = o.schedule === 'cubic' ? 1 - (1 - frac) ** 3 : frac;
    const counts = space.prune.map((c) => (s === o.stages ? c : Math.round(c * f)));
    const frozen = Uint8Array.from(b, (v) => (v === 0 ? 1 : 0));
    const gd = new GradientDescent(undefined, { step: 'armijo', eta: o.eta, iters: o.itersPerStage, lambda: o.lambda }, objective, { m: b, frozen });
    gd.advance();
    const scores = spaceScores(space, gd.m, o.score);
    for (let i = 0; i < scores.length; i++) if (b[i] === 0) scores[i] = -Infinity; // earlier cuts stay cut
    b = pruneLowest(space, scores, counts);
    const rep = gd.convergenceReport();
    trace.stages.push({
      pruned: counts.reduce((a, c) => a + c, 0),
      steps: gd.iteration,
      evaluations: gd.evaluations,
      stepsRaisedL: rep.stepsRaisedL,
      binaryAttentionLoss: exact.evaluate(b).attentionLoss,
    });
  }
  return { mask: b, trace };
}

/** Merged gradual pruning of a problem's W. */
export function gradualPrune(
  problem: Problem,
  opts: PruneOptions,
  options: GradualOptions = {},
): { mask: Matrix; wPruned: Matrix; notes: string[]; trace: GradualTrace } {
  const space = mergedSpace(problem, opts.sparsity, opts.granularity);
  const lambda = options.lambda ?? DEFAULTS.lambda;
  const { mask, trace } = gradualCore(space, createObjective(problem, lambda, options.kernel), createObjective(problem, 0, options.kernel), options);
  const m = sliceMatrix(mask, 0, problem.W.rows, problem.W.cols);
  return { mask: m, wPruned: applyMask(m, problem.W), notes: [noteOf(trace, options)], trace };
}

/** Factored gradual pruning of [M_Q ; M_K]. */
export function factoredGradualPrune(fp: FactoredProblem, opts: PruneOptions, options: GradualOptions = {}): FactoredPruneResult & { trace: GradualTrace } {
  const space = factoredSpace(fp, opts.sparsity, opts.granularity);
  const lambda = options.lambda ?? DEFAULTS.lambda;
  const { mask, trace } = gradualCore(space, factoredObjective(fp, lambda, options.kernel), factoredObjective(fp, 0, options.kernel, true), options);
  const dd = fp.Wq.data.length;
  const maskQ = sliceMatrix(mask, 0, fp.Wq.rows, fp.Wq.cols);
  const maskK = sliceMatrix(mask, dd, fp.Wk.rows, fp.Wk.cols);
  return { maskQ, maskK, wq: applyMask(maskQ, fp.Wq), wk: applyMask(maskK, fp.Wk), notes: [noteOf(trace, options)], trace };
}

function noteOf(trace: GradualTrace, options: GradualOptions): string {
  const o = { ...DEFAULTS, ...stripUndefined(options) };
  const raised = trace.stages.reduce((a, s) => a + s.stepsRaisedL, 0);
  return `ours: gradual pruning in ${o.stages} stages (${o.schedule}), ${o.itersPerStage} Armijo steps per stage at λ = ${o.lambda}, cut by ${o.score}; ${raised} steps raised L`;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}
