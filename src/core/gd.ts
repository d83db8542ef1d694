/**
 * Algorithm 1 (SPEC §3): gradient descent on the relaxed mask, then binarisation.
 *
 *   M₀ = 1;  M_t = M_{t−1} − η ∇L(M_{t−1}),  t = 1..T;  keep the d² − k largest of M_T.
 *
 * Written as a stepper so a Web Worker can run it in slices (drawing progress and
 * accepting a cancel between slices) while the CLI simply runs it to the end.
 * The choices the paper's text leaves open (M₀ = 1, fixed η, T, top-k binarisation
 * with a stable tie rule) are ours and are labelled as such on the site.
 *
 * Two step rules (SPEC §3, amended): 'fixed' is the paper's M − η∇L, kept bit for bit
 * because the divergence lesson needs it; 'armijo' backtracks on the same gradient
 * until the step decreases L by at least c·s‖∇L‖², so every accepted step is a descent
 * step and the run stays inside the convergence theorem's hypothesis.
 */
import { type Matrix, zeros } from './matrix.ts';
import type { Problem } from './problem.ts';
import { type Granularity, applyMask, maskFromScores } from './mask.ts';
import type { ObjectiveValue } from './objective.ts';
import { createObjective } from './objectiveFactory.ts';
import { BINARISE_SCORES, type BinariseScore, mergedScores } from './binarise.ts';
import { InputError, NumericalError } from './errors.ts';
import { gradientLipschitzBound, maxSafeStep } from './smoothness.ts';
import { num } from '../ui/format.ts';

/** Anything that evaluates L(M) and ∇L(M) for a fixed problem (the JS or the WASM kernel). */
export interface Objective {
  readonly d: number;
  /** Number of mask entries when it is not d² (the factored objective's [M_Q ; M_K]). */
  readonly size?: number;
  evaluate(m: Float64Array, grad?: Float64Array): ObjectiveValue;
  /**
   * ∇L at the M of the last evaluate, bit for bit what evaluate(m, grad) would have written,
   * without the forward pass again. Where an objective has it, Armijo's trial steps are
   * evaluated without gradients and only the accepted one's is computed.
   */
  gradientAtLast?(grad: Float64Array): void;
  /**
   * Armijo's trials along one direction: setDirection(M, V), then evaluateStep(M − sV, s, grad?)
   * for each trial step s, the same values as evaluate to round-off, for less work (the factored
   * WASM kernel reuses M's projections of X). Used without clipping only (a clipped trial is not M − sV).
   */
  setDirection?(m: Float64Array, direction: Float64Array): void;
  evaluateStep?(m: Float64Array, step: number, grad?: Float64Array): ObjectiveValue;
  /** Done with it: an objective holding large buffers (WasmFactoredObjective) may hand them on. */
  release?(): void;
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
  /**
   * 'fixed': M − η∇L (the paper's rule; may raise L when η is above 1/β).
   * 'armijo': backtracking from a trial step (η at first, then the last accepted step
   * × armijoGrowth), halving until L(M − s∇L) ≤ L(M) − armijoC·s‖∇L‖².
   */
  step?: StepRule;
  /** Sufficient-decrease constant c of the Armijo test (armijo only). */
  armijoC?: number;
  /** Factor the last accepted step is grown by to give the next trial step (armijo only). */
  armijoGrowth?: number;
  /** Armijo: stop ('converged') once ‖∇L‖ ≤ gradTolerance (off when 0). */
  gradTolerance?: number;
  /** Which score of M_T the rounding keeps the largest of (binarise.ts): 'relaxed' is the paper's M_T. */
  score?: BinariseScore;
}

export type StepRule = 'fixed' | 'armijo';

/**
 * Our defaults for Algorithm 1, chosen from the ablation in docs/ablation.json and
 * docs/ablation-armijo.json (scripts/ablation.ts; held-out windows, never the evaluation
 * data): Armijo steps (every step lowers L: inside the theorem's descent hypothesis),
 * λ = 0.001, T = 60, rounding by |M_T ∘ W|·‖X_i‖. The paper's text fixes none of these.
 * A fixed η (step: 'fixed') stays available: the divergence lesson needs it.
 */
