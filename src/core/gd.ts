/**
 * Algorithm 1 (SPEC §3): gradient descent on the relaxed mask, then binarisation.
 *
 *   M₀ = 1;  M_t = M_{t−1} − η ∇L(M_{t−1}),  t = 1..T;  keep the d² − k largest of M_T.
 *
 * Written as a stepper so a Web Worker can run it in slices (drawing progress and
 * accepting a cancel between slices) while the CLI simply runs it to the end.
 * The choices the paper's text leaves open (M₀ = 1, fixed η, T, top-k binarisation
 * with a stable tie rule) are ours and are labelled as such on the site.
 */
import { type Matrix, zeros } from './matrix.ts';
import type { Problem } from './problem.ts';
import { type Granularity, applyMask, maskFromScores } from './mask.ts';
import type { ObjectiveValue } from './objective.ts';
import { createObjective } from './objectiveFactory.ts';
import { maxSafeStep } from './smoothness.ts';

/** Anything that evaluates L(M) and ∇L(M) for a fixed problem (the JS or the WASM kernel). */
export interface Objective {
  readonly d: number;
  /** Number of mask entries when it is not d² (the factored objective's [M_Q ; M_K]). */
  readonly size?: number;
  evaluate(m: Float64Array, grad?: Float64Array): ObjectiveValue;
}

export interface GdOptions {
  /** Step size η. */
  eta: number;
  /** Iterations T. */
  iters: number;
  /** Regularisation λ ≥ 0 (pulls mask entries toward 0). */
  lambda: number;
  /** Clip M to [0, 1] after each step (off by default). */
  clip?: boolean;
  /** Stop early when |L_t − L_{t−1}| ≤ tolerance·|L_{t−1}| (off when undefined or 0). */
  tolerance?: number;
}

export const GD_DEFAULTS: Readonly<Required<GdOptions>> = { eta: 0.05, iters: 300, lambda: 0.1, clip: false, tolerance: 0 };

export type GdStatus = 'running' | 'converged' | 'finished' | 'diverged';

export interface GdProgress {
  iteration: number;
  loss: number;
  attentionLoss: number;
  status: GdStatus;
}

export class DivergenceError extends Error {
  constructor(
    readonly iteration: number,
    readonly loss: number,
    readonly eta: number,
    readonly safeEta: number,
    reason: string,
  ) {
    super(
      `gradient descent diverged at iteration ${iteration} (${reason}, L = ${loss}) with eta = ${eta}; ` +
        (Number.isFinite(safeEta) ? `the smoothness bound guarantees descent for eta <= ${safeEta.toPrecision(3)}` : 'use a smaller eta'),
    );
    this.name = 'DivergenceError';
  }
}

export class GradientDescent {
  readonly d: number;
  /** The relaxed mask M_t (row-major d×d). */
  readonly m: Float64Array;
  /** L(M_t) for t = 0..current. */
  readonly lossHistory: number[] = [];
  /** ½‖F(M_t) − F₀‖² for t = 0..current. */
  readonly attentionLossHistory: number[] = [];
  iteration = 0;
  status: GdStatus = 'running';
  private readonly grad: Float64Array;
  private readonly opts: Required<GdOptions>;
  private safeEtaCache: number | undefined;

  /**
   * `problem` is the merged problem (it gives the smoothness bound and the shape of
   * the mask); it may be omitted when a custom objective (e.g. the factored one) is given.
   */
  constructor(
    readonly problem: Problem | undefined,
    options: Partial<GdOptions> = {},
    readonly objective: Objective = createObjective(requireProblem(problem), options.lambda ?? GD_DEFAULTS.lambda),
  ) {
    this.opts = { ...GD_DEFAULTS, ...stripUndefined(options) };
    validateGdOptions(this.opts);
    this.d = objective.d;
    const size = objective.size ?? this.d * this.d;
    this.m = new Float64Array(size).fill(1);
    this.grad = new Float64Array(size);
    const v = this.objective.evaluate(this.m, this.grad);
    this.lossHistory.push(v.loss);
    this.attentionLossHistory.push(v.attentionLoss);
    if (this.opts.iters === 0) this.status = 'finished';
  }

  get options(): Readonly<Required<GdOptions>> {
    return this.opts;
  }

  /**
   * The step size the smoothness bound allows (computed on first use: a power
   * iteration); NaN where our bound does not apply (no merged problem).
   */
  get safeEta(): number {
    this.safeEtaCache ??= this.problem ? maxSafeStep(this.problem.X, this.problem.W, this.opts.lambda) : Number.NaN;
    return this.safeEtaCache;
  }

