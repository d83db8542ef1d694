/**
 * Attention-aware reconstruction (ours, SPEC §9): keep a mask's support and refit the
 * kept weights to the attention loss on the calibration set,
 *
 *   min over W' with W'_ij = 0 off the support:  ½ Σ ‖Softmax(X W' Xᵀ) − F₀‖²,
 *
 * by gradient descent with Armijo backtracking (every step a descent step). Merged: in
 * weight space, ∇ = Xᵀ P X restricted to the support (weightObjective.ts). Factored:
 * W'_Q = M_Q ∘ W_Q, W'_K = M_K ∘ W_K with real M on the support, started at the binary
 * mask — the factored kernel's own gradient; a diagonal reparametrisation of the
 * weights (trained weights are never exactly 0, so it reaches every W' on the support).
 *
 * Early stopping: with a held-out set (other windows, not the evaluation data) the
 * held-out loss is checked every `checkEvery` steps; the weight with the best held-out
 * loss is returned, and the fit stops after `patience` checks without improvement.
 */
import type { Matrix } from './matrix.ts';
import type { Problem } from './problem.ts';
import type { Objective } from './gd.ts';
import { GradientDescent } from './gd.ts';
import { factoredObjective, type KernelName } from './objectiveFactory.ts';
import { WeightSpaceObjective } from './weightObjective.ts';
import type { FactoredProblem } from './factored.ts';
import { num } from '../ui/format.ts';

/** A loss for the notes, through format.ts (which refuses NaN: a note says it in words). */
const shown = (x: number): string => (Number.isNaN(x) ? 'not a number' : num(x));

export interface HeldOut {
  X: Matrix;
  segments?: readonly number[];
}

export interface ReconstructOptions {
  /** Gradient steps at most (default 200). */
  iters?: number;
  /** Initial trial step of the Armijo rule (default 1; it adapts by halving and doubling). */
  eta?: number;
  /** Held-out activations for early stopping (same layer, other windows). */
  heldOut?: HeldOut;
  /** Check the held-out loss every this many steps (default 10). */
  checkEvery?: number;
  /** Stop after this many checks without a held-out improvement (default 3). */
  patience?: number;
  /** Relative-change tolerance of the descent (default 1e-7). */
  tolerance?: number;
  kernel?: KernelName;
}

export interface ReconstructReport {
  /** Relative attention error ‖F' − F₀‖/‖F₀‖ on the calibration set, before and after. */
  calibrationBefore: number;
  calibrationAfter: number;
  /** The same on the held-out set (NaN without one). */
  heldOutBefore: number;
  heldOutAfter: number;
  /** Steps taken, and the step whose weight was returned (best held-out). */
  steps: number;
  bestStep: number;
  evaluations: number;
  stepsRaisedL: number;
  stopped: 'early-stop' | 'finished' | 'converged';
  /** (step, calibration error, held-out error) at every check, for the overfitting plot. */
  curve: { step: number; calibration: number; heldOut: number }[];
}

const DEFAULTS = { iters: 200, eta: 1, checkEvery: 10, patience: 3, tolerance: 1e-7 };

