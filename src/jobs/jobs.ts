/**
 * What the solver worker does for each job, with no DOM and no worker API, so the
 * tests run the very same code in Node. Long jobs run in slices and call
 * `ctx.pause()` between them: that is where a newer job's cancel gets through.
 */
import { syntheticProblem } from '../core/synthetic.ts';
import { attention, compareAttention } from '../core/attention.ts';
import { DivergenceError, GradientDescent, binariseRun, type Objective, type GdOptions } from '../core/gd.ts';
import { createObjective, defaultKernel } from '../core/objectiveFactory.ts';
import { parseNM, type Granularity, prunedCount, applyMask, maskPruneLowestGlobal } from '../core/mask.ts';
import { effectiveSparsity, solve } from '../core/solve.ts';
import { BASELINE_METHOD_IDS, type MethodId, PRUNING_METHOD_IDS, type RefitId } from '../core/methods.ts';
import { EXHAUSTIVE_LIMIT, exhaustiveCount, exhaustiveSearch, percentileRank } from '../core/exhaustive.ts';
import { binariseMerged } from '../core/binarise.ts';
import { linearError } from '../core/linear.ts';
import { cloudCentres, nearCloud } from './nearCloud.ts';
import { gaussian, mulberry32 } from '../core/random.ts';
import { runGradcheck } from './gradcheck.ts';
import { runLossFloor } from './lossFloor.ts';
import { zeros } from '../core/matrix.ts';
import { type Problem, segmentsOf } from '../core/problem.ts';
import type { Model } from '../model/weights.ts';
import type { ModelName } from '../model/config.ts';
import type {
  CompareResult,
  ExhaustiveJobResult,
  Job,
  LabProgress,
  LabResult,
  LabSnapshot,
  MethodOutcome,
  ScatterResult,
  StepProgress,
  SweepRow,
  JobKind,
  JobOf,
  ResultOf,
} from './protocol.ts';
import { runModelGenerate, runModelPrune, runModelSweep } from './modelJobs.ts';

export { GRADCHECK_SWEEP, gradcheckPoint } from './gradcheck.ts';

export class Cancelled extends Error {
  override name = 'Cancelled';
}

export interface JobContext {
  progress(p: LabProgress | StepProgress): void;
  /** Yield to the event loop; throws Cancelled if the job was superseded meanwhile. */
  pause(): Promise<void>;
  /** Builds the float32 TensorFlow.js objective (only the worker has a backend). */
  tfObjective?: (problem: Problem, lambda: number) => Promise<{ objective: Objective; backend: string; dispose(): void }>;
  /** Initialises TensorFlow.js (the model's forward pass) and names its backend. */
  tfBackend?: () => Promise<string>;
  /** Loads a shipped model; by default over HTTP from /models/<name>/ (the worker caches it). */
  loadModel?: (name: ModelName) => Promise<Model>;
  /** Loads one of the page's data files, public/data/<file>; by default over HTTP. */
  loadData?: (file: string) => Promise<unknown>;
}

/** Run one job: each kind's function is checked against the protocol's JobResults table. */
export async function runJob<K extends JobKind>(job: JobOf<K>, ctx: JobContext): Promise<ResultOf<K>> {
  const run = RUNNERS[job.kind] as (job: JobOf<K>, ctx: JobContext) => Promise<ResultOf<K>>;
  return run(job, ctx);
}

/**
 * The runner of each kind. TypeScript cannot relate a generic K to the union member
 * that `RUNNERS[job.kind]` picks, so `runJob` states the relation once; this table's
 * type makes sure every kind has a runner with exactly its job and its result.
 */
const RUNNERS: { [K in JobKind]: (job: JobOf<K>, ctx: JobContext) => Promise<ResultOf<K>> } = {
  lab: runLab,
  compare: runCompare,
  sweep: runSweep,
  exhaustive: async (job) => runExhaustive(job),
  scatter: runScatter,
  gradcheck: runGradcheck,
  lossFloor: runLossFloor,
  modelPrune: runModelPrune,
  modelGenerate: runModelGenerate,
  modelSweep: runModelSweep,
};