  /** Run up to `maxSteps` more iterations. Throws DivergenceError on NaN/∞ or blow-up. */
  advance(maxSteps = Infinity): GdProgress {
    const { eta, iters, clip, tolerance } = this.opts;
    const { m, grad } = this;
    const n = m.length;
    const l0 = this.lossHistory[0];
    let steps = 0;
    while (this.status === 'running' && steps < maxSteps) {
      for (let i = 0; i < n; i++) {
        let v = m[i] - eta * grad[i];
        if (clip) v = v < 0 ? 0 : v > 1 ? 1 : v;
        m[i] = v;
      }
      this.iteration++;
      steps++;
      const last = this.iteration === iters;
      const v = this.objective.evaluate(m, last ? undefined : grad);
      const prev = this.lossHistory[this.lossHistory.length - 1];
      this.lossHistory.push(v.loss);
      this.attentionLossHistory.push(v.attentionLoss);
      if (!Number.isFinite(v.loss)) this.diverge('the loss is not finite');
      // A loss a thousand times its start has left every basin the theory speaks of.
      if (v.loss > 1e3 * (Math.abs(l0) + 1)) this.diverge('the loss blew up');
      if (last) this.status = 'finished';
      else if (tolerance > 0 && Math.abs(v.loss - prev) <= tolerance * Math.abs(prev)) this.status = 'converged';
    }
    if (this.status !== 'running' && this.lossHistory[this.lossHistory.length - 1] > l0 * (1 + 1e-12) + 1e-300) {
      this.diverge('the loss ended above its starting value');
    }
    return this.progress();
  }

  progress(): GdProgress {
    const t = this.lossHistory.length - 1;
    return { iteration: this.iteration, loss: this.lossHistory[t], attentionLoss: this.attentionLossHistory[t], status: this.status };
  }

  private diverge(reason: string): never {
    this.status = 'diverged';
    throw new DivergenceError(this.iteration, this.lossHistory[this.lossHistory.length - 1], this.opts.eta, this.safeEta, reason);
  }

  /** Copy of the relaxed mask as a matrix. */
  relaxedMask(): Matrix {
    const out = zeros(this.d, this.d);
    out.data.set(this.m);
    return out;
  }
}

export interface GdResult {
  /** Binary keep mask B (1 = kept). */
  mask: Matrix;
  /** B ∘ W: no weight is updated. */
  wPruned: Matrix;
  /** The relaxed mask M_T before binarising. */
  relaxed: Matrix;
  lossHistory: number[];
  attentionLossHistory: number[];
  iterations: number;
  status: GdStatus;
  notes: string[];
}

/** Binarise a finished run: keep the d² − k largest entries of M_T (stable ties). */
export function binariseRun(gd: GradientDescent, sparsity: number, granularity: Granularity): GdResult {
  const problem = requireProblem(gd.problem);
  const relaxed = gd.relaxedMask();
  const mask = maskFromScores(relaxed, sparsity, granularity);
  const notes: string[] = [];
  if (gd.options.lambda === 0) {
    notes.push('lambda = 0: M = 1 is a stationary point (the attention term has zero gradient there), so the mask cannot move and ties are broken by index order.');
  }
  return {
    mask,
    wPruned: applyMask(mask, problem.W),
    relaxed,
    lossHistory: gd.lossHistory.slice(),
    attentionLossHistory: gd.attentionLossHistory.slice(),
    iterations: gd.iteration,
    status: gd.status,
    notes,
  };
}

/** Run Algorithm 1 to the end. */
export function gradientDescentPrune(
  problem: Problem,
  sparsity: number,
  granularity: Granularity,
  options: Partial<GdOptions> = {},
  objective?: Objective,
): GdResult {
  const gd = new GradientDescent(problem, options, objective);
  gd.advance();
  return binariseRun(gd, sparsity, granularity);
}

export function validateGdOptions(o: Required<GdOptions>): void {
  if (!(Number.isFinite(o.eta) && o.eta > 0)) throw new Error(`eta must be a finite number > 0 (got ${o.eta})`);
  if (!(Number.isInteger(o.iters) && o.iters >= 0)) throw new Error(`iters must be an integer >= 0 (got ${o.iters})`);
  if (!(Number.isFinite(o.lambda) && o.lambda >= 0)) throw new Error(`lambda must be a finite number >= 0 (got ${o.lambda})`);
  if (!(Number.isFinite(o.tolerance) && o.tolerance >= 0)) throw new Error(`tolerance must be a finite number >= 0 (got ${o.tolerance})`);
}

function requireProblem(problem: Problem | undefined): Problem {
  if (!problem) throw new Error('gradient descent needs a problem or an objective');
  return problem;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}