/** The fit on any objective over a vector x (weights or mask), support = x's entries not frozen. */
function refit(
  objective: Objective & { relErr(x: Float64Array): number; f0Norm2: number },
  heldOut: { relErr(x: Float64Array): number } | undefined,
  x0: Float64Array,
  frozen: Uint8Array,
  options: ReconstructOptions,
): { x: Float64Array; report: ReconstructReport } {
  const o = { ...DEFAULTS, ...stripUndefined(options) };
  const gd = new GradientDescent(undefined, { step: 'armijo', eta: o.eta, iters: o.iters, lambda: 0, tolerance: o.tolerance }, objective, { m: x0, frozen });
  const calibrationBefore = objective.relErr(x0);
  const heldOutBefore = heldOut ? heldOut.relErr(x0) : Number.NaN;
  let best = Float64Array.from(x0);
  let bestHeld = heldOutBefore;
  let bestStep = 0;
  let sinceBest = 0;
  let stopped: ReconstructReport['stopped'] = 'finished';
  const curve = [{ step: 0, calibration: calibrationBefore, heldOut: heldOutBefore }];
  while (gd.status === 'running') {
    gd.advance(o.checkEvery);
    const calibration = Math.sqrt((2 * gd.attentionLossHistory[gd.attentionLossHistory.length - 1]) / objective.f0Norm2);
    if (!heldOut) {
      curve.push({ step: gd.iteration, calibration, heldOut: Number.NaN });
      continue;
    }
    const h = heldOut.relErr(gd.m);
    curve.push({ step: gd.iteration, calibration, heldOut: h });
    if (h < bestHeld) {
      bestHeld = h;
      best = Float64Array.from(gd.m);
      bestStep = gd.iteration;
      sinceBest = 0;
    } else if (++sinceBest >= o.patience) {
      stopped = 'early-stop';
      break;
    }
  }
  if (gd.status === 'converged') stopped = 'converged';
  if (!heldOut) {
    best = Float64Array.from(gd.m);
    bestStep = gd.iteration;
  }
  const report: ReconstructReport = {
    calibrationBefore,
    calibrationAfter: objective.relErr(best),
    heldOutBefore,
    heldOutAfter: heldOut ? bestHeld : Number.NaN,
    steps: gd.iteration,
    bestStep,
    evaluations: gd.evaluations,
    stepsRaisedL: gd.convergenceReport().stepsRaisedL,
    stopped,
    curve,
  };
  return { x: best, report };
}

/** Frozen = off the support. */
function frozenOf(mask: Float64Array): Uint8Array {
  return Uint8Array.from(mask, (v) => (v === 0 ? 1 : 0));
}

class MergedFit implements Objective {
  readonly d: number;
  readonly f0Norm2: number;
  constructor(private readonly inner: WeightSpaceObjective) {
    this.d = inner.d;
    this.f0Norm2 = inner.f0Norm2;
  }
  evaluate(x: Float64Array, grad?: Float64Array) {
    return this.inner.evaluate(x, grad);
  }
  relErr(x: Float64Array): number {
    return this.inner.relativeError(x);
  }
}

export interface ReconstructResult {
  mask: Matrix;
  /** The refitted weight (exactly 0 off the support). */
  wPruned: Matrix;
  notes: string[];
  report: ReconstructReport;
}

/**
 * Merged reconstruction: refit W' on `mask`'s support, starting from `init` (default
 * mask ∘ W; pass SparseGPT's updated weight to start from it).
 */
export function attentionReconstruct(problem: Problem, mask: Matrix, options: ReconstructOptions & { init?: Matrix } = {}): ReconstructResult {
  const { W } = problem;
  if (mask.rows !== W.rows || mask.cols !== W.cols) throw new Error(`mask is ${mask.rows}x${mask.cols}, W ${W.rows}x${W.cols}`);
  const x0 = new Float64Array(W.data.length);
  const src = options.init ?? W;
  for (let i = 0; i < x0.length; i++) x0[i] = mask.data[i] === 0 ? 0 : src.data[i];
  const objective = new MergedFit(new WeightSpaceObjective(problem, options.kernel));
  const held = options.heldOut
    ? new MergedFit(new WeightSpaceObjective({ X: options.heldOut.X, W, causal: problem.causal, segments: options.heldOut.segments }, options.kernel))
    : undefined;
  const { x, report } = refit(objective, held, x0, frozenOf(mask.data), options);
  for (let i = 0; i < x.length; i++) if (mask.data[i] === 0) x[i] = 0; // the support, exactly
  return { mask, wPruned: { rows: W.rows, cols: W.cols, data: x }, notes: [noteOf(report)], report };
}