export const GD_DEFAULTS: Readonly<Required<GdOptions>> = {
  eta: 0.05,
  iters: 60,
  lambda: 0.001,
  clip: false,
  tolerance: 0,
  step: 'armijo',
  armijoC: 1e-4,
  armijoGrowth: 2,
  gradTolerance: 0,
  score: 'wanda-weighted',
};

/**
 * Backtracking gives up after this many halvings of the trial step (2⁻⁶⁰ ≈ 1e-18 of
 * it): no decrease is then measurable in float64, so the run has converged.
 */
const MAX_HALVINGS = 60;

/** How a run stands against the theory (see `convergenceReport`). */
export interface ConvergenceReport {
  step: StepRule;
  /** Accepted iterations t (each adds one entry to the loss history). */
  iterations: number;
  /** Objective evaluations, trial steps included (fixed: one per iteration, plus the start). */
  evaluations: number;
  /** Iterations with L_t > L_{t−1}: outside the descent hypothesis of the theorem (0 under armijo). */
  stepsRaisedL: number;
  /** The step size of every accepted iteration (fixed: η each time). */
  acceptedSteps: number[];
  /**
   * Observed linear rate ρ̂: with L* = min_t L_t (the final loss under armijo) and gaps
   * g_t = L_t − L*, ρ̂ = (g_τ / g_0)^(1/τ) where τ is the last t with g_t ≥ 1e-3·g_0, i.e.
   * the geometric mean of g_t/g_{t−1} over the first three decades of the descent (the
   * tail is left out because there L* is an estimate and the ratio is noise). NaN when
   * the loss did not move.
   */
  observedRate: number;
  /** τ of the rate above. */
  rateWindow: number;
  /** β, the smoothness bound of src/core/smoothness.ts (NaN without a merged problem, e.g. factored). */
  beta: number;
  /** 1/β, the step the bound guarantees. */
  safeEta: number;
  /**
   * The PL bound's rate 1 − μ/β with μ taken as λ (the regulariser's curvature; the
   * attention term is not convex, so μ = λ is the local heuristic the paper's PL
   * argument suggests, not a proven constant). NaN without β.
   */
  plRate: number;
  /** Whether g_t ≤ plRate^t · g_0 held at every recorded t (NaN-safe: false when plRate is NaN). */
  withinPlBound: boolean;
  /** Why the run stopped, in words (e.g. "ran all 60 iterations", "the gradient is zero at the start"). */
  stopReason: string;
  /** Plain-language summary for the page and the CLI. */
  summary: string;
}

export type GdStatus = 'running' | 'converged' | 'finished' | 'diverged';

export interface GdProgress {
  iteration: number;
  loss: number;
  attentionLoss: number;
  status: GdStatus;
}

export class DivergenceError extends NumericalError {
  constructor(
    readonly iteration: number,
    readonly loss: number,
    readonly eta: number,
    readonly safeEta: number,
    reason: string,
  ) {
    super(
      `gradient descent diverged at iteration ${iteration} (${reason}, L = ${Number.isNaN(loss) ? 'not a number' : num(loss, 4)}) with eta = ${num(eta)}; ` +
        // The remedy is Armijo steps (each step halved until L falls), not a step near the bound:
        // the bound is safe but far from tight, so a step that small barely moves.
        (Number.isFinite(safeEta) ? `the smoothness bound guarantees descent only for eta <= ${num(safeEta, 3)} (safe, far from tight); ` : '') +
        'Armijo steps (the step rule armijo, --step armijo on the command line) lower L at every step',
    );
    this.name = 'DivergenceError';
  }
}

/**
 * The Armijo search failed: not one trial step, from η down to η·2⁻⁶⁰, lowered L, and the
 * smallest was still above the step the smoothness bound guarantees (or made L non-finite),
 * so the run did not reach a stationary point: η is far too large. Exit 2, like divergence.
 */
