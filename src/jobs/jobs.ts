/**
 * What the solver worker does for each job, with no DOM and no worker API, so the
 * tests run the very same code in Node. Long jobs run in slices and call
 * `ctx.pause()` between them: that is where a newer job's cancel gets through.
 */
import { syntheticProblem } from '../core/synthetic.ts';
import { attention, compareAttention } from '../core/attention.ts';
import { GradientDescent, binariseRun, type Objective, type GdOptions } from '../core/gd.ts';
import { createObjective } from '../core/objectiveFactory.ts';
import { parseNM, type Granularity, prunedCount, applyMask, maskPruneLowestGlobal } from '../core/mask.ts';
import { effectiveSparsity, solve } from '../core/solve.ts';
import { type MethodId, PRUNING_METHOD_IDS } from '../core/methods.ts';
import { EXHAUSTIVE_LIMIT, exhaustiveCount, exhaustiveSearch, percentileRank } from '../core/exhaustive.ts';
import { binariseMerged } from '../core/binarise.ts';
import { linearError } from '../core/linear.ts';
import { cloudCentres, nearCloud } from './nearCloud.ts';
import { gaussian, mulberry32, subSeed } from '../core/random.ts';
import { AttentionObjective } from '../core/objective.ts';
import { zeros } from '../core/matrix.ts';
import type { Problem } from '../core/problem.ts';
import type { Model } from '../model/weights.ts';
import type { ModelName } from '../model/config.ts';
import type {
  CompareResult,
  ExhaustiveJobResult,
  GradcheckResult,
  GradcheckSweepPoint,
  Job,
  LabProgress,
  LabResult,
  MethodOutcome,
  ScatterResult,
  StepProgress,
  SweepRow,
  JobKind,
  JobOf,
  ResultOf,
} from './protocol.ts';
import { runModelGenerate, runModelPrune, runModelSweep } from './modelJobs.ts';

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
  modelPrune: runModelPrune,
  modelGenerate: runModelGenerate,
  modelSweep: runModelSweep,
};

function granularityOf(pattern: string, d: number): Granularity {
  return pattern === 'unstructured' ? { kind: 'unstructured' } : parseNM(pattern, d);
}

async function runLab(job: Extract<Job, { kind: 'lab' }>, ctx: JobContext): Promise<LabResult> {
  const start = performance.now();
  const problem = syntheticProblem(job.spec);
  const { d, n } = { d: problem.W.rows, n: problem.X.rows };
  let engine = 'float64 (WebAssembly SIMD or JavaScript)';
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
    const every = Math.max(1, Math.ceil(job.gd.iters / Math.max(1, job.snapshots)));
    const snapshots = [{ iteration: 0, m: gd.m.slice() }];
    // Slices of ~8 ms keep the worker responsive to a cancel without slowing the run.
    let slice = 1;
    while (gd.status === 'running') {
      const t0 = performance.now();
      const target = Math.min(job.gd.iters, gd.iteration + slice);
      while (gd.status === 'running' && gd.iteration < target) {
        gd.advance(1);
        if (gd.iteration % every === 0 || gd.status !== 'running') snapshots.push({ iteration: gd.iteration, m: gd.m.slice() });
      }
      const dt = performance.now() - t0;
      slice = Math.max(1, Math.min(1000, Math.round((slice * 8) / Math.max(dt, 0.05))));
      const p = gd.progress();
      ctx.progress({ iteration: p.iteration, loss: p.loss, attentionLoss: p.attentionLoss, m: gd.m.slice() });
      await ctx.pause();
    }
    const r = binariseRun(gd, job.sparsity, { kind: 'unstructured' });
    const f0 = attention(problem.X, problem.W, problem.causal);
    const fPruned = attention(problem.X, r.wPruned, problem.causal);
    const metrics = compareAttention(problem, r.wPruned);
    const granularity: Granularity = { kind: 'unstructured' };
    const roundedError = snapshots.map((sn) => ({
      iteration: sn.iteration,
      error: compareAttention(problem, applyMask(binariseMerged(sn.m, problem, job.sparsity, granularity, gd.options.score), problem.W)).attentionError,
    }));
    const references: { method: MethodId; error: number }[] = (['magnitude', 'wanda', 'sparsegpt'] as const).map((method) => ({
      method,
      error: solve(problem, method, { sparsity: job.sparsity, granularity }).metrics.attentionError,
    }));
    if (exhaustiveCount(d, job.sparsity, granularity) <= EXHAUSTIVE_LIMIT) {
      const ex = exhaustiveSearch(problem, job.sparsity, granularity);
      references.push({ method: 'exhaustive', error: compareAttention(problem, applyMask(ex.mask, problem.W)).attentionError });
    }
    const raisedAt = r.lossHistory.flatMap((l, t) => (t > 0 && l > r.lossHistory[t - 1] ? [t] : []));
    return {
      d,
      n,
      roundedError,
      references,
      raisedAt,
      convergence: r.convergenceReport,
      lossHistory: r.lossHistory,
      attentionLossHistory: r.attentionLossHistory,
      snapshots,
      mask: r.mask.data,
      f0: f0.data,
      fPruned: fPruned.data,
      metrics,
      safeEta: gd.safeEta,
      engine,
      timeMs: performance.now() - start,
    };
  } finally {
    dispose();
  }
}

