/**
 * Attention-aware mask search (ours, SPEC §9): start from a linear method's mask and
 * swap entries — one kept entry out, one pruned entry in, inside the same comparison
 * group (so the count, or the N:M pattern, never changes) — accepting a swap only when
 * the EXACT attention loss ½‖F(B ∘ W) − F₀‖² on the calibration set drops.
 *
 * Proposals come from the gradient of the attention loss with respect to the binary
 * mask, g = ∂L/∂B = W ∘ (Xᵀ P X) at the current B (SPEC §2 with λ = 0; factored: the
 * gradient of [B_Q ; B_K]). To first order, dropping kept entry i changes L by −g_i
 * and restoring pruned entry j by +g_j, so a swap (i out, j in) is predicted to change
 * it by g_j − g_i: each round ranks the pairs made of the `perGroup` kept entries of
 * largest g and the `perGroup` pruned entries of smallest g in every group, and tries
 * them in order (exactly) until one improves. Deterministic (stable ordering by index),
 * monotone by construction, and bounded by `maxEvaluations`.
 */
import type { Matrix } from './matrix.ts';
import type { Problem, PruneOptions } from './problem.ts';
import type { Objective } from './gd.ts';
import { applyMask } from './mask.ts';
import { createObjective, factoredObjective, type KernelName } from './objectiveFactory.ts';
import type { FactoredProblem } from './factored.ts';
import { type MaskSpace, factoredSpace, fitToCounts, mergedSpace, sliceMatrix, sortByScore } from './maskSpace.ts';
import { BASELINES } from './baselines/index.ts';
import { BASELINE_METHOD_IDS, type BaselineMethodId } from './methods.ts';
import { LinearMaskObjective } from './linearObjective.ts';
import { num } from '../ui/format.ts';

/** A loss for the notes, through format.ts (which refuses NaN: a note says it in words). */
const shownLoss = (x: number): string => (Number.isNaN(x) ? 'not a number' : num(x, 4));

export interface SwapSearchOptions {
  /** Exact objective evaluations allowed, gradient evaluations included (default 300). */
  maxEvaluations?: number;
  /** Rounds (= accepted swaps at most) allowed (default: unbounded, the evaluation budget rules). */
  maxRounds?: number;
  /** Kept and pruned entries considered per group and round (default 4: 16 pairs per group). */
  perGroup?: number;
  /** Pairs tried exactly per round before the search stops as a local optimum (default 24). */
  candidates?: number;
  /**
   * Starting mask: the best of the registry's baselines' masks (SparseGPT: its support)
   * by the search's own objective ('best-linear', default), one of them, or a given keep mask.
   */
  start?: SwapStart | Matrix | { maskQ: Matrix; maskK: Matrix };
  kernel?: KernelName;
  /**
   * What a swap must lower: the exact attention loss (ours, default) or the linear loss
   * ½‖XW − X(B∘W)‖² (its twin, the control): the same start rule, proposals from the
   * objective's own gradient ∂/∂B, budget and acceptance test.
   */
  objective?: 'attention' | 'linear';
}

export type SwapStart = 'best-linear' | BaselineMethodId;

/** What the search needs of an objective: L(B) and, when asked, ∂L/∂B. */
type SearchObjective = Pick<Objective, 'evaluate'>;

export interface SwapTrace {
  /** Exact attention loss of the start, then after each accepted swap (strictly decreasing). */
  lossHistory: number[];
  evaluations: number;
  accepted: number;
  rounds: number;
  stopped: 'budget' | 'local-optimum' | 'rounds';
  /** Which mask the search started from. */
  start: string;
}

const SWAP_DEFAULTS = { maxEvaluations: 300, maxRounds: Infinity, perGroup: 4, candidates: 24 };