function granularityOf(pattern: string, d: number): Granularity {
  return pattern === 'unstructured' ? { kind: 'unstructured' } : parseNM(pattern, d);
}

/**
 * The lab's run. Unlike the CLI (which stops with exit code 2), a diverged run is not
 * thrown away here: the page draws its trajectory up to the blow-up beside the message.
 * Every snapshot carries the mask rounded from M_t, so the page can show the binary mask
 * and F′ at any t (it computes F′ from X and W, which costs far less than shipping n²
 * numbers per snapshot).
 */
async function runLab(job: Extract<Job, { kind: 'lab' }>, ctx: JobContext): Promise<LabResult> {
  const start = performance.now();
  const problem = syntheticProblem(job.spec);
  const { d, n } = { d: problem.W.rows, n: problem.X.rows };
  let engine = defaultKernel() === 'wasm-simd-f64' ? 'float64, WebAssembly SIMD' : 'float64, JavaScript (this browser has no WebAssembly SIMD)';
  let objective: Objective = createObjective(problem, job.gd.lambda);
  let dispose = (): void => {};
  if (job.engine === 'tfjs') {
    if (!ctx.tfObjective) throw new Error('the TensorFlow.js engine is not available here');
    const tf = await ctx.tfObjective(problem, job.gd.lambda);
    objective = tf.objective;
    engine = `TensorFlow.js float32 (${tf.backend})`;
    dispose = tf.dispose;
  }
  try {
    const gd = new GradientDescent(problem, job.gd, objective);
    const startGrad = new Float64Array(d * d);
    objective.evaluate(new Float64Array(d * d).fill(1), startGrad);
    const startGradNorm = Math.sqrt(startGrad.reduce((a, g) => a + g * g, 0));
    const every = Math.max(1, Math.ceil(job.gd.iters / Math.max(1, job.snapshots)));
    const relaxed = [{ iteration: 0, m: gd.m.slice() }];
    let divergence: LabResult['divergence'] = null;
    // Slices of ~8 ms keep the worker responsive to a cancel without slowing the run.
    let slice = 1;
    while (gd.status === 'running') {
      const t0 = performance.now();
      const target = Math.min(job.gd.iters, gd.iteration + slice);
      try {
        while (gd.status === 'running' && gd.iteration < target) {
          gd.advance(1);
          if (gd.iteration % every === 0 || gd.status !== 'running') relaxed.push({ iteration: gd.iteration, m: gd.m.slice() });
        }
      } catch (e) {
        if (!(e instanceof DivergenceError)) throw e;
        divergence = { message: e.message, iteration: e.iteration, loss: e.loss };
        if (relaxed.at(-1)?.iteration !== gd.iteration && gd.m.every(Number.isFinite)) relaxed.push({ iteration: gd.iteration, m: gd.m.slice() });
      }
      const dt = performance.now() - t0;
      slice = Math.max(1, Math.min(1000, Math.round((slice * 8) / Math.max(dt, 0.05))));
      const p = gd.progress();
      ctx.progress({ iteration: p.iteration, loss: p.loss, attentionLoss: p.attentionLoss, m: gd.m.slice() });
      await ctx.pause();
    }
    const granularity: Granularity = { kind: 'unstructured' };
    const f0 = attention(problem.X, problem.W, problem.causal);
    const roundedError: LabResult['roundedError'] = [];
    const snapshots: LabSnapshot[] = [];
    // The rounded mask changes at few snapshots: F′ and its error are computed once per distinct mask.
    const seen = new Map<string, { error: number; maxDiff: number }>();
    const oneSequence = segmentsOf(problem).length === 1;
    let ref2 = 0;
    for (const v of f0.data) ref2 += v * v;
    for (const sn of relaxed) {
      if (!sn.m.every(Number.isFinite)) continue;
      const mask = binariseMerged(sn.m, problem, job.sparsity, granularity, gd.options.score);
      const key = mask.data.join('');
      let known = seen.get(key);
      if (!known) {
        const w = applyMask(mask, problem.W);
        const f = attention(problem.X, w, problem.causal);
        let maxDiff = 0;
        let diff2 = 0;
        for (let i = 0; i < f.data.length; i++) {
          const e = f.data[i] - f0.data[i];
          diff2 += e * e;
          if (Math.abs(e) > maxDiff) maxDiff = Math.abs(e);
        }
        // One sequence: ‖F′ − F₀‖_F / ‖F₀‖_F is compareAttention's error (the unit tests hold them
        // equal to 12 digits), from the F′ already computed here.
        const error = oneSequence ? Math.sqrt(diff2 / ref2) : compareAttention(problem, w).attentionError;
        known = { error, maxDiff };
        seen.set(key, known);
      }
      snapshots.push({ iteration: sn.iteration, m: sn.m, rounded: Uint8Array.from(mask.data), maxDiff: known.maxDiff });
      roundedError.push({ iteration: sn.iteration, error: known.error });
    }
    let final: LabResult['final'] = null;
    let convergence: LabResult['convergence'] | undefined;
    if (!divergence) {
      const r = binariseRun(gd, job.sparsity, granularity);
      convergence = r.convergenceReport;
      final = { mask: r.mask.data, fPruned: attention(problem.X, r.wPruned, problem.causal).data, metrics: compareAttention(problem, r.wPruned) };
    }
    // Every published baseline of the registry (a baseline added there is never left out of the references).
    const references: { method: MethodId; error: number }[] = BASELINE_METHOD_IDS.map((method) => ({
      method,
      error: solve(problem, method, { sparsity: job.sparsity, granularity }).metrics.attentionError,
    }));
    if (exhaustiveCount(d, job.sparsity, granularity) <= EXHAUSTIVE_LIMIT) {
      const ex = exhaustiveSearch(problem, job.sparsity, granularity);
      references.push({ method: 'exhaustive', error: compareAttention(problem, applyMask(ex.mask, problem.W)).attentionError });
    }
    const history = gd.lossHistory;
    const raisedAt = history.flatMap((l, t) => (t > 0 && l > history[t - 1] ? [t] : []));
    return {
      d,
      n,
      roundedError,
      references,
      raisedAt,
      convergence: convergence ?? gd.convergenceReport(),
      lossHistory: history.slice(),
      attentionLossHistory: gd.attentionLossHistory.slice(),
      snapshots,
      x: problem.X.data,
      w: problem.W.data,
      causal: problem.causal,
      f0: f0.data,
      startGradNorm,
      final,
      divergence,
      safeEta: gd.safeEta,
      engine,
      timeMs: performance.now() - start,
    };
  } finally {
    dispose();
  }
}