export class StepSearchError extends NumericalError {
  constructor(iteration: number, tried: number, largest: number, smallest: number, safeEta: number) {
    super(
      `the Armijo step search gave up at iteration ${iteration}: none of ${tried} trial steps, from ${num(largest)} down to ${num(smallest)}, lowered L; ` +
        (Number.isFinite(safeEta) ? `the smoothness bound guarantees descent for eta <= ${num(safeEta, 3)}` : 'use a smaller eta'),
    );
    this.name = 'StepSearchError';
  }
}

export class GradientDescent {
  readonly d: number;
  /** The relaxed mask M_t (row-major d×d). */
  m: Float64Array;
  /** L(M_t) for t = 0..current. */
  readonly lossHistory: number[] = [];
  /** ½‖F(M_t) − F₀‖² for t = 0..current. */
  readonly attentionLossHistory: number[] = [];
  iteration = 0;
  status: GdStatus = 'running';
  /** Why the run stopped, in words (ConvergenceReport.stopReason). */
  stopReason = 'still running';
  /** Step size of each accepted iteration. */
  readonly acceptedSteps: number[] = [];
  /** Objective evaluations so far (the start included). */
  evaluations = 1;
  private grad: Float64Array;
  /** Armijo: the trial point and its gradient (swapped with m/grad on acceptance). */
  private trialM: Float64Array | undefined;
  private trialGrad: Float64Array | undefined;
  private lastStep: number;
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
    /**
     * Starting mask (default M₀ = 1). Entries listed in `frozen` are held at exactly 0
     * throughout (gradual pruning re-optimises only the survivors).
     */
    init?: { m?: Float64Array; frozen?: Uint8Array },
  ) {
    this.opts = { ...GD_DEFAULTS, ...stripUndefined(options) };
    validateGdOptions(this.opts);
    this.d = objective.d;
    const size = objective.size ?? this.d * this.d;
    this.m = init?.m ? Float64Array.from(init.m) : new Float64Array(size).fill(1);
    if (this.m.length !== size) throw new Error(`initial mask has ${this.m.length} entries, expected ${size}`);
    this.frozen = init?.frozen;
    if (this.frozen) for (let i = 0; i < size; i++) if (this.frozen[i]) this.m[i] = 0;
    this.grad = new Float64Array(size);
    this.lastStep = this.opts.eta;
    const v = this.objective.evaluate(this.m, this.grad);
    this.zeroFrozen(this.grad);
    this.lossHistory.push(v.loss);
    this.attentionLossHistory.push(v.attentionLoss);
    if (this.opts.iters === 0) {
      this.status = 'finished';
      this.stopReason = 'no iteration was asked for (iters = 0)';
    }
  }

  private readonly frozen: Uint8Array | undefined;

  /** Frozen entries do not move: their gradient is treated as 0. */
  private zeroFrozen(g: Float64Array): void {
    const f = this.frozen;
    if (f) for (let i = 0; i < g.length; i++) if (f[i]) g[i] = 0;
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
    if (this.opts.step === 'armijo') return this.advanceArmijo(maxSteps);
    if (this.frozen) throw new Error('frozen entries need the armijo step rule');
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
      this.acceptedSteps.push(eta);
      this.evaluations++;
      const v = this.objective.evaluate(m, last ? undefined : grad);
      const prev = this.lossHistory[this.lossHistory.length - 1];
      this.lossHistory.push(v.loss);
      this.attentionLossHistory.push(v.attentionLoss);
      if (!Number.isFinite(v.loss)) this.diverge('the loss is not finite');
      // A loss a thousand times its start has left every basin the theory speaks of.
      if (v.loss > 1e3 * (Math.abs(l0) + 1)) this.diverge('the loss blew up');
      if (last) this.finish();
      else if (tolerance > 0 && Math.abs(v.loss - prev) <= tolerance * Math.abs(prev)) this.converge('the loss changed by less than the tolerance');
    }
    if (this.status !== 'running' && this.lossHistory[this.lossHistory.length - 1] > l0 * (1 + 1e-12) + 1e-300) {
      this.diverge('the loss ended above its starting value');
    }
    return this.progress();
  }

  /**
   * Armijo backtracking on the same gradient. Each iteration: trial s (η first, then
   * the last accepted step × growth), halve until L(M − s∇L) ≤ L(M) − c·⟨∇L, M − M'⟩
   * (= c·s‖∇L‖² without clipping; with clipping the projected displacement is used, the
   * standard projected-gradient Armijo test). Trials are evaluated with their gradient,
   * so an accepted trial costs no extra evaluation; an objective with gradientAtLast computes
   * only the accepted trial's gradient, and one with setDirection/evaluateStep evaluates the
   * trials from the iterate's kept work (the factored WASM kernel: both). A NaN trial fails the test and is
   * halved like any other, so this rule never diverges.
   */
  private advanceArmijo(maxSteps: number): GdProgress {
    const { iters, clip, tolerance, armijoC, armijoGrowth, gradTolerance } = this.opts;
    const n = this.m.length;
    this.trialM ??= new Float64Array(n);
    this.trialGrad ??= new Float64Array(n);
    let steps = 0;
    while (this.status === 'running' && steps < maxSteps) {
      const m = this.m;
      const grad = this.grad;
      const prev = this.lossHistory[this.lossHistory.length - 1];
      let g2 = 0;
      for (let i = 0; i < n; i++) g2 += grad[i] * grad[i];
      if (g2 === 0 || (gradTolerance > 0 && Math.sqrt(g2) <= gradTolerance)) {
        this.converge(g2 === 0 ? `the gradient is zero at iteration ${this.iteration} (a stationary point)` : 'the gradient fell below the tolerance');
        break;
      }
      let s = this.iteration === 0 ? this.opts.eta : this.lastStep * armijoGrowth;
      const objective = this.objective;
      const stepping = !clip && objective.setDirection !== undefined && objective.evaluateStep !== undefined;
      if (stepping) objective.setDirection!(m, grad);
      const lazy = objective.gradientAtLast !== undefined;
      const trialGrad = lazy ? undefined : this.trialGrad;
      let accepted: { loss: number; attentionLoss: number } | undefined;
      const largest = s;
      let smallest = s;
      let trialLoss = Number.NaN;
      for (let h = 0; h <= MAX_HALVINGS; h++, s *= 0.5) {
        smallest = s;
        const tm = this.trialM!;
        let decrease = 0; // ⟨∇L, M − M'⟩
        for (let i = 0; i < n; i++) {
          let v = m[i] - s * grad[i];
          if (clip) v = v < 0 ? 0 : v > 1 ? 1 : v;
          tm[i] = v;
          decrease += grad[i] * (m[i] - v);
        }
        if (this.frozen) for (let i = 0; i < n; i++) if (this.frozen[i]) tm[i] = 0;
        this.evaluations++;
        const v = stepping ? objective.evaluateStep!(tm, s, trialGrad) : objective.evaluate(tm, trialGrad);
        trialLoss = v.loss;
        if (v.loss <= prev - armijoC * decrease) {
          if (lazy) objective.gradientAtLast!(this.trialGrad!);
          accepted = v;
          break;
        }
      }
      if (!accepted) {
        // Steps below 1/β must lower L (the descent lemma): if even those were tried and failed, no
        // decrease is measurable in float64 and this is a stationary point. If the smallest trial
        // was still above 1/β (or made L non-finite), η was far too large: the search failed.
        const safe = this.safeEta;
        if (!Number.isFinite(trialLoss) || (Number.isFinite(safe) && smallest > safe)) {
          this.status = 'diverged';
          this.stopReason = 'the step search gave up';
          throw new StepSearchError(this.iteration, MAX_HALVINGS + 1, largest, smallest, safe);
        }
        this.converge('no trial step lowered L measurably (a stationary point in float64)');
        break;
      }
      // Swap buffers: the trial becomes the iterate, its gradient the next direction.
      [this.m, this.trialM] = [this.trialM!, this.m];
      [this.grad, this.trialGrad] = [this.trialGrad!, this.grad];
      this.zeroFrozen(this.grad);
      this.lastStep = s;
      this.acceptedSteps.push(s);
      this.iteration++;
      steps++;
      this.lossHistory.push(accepted.loss);
      this.attentionLossHistory.push(accepted.attentionLoss);
      if (this.iteration === iters) this.finish();
      else if (tolerance > 0 && Math.abs(accepted.loss - prev) <= tolerance * Math.abs(prev)) this.converge('the loss changed by less than the tolerance');
    }
    return this.progress();
  }

  private finish(): void {
    this.status = 'finished';
    this.stopReason = `ran all ${this.iteration} iterations`;
  }

  private converge(reason: string): void {
    this.status = 'converged';
    this.stopReason = reason;
  }

  /** How this run stands against the theory: descent, rate, and the PL bound. */
  convergenceReport(): ConvergenceReport {
    const h = this.lossHistory;
    let raised = 0;
    for (let t = 1; t < h.length; t++) if (h[t] > h[t - 1]) raised++;
    const { rate, window } = observedLinearRate(h);
    const beta = this.problem ? gradientLipschitzBound(this.problem.X, this.problem.W, this.opts.lambda) : Number.NaN;
    const plRate = Number.isFinite(beta) ? 1 - this.opts.lambda / beta : Number.NaN;
    const lStar = Math.min(...h);
    const g0 = h[0] - lStar;
    let within = Number.isFinite(plRate);
    if (within) for (let t = 0; t < h.length; t++) if (h[t] - lStar > Math.pow(plRate, t) * g0 * (1 + 1e-12) + 1e-300) within = false;
    const rule = this.opts.step;
    const summary =
      `${rule} steps: ${raised} of ${this.iteration} raised L; ${this.evaluations} evaluations; ` +
      (Number.isFinite(rate) ? `observed linear rate ${num(rate, 4)} per step` : 'the loss did not move') +
      (Number.isFinite(plRate)
        ? `; the PL bound's rate with μ = λ, 1 − λ/β = ${plRate.toPrecision(8)} (β = ${beta.toPrecision(3)}), ${within ? 'holds' : 'is violated'} on this run`
        : '; no smoothness bound for this objective');
    return {
      step: rule,
      iterations: this.iteration,
      evaluations: this.evaluations,
      stepsRaisedL: raised,
      acceptedSteps: this.acceptedSteps.slice(),
      observedRate: rate,
      rateWindow: window,
      beta,
      safeEta: Number.isFinite(beta) ? 1 / beta : Number.NaN,
      plRate,
      withinPlBound: within,
      stopReason: this.stopReason,
      summary,
    };
  }

  progress(): GdProgress {
    const t = this.lossHistory.length - 1;
    return { iteration: this.iteration, loss: this.lossHistory[t], attentionLoss: this.attentionLossHistory[t], status: this.status };
  }

  private diverge(reason: string): never {
    this.status = 'diverged';
    this.stopReason = reason;
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
  /** Descent, rate and PL bound of the run (see ConvergenceReport). */
  convergenceReport: ConvergenceReport;
}