/** The search itself, on any mask space and objective (λ must be 0: the attention loss alone). */
export function swapSearchCore(
  space: MaskSpace,
  objective: SearchObjective,
  start: Float64Array,
  options: SwapSearchOptions = {},
): { mask: Float64Array; trace: Omit<SwapTrace, 'start'> } {
  const o = { ...SWAP_DEFAULTS, ...stripUndefined(options) };
  if (!(o.maxEvaluations >= 1)) throw new Error(`maxEvaluations must be >= 1 (got ${o.maxEvaluations})`);
  const b = Float64Array.from(start);
  const g = new Float64Array(space.size);
  const trial = new Float64Array(space.size);
  const neg = new Float64Array(space.size);
  let evaluations = 1;
  let current = objective.evaluate(b, g).attentionLoss;
  const lossHistory = [current];
  let accepted = 0;
  let rounds = 0;
  let stopped: SwapTrace['stopped'] = 'budget';
  for (;;) {
    if (rounds >= o.maxRounds) {
      stopped = 'rounds';
      break;
    }
    if (evaluations >= o.maxEvaluations) break;
    rounds++;
    for (let i = 0; i < g.length; i++) neg[i] = -g[i];
    const pairs: { out: number; into: number; est: number }[] = [];
    for (const idx of space.groups) {
      const kept = idx.filter((i) => b[i] !== 0);
      const pruned = idx.filter((i) => b[i] === 0);
      if (kept.length === 0 || pruned.length === 0) continue;
      const outs = sortByScore(kept, neg).subarray(0, o.perGroup); // largest g first
      const ins = sortByScore(pruned, g).subarray(0, o.perGroup); // smallest g first
      for (const i of outs) for (const j of ins) pairs.push({ out: i, into: j, est: g[j] - g[i] });
    }
    pairs.sort((p, q) => p.est - q.est || p.out - q.out || p.into - q.into);
    let improved = false;
    for (let t = 0; t < pairs.length && t < o.candidates && evaluations < o.maxEvaluations; t++) {
      trial.set(b);
      trial[pairs[t].out] = 0;
      trial[pairs[t].into] = 1;
      evaluations++;
      const loss = objective.evaluate(trial).attentionLoss;
      if (loss < current) {
        b.set(trial);
        current = loss;
        lossHistory.push(loss);
        accepted++;
        improved = true;
        break;
      }
    }
    if (!improved) {
      if (evaluations < o.maxEvaluations) stopped = 'local-optimum';
      break;
    }
    if (evaluations >= o.maxEvaluations) break;
    evaluations++;
    objective.evaluate(b, g);
  }
  return { mask: b, trace: { lossHistory, evaluations, accepted, rounds, stopped } };
}

export interface SwapSearchResult {
  mask: Matrix;
  wPruned: Matrix;
  notes: string[];
  trace: SwapTrace;
}

/** Candidate starts of one linear layer {X, W}, each brought to the space's exact counts. */
function linearStarts(layer: Problem, opts: PruneOptions, space: MaskSpace, offset: number, which: SwapStart): { name: string; mask: Float64Array }[] {
  const names: readonly BaselineMethodId[] = which === 'best-linear' ? BASELINE_METHOD_IDS : [which];
  const scores = new Float64Array(space.size);
  return names.map((name) => {
    const r = BASELINES[name].prune(layer, opts);
    const s = BASELINES[name].scores(layer);
    const mask = new Float64Array(space.size).fill(1);
    mask.set(r.mask.data, offset);
    scores.fill(0);
    scores.set(s.data, offset);
    return { name, mask: fitOnly(space, mask, scores, offset, r.mask.data.length) };
  });
}

/** fitToCounts restricted to the groups inside [offset, offset + len). */
function fitOnly(space: MaskSpace, mask: Float64Array, scores: Float64Array, offset: number, len: number): Float64Array {
  const sub: MaskSpace = { ...space, groups: [], prune: [] };
  const groups: Int32Array[] = [];
  const prune: number[] = [];
  space.groups.forEach((idx, g) => {
    if (idx[0] >= offset && idx[0] < offset + len) {
      groups.push(idx);
      prune.push(space.prune[g]);
    }
  });
  return fitToCounts({ ...sub, groups, prune }, mask, scores);
}

/** Pick the start with the lowest exact loss of the search's objective (ties: the earlier in the list). */
function bestStart(objective: SearchObjective, starts: { name: string; mask: Float64Array }[]): { name: string; mask: Float64Array; evaluations: number } {
  let best = starts[0];
  let bestLoss = Infinity;
  for (const s of starts) {
    const loss = starts.length === 1 ? 0 : objective.evaluate(s.mask).attentionLoss;
    if (loss < bestLoss) {
      bestLoss = loss;
      best = s;
    }
  }
  return { ...best, evaluations: starts.length === 1 ? 0 : starts.length };
}