function outcome(problem: Problem, method: MethodId, pattern: string, sparsity: number, gd: Partial<GdOptions>, refit: RefitId = 'none'): MethodOutcome {
  const granularity = granularityOf(pattern, problem.W.rows);
  const r = solve(problem, method, { sparsity, granularity, gd, refit });
  return {
    method,
    refit: r.refit,
    ...(r.compute ? { compute: r.compute } : {}),
    pattern,
    sparsity: r.sparsity,
    pruned: r.pruned,
    metrics: r.metrics,
    linearError: linearError(problem.X, problem.W, r.wPruned),
    mask: r.mask.data,
    fPruned: attention(problem.X, r.wPruned, problem.causal).data,
    notes: r.notes,
    timeMs: r.timeMs,
  };
}

async function runCompare(job: Extract<Job, { kind: 'compare' }>, ctx: JobContext): Promise<CompareResult> {
  const problem = syntheticProblem(job.spec);
  const pattern = job.granularity.kind === 'nm' ? `${job.granularity.n}:${job.granularity.m}` : 'unstructured';
  const outcomes: MethodOutcome[] = [];
  for (const [i, method] of job.methods.entries()) {
    outcomes.push(outcome(problem, method, pattern, job.sparsity, job.gd, job.refit));
    ctx.progress({ done: i + 1, total: job.methods.length });
    await ctx.pause();
  }
  return { n: problem.X.rows, d: problem.W.rows, f0: attention(problem.X, problem.W, problem.causal).data, outcomes };
}