/** ρ̂ and τ as documented on ConvergenceReport.observedRate. */
export function observedLinearRate(history: readonly number[]): { rate: number; window: number } {
  if (history.length < 2) return { rate: Number.NaN, window: 0 };
  let lStar = Infinity;
  for (const v of history) if (v < lStar) lStar = v;
  const g0 = history[0] - lStar;
  if (!(g0 > 0) || !Number.isFinite(g0)) return { rate: Number.NaN, window: 0 };
  let tau = 0;
  for (let t = 1; t < history.length; t++) if (history[t] - lStar >= 1e-3 * g0) tau = t;
  if (tau === 0) {
    // Everything after the start is already within 1e-3 of L*: one step did it.
    return { rate: Number.NaN, window: 0 };
  }
  return { rate: Math.pow((history[tau] - lStar) / g0, 1 / tau), window: tau };
}

/**
 * Binarise a finished run: keep the d² − k highest-scoring entries (stable ties). The
 * score is M_T itself by default (the paper's rounding); see binarise.ts for the others.
 */
export function binariseRun(gd: GradientDescent, sparsity: number, granularity: Granularity, score: BinariseScore = gd.options.score): GdResult {
  const problem = requireProblem(gd.problem);
  const relaxed = gd.relaxedMask();
  const mask = maskFromScores(score === 'relaxed' ? relaxed : mergedScores(relaxed, problem, score), sparsity, granularity);
  const notes: string[] = [];
  if (gd.options.lambda === 0) {
    notes.push(
      'lambda = 0: M = 1 is a stationary point (the attention term has zero gradient there), so the mask cannot move and ties are broken by index order.',
    );
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
    convergenceReport: gd.convergenceReport(),
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
  if (!(Number.isFinite(o.eta) && o.eta > 0)) throw new InputError(`eta must be a finite number > 0 (got ${o.eta})`);
  if (!(Number.isInteger(o.iters) && o.iters >= 0)) throw new InputError(`iters must be an integer >= 0 (got ${o.iters})`);
  if (!(Number.isFinite(o.lambda) && o.lambda >= 0)) throw new InputError(`lambda must be a finite number >= 0 (got ${o.lambda})`);
  if (!(Number.isFinite(o.tolerance) && o.tolerance >= 0)) throw new InputError(`tolerance must be a finite number >= 0 (got ${o.tolerance})`);
  if (!BINARISE_SCORES.includes(o.score)) throw new InputError(`score must be one of ${BINARISE_SCORES.join(', ')} (got ${String(o.score)})`);
  if (o.step !== 'fixed' && o.step !== 'armijo') throw new InputError(`step must be fixed or armijo (got ${String(o.step)})`);
  if (!(o.armijoC > 0 && o.armijoC < 1)) throw new InputError(`armijoC must be in (0, 1) (got ${o.armijoC})`);
  if (!(Number.isFinite(o.armijoGrowth) && o.armijoGrowth >= 1)) throw new InputError(`armijoGrowth must be a finite number >= 1 (got ${o.armijoGrowth})`);
  if (!(Number.isFinite(o.gradTolerance) && o.gradTolerance >= 0)) throw new InputError(`gradTolerance must be a finite number >= 0 (got ${o.gradTolerance})`);
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

/** The settings of Algorithm 1 a model run reports and reproduces (the CLI's --lambda --eta --iters --step --score). */
export type GdSettings = Pick<Required<GdOptions>, 'lambda' | 'eta' | 'iters' | 'step' | 'score'>;

/** Fill a partial setting from the defaults. */
export function gdSettings(o: Partial<GdSettings> = {}): GdSettings {
  return {
    lambda: o.lambda ?? GD_DEFAULTS.lambda,
    eta: o.eta ?? GD_DEFAULTS.eta,
    iters: o.iters ?? GD_DEFAULTS.iters,
    step: o.step ?? GD_DEFAULTS.step,
    score: o.score ?? GD_DEFAULTS.score,
  };
}

/**
 * Algorithm 1 in the paper's form, as this site ran it before the ablation: a fixed
 * step η = 0.05 (far above the 1/β the theorem needs), λ = 0.1, T = 300, rounding by
 * M_T itself. The chapters on the paper (2–7) show it under this name; "Making
 * attention-aware pruning win" measures how far it is from our defaults.
 */
export const GD_PAPER_FORM: Readonly<Required<GdOptions>> = { ...GD_DEFAULTS, eta: 0.05, iters: 300, lambda: 0.1, step: 'fixed', score: 'relaxed' };