class FactoredFit implements Objective {
  readonly d: number;
  readonly size: number;
  readonly f0Norm2: number;
  private readonly inner: ReturnType<typeof factoredObjective>;
  // The kernel's shortcuts for gradient descent, where it has them (gd.ts's Objective).
  readonly gradientAtLast: Objective['gradientAtLast'];
  readonly setDirection: Objective['setDirection'];
  readonly evaluateStep: Objective['evaluateStep'];
  /** `lossOnly`: a held-out set, only ever scored (no gradient buffers). */
  constructor(fp: FactoredProblem, kernel?: KernelName, lossOnly = false) {
    const inner = factoredObjective(fp, 0, kernel, lossOnly);
    this.inner = inner;
    this.d = inner.d;
    this.size = inner.size ?? this.d * this.d;
    this.f0Norm2 = inner.f0Norm2();
    this.gradientAtLast = inner.gradientAtLast?.bind(inner);
    this.setDirection = inner.setDirection?.bind(inner);
    this.evaluateStep = inner.evaluateStep?.bind(inner);
  }
  evaluate(x: Float64Array, grad?: Float64Array) {
    return this.inner.evaluate(x, grad);
  }
  relErr(x: Float64Array): number {
    return Math.sqrt((2 * this.inner.evaluate(x).attentionLoss) / this.f0Norm2);
  }
  release(): void {
    this.inner.release?.();
  }
}

/**
 * Factored reconstruction: refit W'_Q = M_Q ∘ W_Q and W'_K = M_K ∘ W_K on the supports
 * of maskQ, maskK (M real on the support, 0 off it, started at the binary masks).
 * `init` (e.g. SparseGPT's updated W_Q, W_K) replaces W_Q, W_K as the base the masks multiply.
 */
export function factoredReconstruct(
  fp: FactoredProblem,
  masks: { maskQ: Matrix; maskK: Matrix },
  options: ReconstructOptions & { init?: { wq: Matrix; wk: Matrix } } = {},
): { maskQ: Matrix; maskK: Matrix; wq: Matrix; wk: Matrix; notes: string[]; report: ReconstructReport } {
  const dd = fp.Wq.data.length;
  const base: FactoredProblem = options.init ? { ...fp, Wq: options.init.wq, Wk: options.init.wk } : fp;
  // F₀ must stay the dense attention: FactoredObjective takes it from its own weights at M = 1,
  // so with an `init` base the objective is built on the dense problem and the base is folded into M.
  const x0 = new Float64Array(2 * dd);
  for (let i = 0; i < dd; i++) {
    x0[i] = masks.maskQ.data[i] === 0 ? 0 : base.Wq.data[i] / fp.Wq.data[i];
    x0[dd + i] = masks.maskK.data[i] === 0 ? 0 : base.Wk.data[i] / fp.Wk.data[i];
  }
  for (let i = 0; i < x0.length; i++) if (!Number.isFinite(x0[i])) x0[i] = 0; // a kept weight exactly 0 cannot move
  const mask = new Float64Array(2 * dd);
  mask.set(masks.maskQ.data);
  mask.set(masks.maskK.data, dd);
  const objective = new FactoredFit(fp, options.kernel);
  const held = options.heldOut ? new FactoredFit({ ...fp, X: options.heldOut.X, segments: options.heldOut.segments }, options.kernel, true) : undefined;
  let fitted: ReturnType<typeof refit>;
  try {
    fitted = refit(objective, held, x0, frozenOf(mask), options);
  } finally {
    objective.release();
    held?.release();
  }
  const { x, report } = fitted;
  const wq = { rows: fp.Wq.rows, cols: fp.Wq.cols, data: new Float64Array(dd) };
  const wk = { rows: fp.Wk.rows, cols: fp.Wk.cols, data: new Float64Array(dd) };
  for (let i = 0; i < dd; i++) {
    wq.data[i] = masks.maskQ.data[i] === 0 ? 0 : x[i] * fp.Wq.data[i];
    wk.data[i] = masks.maskK.data[i] === 0 ? 0 : x[dd + i] * fp.Wk.data[i];
  }
  return { maskQ: masks.maskQ, maskK: masks.maskK, wq, wk, notes: [noteOf(report)], report };
}

function noteOf(r: ReconstructReport): string {
  const held = Number.isFinite(r.heldOutBefore)
    ? `; held-out ${shown(r.heldOutBefore)} → ${shown(r.heldOutAfter)} (best at step ${r.bestStep}, ${r.stopped})`
    : '';
  return `ours: attention-aware reconstruction, support fixed: calibration error ${shown(r.calibrationBefore)} → ${shown(r.calibrationAfter)} in ${r.steps} Armijo steps${held}`;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}