async function runSweep(job: Extract<Job, { kind: 'sweep' }>, ctx: JobContext): Promise<SweepRow[]> {
  const problem = syntheticProblem(job.spec);
  const rows: SweepRow[] = [];
  const tasks: [MethodId, string, number][] = [];
  for (const pattern of job.patterns) {
    for (const method of job.methods) {
      if (pattern === 'unstructured') for (const p of job.sparsities) tasks.push([method, pattern, p]);
      else tasks.push([method, pattern, 0]);
    }
  }
  // M_T does not depend on the sparsity or the pattern: one gradient-descent run serves every row.
  let gd: GradientDescent | undefined;
  for (const [i, [method, pattern, p]] of tasks.entries()) {
    // (With a refit, each row refits its own mask: the shortcut below covers the mask stage only.)
    if (method === 'gd' && (job.refit ?? 'none') === 'none') {
      if (!gd) {
        gd = new GradientDescent(problem, job.gd);
        gd.advance();
      }
      const r = binariseRun(gd, p, granularityOf(pattern, problem.W.rows));
      const metrics = compareAttention(problem, r.wPruned);
      const sparsity = pattern === 'unstructured' ? p : effectiveSparsity({ sparsity: p, granularity: granularityOf(pattern, problem.W.rows) });
      rows.push({
        method,
        pattern,
        sparsity,
        attentionError: metrics.attentionError,
        meanRowKL: metrics.meanRowKL,
        linearError: linearError(problem.X, problem.W, r.wPruned),
      });
    } else {
      const o = outcome(problem, method, pattern, p, job.gd, job.refit);
      rows.push({
        method,
        pattern,
        sparsity: o.sparsity,
        attentionError: o.metrics.attentionError,
        meanRowKL: o.metrics.meanRowKL,
        linearError: o.linearError,
      });
    }
    ctx.progress({ done: i + 1, total: tasks.length });
    await ctx.pause();
  }
  return rows;
}

function runExhaustive(job: Extract<Job, { kind: 'exhaustive' }>): ExhaustiveJobResult {
  const start = performance.now();
  const problem = syntheticProblem(job.spec);
  const granularity: Granularity = { kind: 'unstructured' };
  const ex = exhaustiveSearch(problem, job.sparsity, granularity);
  const methods = PRUNING_METHOD_IDS.map((method) => {
    const r = solve(problem, method, { sparsity: job.sparsity, granularity, gd: job.gd });
    return { method, attentionLoss: r.metrics.attentionLoss, rank: percentileRank(ex.losses, r.metrics.attentionLoss) };
  });
  return { losses: ex.losses, optimum: ex.optimum, masks: ex.masks, methods, timeMs: performance.now() - start };
}

async function runScatter(job: Extract<Job, { kind: 'scatter' }>, ctx: JobContext): Promise<ScatterResult> {
  const problem = syntheticProblem(job.spec);
  const d = problem.W.rows;
  const k = prunedCount(d, job.sparsity);
  const normal = gaussian(mulberry32(job.seed));
  const scores = zeros(d, d);
  const random: ScatterResult['random'] = [];
  for (let s = 0; s < job.samples; s++) {
    for (let i = 0; i < scores.data.length; i++) scores.data[i] = normal();
    const w = applyMask(maskPruneLowestGlobal(scores, k), problem.W);
    random.push({ linear: linearError(problem.X, problem.W, w), attention: compareAttention(problem, w).attentionError });
    if (s % 50 === 49) {
      ctx.progress({ done: s + 1, total: job.samples });
      await ctx.pause();
    }
  }
  const methods = PRUNING_METHOD_IDS.map((method) => {
    const r = solve(problem, method, { sparsity: job.sparsity, granularity: { kind: 'unstructured' }, gd: job.gd });
    return { method, linear: linearError(problem.X, problem.W, r.wPruned), attention: r.metrics.attentionError, mask: r.mask.data };
  });
  const near: ScatterResult['near'] = [];
  const centres = cloudCentres(methods);
  for (const [i, m] of centres.entries()) {
    near.push(...nearCloud(problem, [m], { perMethod: job.near ?? 0, seed: job.seed }));
    ctx.progress({ done: (i + 1) * (job.near ?? 0), total: centres.length * (job.near ?? 0) });
    await ctx.pause();
  }
  return { random, methods: methods.map(({ mask: _, ...m }) => m), near };
}

/** The page's calibration and evaluation data (written by scripts/export-page-data.ts). */