/** Merged swap search on a problem's W (d×d). */
export function attentionSwapSearch(problem: Problem, opts: PruneOptions, options: SwapSearchOptions = {}): SwapSearchResult {
  const space = mergedSpace(problem, opts.sparsity, opts.granularity);
  const linear = options.objective === 'linear';
  const objective: SearchObjective = linear ? new LinearMaskObjective(problem.X, [{ W: problem.W, offset: 0 }]) : createObjective(problem, 0, options.kernel);
  const start = options.start ?? 'best-linear';
  let chosen: { name: string; mask: Float64Array; evaluations: number };
  if (typeof start === 'string') chosen = bestStart(objective, linearStarts(problem, opts, space, 0, start));
  else if ('data' in start) chosen = { name: 'given', mask: fitToCounts(space, start.data, new Float64Array(space.size)), evaluations: 0 };
  else throw new Error('a merged swap search starts from one mask, not a factored pair');
  const { mask, trace } = swapSearchCore(space, objective, chosen.mask, {
    ...options,
    maxEvaluations: Math.max(1, (options.maxEvaluations ?? SWAP_DEFAULTS.maxEvaluations) - chosen.evaluations),
  });
  const m = sliceMatrix(mask, 0, problem.W.rows, problem.W.cols);
  const notes = [
    `ours: ${linear ? 'linear ' : ''}swap search from ${chosen.name}'s mask, ${trace.accepted} swaps accepted in ${trace.evaluations + chosen.evaluations} exact evaluations (${trace.stopped}); ${linear ? 'linear' : 'attention'} loss ${shownLoss(trace.lossHistory[0])} → ${shownLoss(trace.lossHistory[trace.lossHistory.length - 1])}; no weight updated`,
  ];
  return { mask: m, wPruned: applyMask(m, problem.W), notes, trace: { ...trace, evaluations: trace.evaluations + chosen.evaluations, start: chosen.name } };
}

export interface FactoredPruneResult {
  maskQ: Matrix;
  maskK: Matrix;
  /** The pruned (or reconstructed) W_Q and W_K the head uses. */
  wq: Matrix;
  wk: Matrix;
  notes: string[];
}

/** Factored swap search on [B_Q ; B_K]; W_Q and W_K keep their own counts. */
export function factoredSwapSearch(fp: FactoredProblem, opts: PruneOptions, options: SwapSearchOptions = {}): FactoredPruneResult & { trace: SwapTrace } {
  const space = factoredSpace(fp, opts.sparsity, opts.granularity);
  const dd = fp.Wq.data.length;
  const linear = options.objective === 'linear';
  const objective: SearchObjective = linear
    ? new LinearMaskObjective(fp.X, [
        { W: fp.Wq, offset: 0 },
        { W: fp.Wk, offset: dd },
      ])
    : factoredObjective(fp, 0, options.kernel);
  const start = options.start ?? 'best-linear';
  let chosen: { name: string; mask: Float64Array; evaluations: number };
  if (typeof start === 'string') {
    // Q and K starts are chosen together (same method for both), as the factored baselines prune them.
    const sq = linearStarts({ X: fp.X, W: fp.Wq, causal: fp.causal }, opts, space, 0, start);
    const sk = linearStarts({ X: fp.X, W: fp.Wk, causal: fp.causal }, opts, space, dd, start);
    const both = sq.map((q, t) => {
      const mask = Float64Array.from(q.mask);
      mask.set(sk[t].mask.subarray(dd), dd);
      return { name: q.name, mask };
    });
    chosen = bestStart(objective, both);
  } else if ('maskQ' in start) {
    const mask = new Float64Array(2 * dd);
    mask.set(start.maskQ.data);
    mask.set(start.maskK.data, dd);
    chosen = { name: 'given', mask: fitToCounts(space, mask, new Float64Array(space.size)), evaluations: 0 };
  } else throw new Error('a factored swap search starts from a {maskQ, maskK} pair');
  const { mask, trace } = swapSearchCore(space, objective, chosen.mask, {
    ...options,
    maxEvaluations: Math.max(1, (options.maxEvaluations ?? SWAP_DEFAULTS.maxEvaluations) - chosen.evaluations),
  });
  const maskQ = sliceMatrix(mask, 0, fp.Wq.rows, fp.Wq.cols);
  const maskK = sliceMatrix(mask, dd, fp.Wk.rows, fp.Wk.cols);
  const notes = [
    `ours: factored ${linear ? 'linear ' : ''}swap search from ${chosen.name}'s masks, ${trace.accepted} swaps accepted in ${trace.evaluations + chosen.evaluations} exact evaluations (${trace.stopped}); no weight updated`,
  ];
  return {
    maskQ,
    maskK,
    wq: applyMask(maskQ, fp.Wq),
    wk: applyMask(maskK, fp.Wk),
    notes,
    trace: { ...trace, evaluations: trace.evaluations + chosen.evaluations, start: chosen.name },
  };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}
