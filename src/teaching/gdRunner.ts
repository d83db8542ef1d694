/**
 * Algorithm 1 on the page's main thread, for checks small enough to need no worker
 * (n = 64, d = 16, T = 300: about 20 ms a run with the WebAssembly kernel). One
 * objective serves every run, because browsers only allow the WebAssembly kernel to be
 * compiled and instantiated asynchronously on the main thread; where that fails, the
 * plain JavaScript kernel (the reference) takes over.
 */
import { DivergenceError, GradientDescent, type Objective } from '../core/gd.ts';
import type { Problem } from '../core/problem.ts';
import { AttentionObjective } from '../core/objective.ts';
import { WasmAttentionObjective, wasmSimdSupported } from '../core/wasmObjective.ts';
import { maxSafeStep } from '../core/smoothness.ts';

export interface GdOutcome {
  eta: number;
  diverged: boolean;
  /** The iteration at which divergence was detected, or the number of iterations run. */
  iteration: number;
  /** L(M₀) and the last loss computed. */
  startLoss: number;
  loss: number;
  /** Why the run counts as diverged, in the solver's words. */
  reason?: string;
}

export interface GdRunner {
  problem: Problem;
  lambda: number;
  iters: number;
  /** The step the smoothness bound guarantees, 1/β. */
  safeEta: number;
  kernel: 'wasm-simd-f64' | 'js-f64';
  run(eta: number): GdOutcome;
}

/** The objective, WebAssembly where it runs (created asynchronously), else JavaScript. */
async function objectiveFor(problem: Problem, lambda: number): Promise<{ objective: Objective; kernel: GdRunner['kernel'] }> {
  const opts = { causal: problem.causal, lambda };
  if (wasmSimdSupported()) {
    try {
      return { objective: await WasmAttentionObjective.create(problem.X, problem.W, opts), kernel: 'wasm-simd-f64' };
    } catch {
      // Fall through: the JavaScript kernel computes the same numbers, only slower.
    }
  }
  return { objective: new AttentionObjective(problem.X, problem.W, opts), kernel: 'js-f64' };
}

export async function createGdRunner(problem: Problem, options: { lambda: number; iters: number }): Promise<GdRunner> {
  const { objective, kernel } = await objectiveFor(problem, options.lambda);
  const safeEta = maxSafeStep(problem.X, problem.W, options.lambda);
  return {
    problem,
    lambda: options.lambda,
    iters: options.iters,
    safeEta,
    kernel,
    run: (eta) => runGradientDescent(problem, objective, { eta, lambda: options.lambda, iters: options.iters }),
  };
}

/** Run T steps of Algorithm 1 with the fixed step η; a DivergenceError becomes `diverged: true`. */
export function runGradientDescent(problem: Problem, objective: Objective, options: { eta: number; lambda: number; iters: number }): GdOutcome {
  // The divergence lesson is about the paper's fixed step η, not the Armijo default.
  const gd = new GradientDescent(problem, { ...options, step: 'fixed' }, objective);
  const startLoss = gd.lossHistory[0];
  try {
    const p = gd.advance();
    return { eta: options.eta, diverged: false, iteration: p.iteration, startLoss, loss: p.loss };
  } catch (e) {
    if (!(e instanceof DivergenceError)) throw e;
    const reason = /\(([^,]+), L = /.exec(e.message)?.[1];
    return { eta: options.eta, diverged: true, iteration: e.iteration, startLoss, loss: e.loss, reason };
  }
}

/**
 * Did the run blow up (a loss that is not finite or above 1000·(|L₀| + 1), the first
 * two of GradientDescent's divergence rules), rather than merely end above its start?
 * Unlike divergence as a whole, blowing up is monotone in η in practice: it is the
 * test to bisect for the step beyond which every run is lost.
 */
export function blewUp(o: GdOutcome): boolean {
  return o.diverged && (!Number.isFinite(o.loss) || o.loss > 1e3 * (Math.abs(o.startLoss) + 1));
}
