/**
 * The gradient check (chapter 4's widget and the chapter's own numbers): at the point
 * M = 1 + spread·noise, the closed-form gradient of SPEC §2 next to central finite
 * differences. Pure (core only, no model code), so the chapter's build-time numbers
 * (src/site/numbers/examples.ts) call `gradcheckAt`, the very function the widget's job runs.
 */
import { syntheticProblem } from '../core/synthetic.ts';
import { gaussian, mulberry32, subSeed } from '../core/random.ts';
import { AttentionObjective } from '../core/objective.ts';
import type { GradcheckResult, GradcheckSweepPoint, Job } from './protocol.ts';
import type { JobContext } from './jobs.ts';

type GradcheckJob = Extract<Job, { kind: 'gradcheck' }>;

/**
 * The step h = 10^k of a gradient check. For a whole k it is the decimal number 1e-k as
 * written: `10 ** k` goes through pow, which some engines round differently (V8 gives
 * 10 ** -4 = 0.00009999999999999999), and at round-off level a different h gives other digits.
 */
export function stepOfExponent(k: number): number {
  return Number.isInteger(k) ? Number(`1e${k}`) : 10 ** k;
}

/** The gradient check's default sweep: h = 10^k for k = −15, −14.5, …, −1. */
export const GRADCHECK_SWEEP: readonly number[] = Array.from({ length: 29 }, (_, i) => stepOfExponent(-15 + i / 2));

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

/** The check at the job's one step h, without the sweep over h. */
export function gradcheckAt(job: GradcheckJob) {
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
  const evaluations = 1 + centralDifferences(objective, m, job.h, finiteDiff);
  const main = differences(closedForm, finiteDiff);
  return {
    n,
    d,
    h: job.h,
    m,
    objective,
    loss: value.loss,
    attentionLoss: value.attentionLoss,
    closedForm,
    finiteDiff,
    maxAbsClosed: maxAbs(closedForm),
    maxAbsFinite: maxAbs(finiteDiff),
    maxAbsDiff: main.maxAbsDiff,
    relativeError: main.relativeError,
    exactlyZero: closedForm.every((g) => g === 0),
    evaluations,
  };
}

export async function runGradcheck(job: GradcheckJob, ctx: JobContext): Promise<GradcheckResult> {
  const start = performance.now();
  const { objective, ...at } = gradcheckAt(job);
  const { d, m, closedForm } = at;
  let evaluations = at.evaluations;
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
    ...at,
    sweep,
    bestH,
    evaluations,
    timeMs: performance.now() - start,
  };
}