function outcome(problem: Problem, method: MethodId, pattern: string, sparsity: number, gd: Partial<GdOptions>): MethodOutcome {
  const granularity = granularityOf(pattern, problem.W.rows);
  const r = solve(problem, method, { sparsity, granularity, gd });
  return {
    method,
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
    outcomes.push(outcome(problem, method, pattern, job.sparsity, job.gd));
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
    if (method === 'gd') {
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
      const o = outcome(problem, method, pattern, p, job.gd);
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

/** The gradient check's default sweep: h = 10^k for k = −15, −14.5, …, −1. */
export const GRADCHECK_SWEEP: readonly number[] = Array.from({ length: 29 }, (_, i) => 10 ** (-15 + i / 2));

/** The point of the gradient check: M = 1 + spread·noise, noise standard normal from the seed. */
export function gradcheckPoint(d: number, seed: number, spread: number): Float64Array {
  const normal = gaussian(mulberry32(subSeed(seed, 'M')));
  const m = new Float64Array(d * d);
  for (let i = 0; i < m.length; i++) m[i] = 1 + spread * normal();
  return m;
}

/** Central differences of L at m, entry by entry, into out; returns the number of evaluations. */
function centralDifferences(objective: AttentionObjective, m: Float64Array, h: number, out: Float64Array): number {
  const probe = m.slice();
  for (let i = 0; i < m.length; i++) {
    probe[i] = m[i] + h;
    const plus = objective.evaluate(probe).loss;
    probe[i] = m[i] - h;
    const minus = objective.evaluate(probe).loss;
    probe[i] = m[i];
    // Divide by the step actually taken (m ± h after rounding), not by the nominal 2h;
    // when h is below half an ulp of m the step vanishes and so does the difference.
    const step = m[i] + h - (m[i] - h);
    out[i] = (plus - minus) / (step > 0 ? step : 2 * h);
  }
  return 2 * m.length;
}

function differences(closed: Float64Array, fd: Float64Array): { maxAbsDiff: number; relativeError: number | null } {
  let maxAbsDiff = 0;
  let diff2 = 0;
  let ref2 = 0;
  for (let i = 0; i < closed.length; i++) {
    const e = Math.abs(closed[i] - fd[i]);
    if (!(e <= maxAbsDiff)) maxAbsDiff = e; // NaN propagates
    diff2 += e * e;
    ref2 += closed[i] * closed[i];
  }
  return { maxAbsDiff, relativeError: ref2 > 0 ? Math.sqrt(diff2 / ref2) : null };
}

const maxAbs = (a: Float64Array): number => a.reduce((m, v) => Math.max(m, Math.abs(v)), 0);

async function runGradcheck(job: Extract<Job, { kind: 'gradcheck' }>, ctx: JobContext): Promise<GradcheckResult> {
  const start = performance.now();
  const { n, d } = job.spec;
  if (!(Number.isInteger(d) && d >= 1 && d <= 8))
    throw new Error(`the gradient check needs d from 1 to 8 (got ${d}): d must be small, every entry is probed twice`);
  if (!(Number.isInteger(n) && n >= 1 && n <= 256)) throw new Error(`the gradient check needs n from 1 to 256 (got ${n})`);
  if (!(Number.isFinite(job.h) && job.h > 0)) throw new Error(`the step h must be a positive number (got ${job.h})`);
  if (!(Number.isFinite(job.spread) && job.spread >= 0)) throw new Error(`the spread must be a number >= 0 (got ${job.spread})`);
  const problem = syntheticProblem(job.spec);
  const objective = new AttentionObjective(problem.X, problem.W, { causal: problem.causal, lambda: job.lambda });
  const m = gradcheckPoint(d, job.spec.seed, job.spread);
  const closedForm = new Float64Array(d * d);
  const value = objective.evaluate(m, closedForm);
  if (!Number.isFinite(value.loss) || closedForm.some((g) => !Number.isFinite(g))) {
    throw new Error('the loss or its gradient is not finite at this point (NaN or infinity): lower the weight scale or the spread');
  }
  const finiteDiff = new Float64Array(d * d);
  let evaluations = 1 + centralDifferences(objective, m, job.h, finiteDiff);
  const main = differences(closedForm, finiteDiff);

  const hs = job.sweep ?? GRADCHECK_SWEEP;
  const sweep: GradcheckSweepPoint[] = [];
  const fd = new Float64Array(d * d);
  let bestH = job.h;
  let best = Infinity;
  for (const [i, h] of hs.entries()) {
    if (!(Number.isFinite(h) && h > 0)) throw new Error(`every step h of the sweep must be a positive number (got ${h})`);
    evaluations += centralDifferences(objective, m, h, fd);
    const r = differences(closedForm, fd);
    sweep.push({ h, ...r });
    if (r.maxAbsDiff < best) {
      best = r.maxAbsDiff;
      bestH = h;
    }
    if (i % 4 === 3) {
      ctx.progress({ done: i + 1, total: hs.length });
      await ctx.pause();
    }
  }
  return {
    n,
    d,
    h: job.h,
    m,
    loss: value.loss,
    attentionLoss: value.attentionLoss,
    closedForm,
    finiteDiff,
    maxAbsClosed: maxAbs(closedForm),
    maxAbsFinite: maxAbs(finiteDiff),
    maxAbsDiff: main.maxAbsDiff,
    relativeError: main.relativeError,
    exactlyZero: closedForm.every((g) => g === 0),
    sweep,
    bestH,
    evaluations,
    timeMs: performance.now() - start,
  };
}

/** The page's calibration and evaluation data (written by scripts/export-page-data.ts). */
