/** `cli -- solve`: prune one matrix and print SPEC §8's JSON. */
import { toNested } from '../core/matrix.ts';
import { parseNM, type Granularity } from '../core/mask.ts';
import { type ConvergenceReport, GD_DEFAULTS, type StepRule } from '../core/gd.ts';
import { BINARISE_SCORES, type BinariseScore, isBinariseScore } from '../core/binarise.ts';
import type { ReconstructReport } from '../core/reconstruct.ts';
import { solve, type SolveResult } from '../core/solve.ts';
import { METHOD_IDS, isMethodId, methodInfo } from '../core/methods.ts';
import type { Problem } from '../core/problem.ts';
import { integerFlag, numberFlag, parseArgs, type ParsedArgs, UsageError } from './args.ts';
import { logitScaleHint, readProblem } from './problemFile.ts';
import { checkOutputPath, stringifyFinite, writeOutputFile } from './io.ts';
import { computeJson, refitFlag, retiredMethodHint } from './refitFlags.ts';

const SPEC = {
  values: ['problem', 'method', 'sparsity', 'nm', 'lambda', 'eta', 'iters', 'tol', 'step', 'score', 'out', 'refit', 'seed'],
  booleans: ['clip', 'causal'],
} as const;

export function solveCommand(argv: readonly string[]): string {
  const args = parseArgs(argv, SPEC);
  const problemPath = args.values.get('problem');
  if (!problemPath) throw new UsageError('solve needs --problem P.json');
  const method = args.values.get('method') ?? 'gd';
  if (!isMethodId(method)) throw new UsageError(`unknown method "${method}"${retiredMethodHint(method)} (expected one of ${METHOD_IDS.join(', ')})`);
  const refit = refitFlag(args);
  if (method === 'exhaustive' && refit !== 'none')
    throw new UsageError('--refit applies to a pruning method, not to the exhaustive search (it ranks every method without a refit)');
  const seed = integerFlag(args, 'seed', 1, 0);
  const nmText = args.values.get('nm');
  if (!args.values.has('sparsity') && !nmText) throw new UsageError('solve needs --sparsity p (or --nm N:M)');
  const sparsity = numberFlag(args, 'sparsity', 0, (v) => (v >= 0 && v < 1 ? null : 'must be in [0, 1)'));
  const lambda = numberFlag(args, 'lambda', GD_DEFAULTS.lambda, (v) => (v >= 0 ? null : 'must be >= 0'));
  const eta = numberFlag(args, 'eta', GD_DEFAULTS.eta, (v) => (v > 0 ? null : 'must be > 0'));
  const iters = integerFlag(args, 'iters', GD_DEFAULTS.iters);
  const tolerance = numberFlag(args, 'tol', 0, (v) => (v >= 0 ? null : 'must be >= 0'));

  if (args.values.has('out')) checkOutputPath(args.values.get('out') ?? '', [problemPath]);
  const loaded = readProblem(problemPath);
  const problem: Problem = args.booleans.has('causal') ? { ...loaded, causal: true } : loaded;
  const d = problem.W.rows;
  let granularity: Granularity = { kind: 'unstructured' };
  if (nmText) {
    try {
      granularity = parseNM(nmText, d);
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
  }
  const gd = { lambda, eta, iters, clip: args.booleans.has('clip'), tolerance, ...gdRuleFlags(args) };
  process.stderr.write(
    `solve: ${method}${refit === 'none' ? '' : ` + ${refit} refit`}, n=${problem.X.rows}, d=${d}, sparsity=${sparsity}${nmText ? `, ${nmText}` : ''}\n`,
  );
  const result = solve(problem, method, { sparsity, granularity, gd, refit, seed });
  const json = stringifyFinite(solveResultJson(problem, result, methodInfo(method).options.includes('gd') ? gd : undefined, nmText), () =>
    logitScaleHint(problem),
  );
  const out = args.values.get('out');
  if (out) {
    writeOutputFile(out, json + '\n', [problemPath]);
    return '';
  }
  return json;
}

/** SPEC §8's output object (snake_case), plus a few extra fields a reader wants. */
export function solveResultJson(problem: Problem, r: SolveResult, gd?: object, nm?: string): Record<string, unknown> {
  const json: Record<string, unknown> = {
    method: r.method,
    refit: r.refit,
    sparsity: r.sparsity,
    n: problem.X.rows,
    d: problem.W.rows,
    causal: problem.causal,
    mask: toNested(r.mask),
    W_pruned: toNested(r.wPruned),
    attention_error: r.metrics.attentionError,
    attention_loss: r.metrics.attentionLoss,
    mean_row_kl: r.metrics.meanRowKL,
    mean_row_tv: r.metrics.meanRowTV,
    pruned: r.pruned,
  };
  if (nm) json.nm = nm;
  if (gd) json.options = gd;
  if (r.lossHistory) json.loss_history = r.lossHistory;
  if (r.relaxed) json.M = toNested(r.relaxed);
  if (r.convergence) json.convergence = convergenceJson(r.convergence);
  if (r.search) json.search = r.search;
  if (r.reconstruction) json.reconstruction = reconstructionJson(r.reconstruction);
  if (r.linearRefit) json.linear_refit = { linear_error_before: r.linearRefit.before, linear_error_after: r.linearRefit.after };
  if (r.compute) json.compute = computeJson(r.compute);
  if (r.exhaustive) json.exhaustive = { optimum: r.exhaustive.optimum, masks: r.exhaustive.masks, rank_of: r.exhaustive.rankOf };
  if (r.notes.length) json.notes = r.notes;
  json.time_ms = r.timeMs;
  return json;
}

/** --step and --score, shared by solve and model-prune: Algorithm 1's step rule and its rounding score. */
export function gdRuleFlags(args: ParsedArgs): { step: StepRule; score: BinariseScore } {
  const step = args.values.get('step') ?? GD_DEFAULTS.step;
  if (step !== 'fixed' && step !== 'armijo') throw new UsageError(`--step must be fixed or armijo (got "${step}")`);
  const score = args.values.get('score') ?? GD_DEFAULTS.score;
  if (!isBinariseScore(score)) throw new UsageError(`--score must be one of ${BINARISE_SCORES.join(', ')} (got "${score}")`);
  return { step, score };
}

/** Algorithm 1's convergence report as the CLI prints it (snake_case; the accepted steps summarised). */
export function convergenceJson(c: ConvergenceReport): Record<string, unknown> {
  const steps = c.acceptedSteps;
  return {
    step_rule: c.step,
    iterations: c.iterations,
    evaluations: c.evaluations,
    steps_that_raised_L: c.stepsRaisedL,
    accepted_step: steps.length ? { min: Math.min(...steps), max: Math.max(...steps), last: steps[steps.length - 1] } : null,
    observed_linear_rate: Number.isFinite(c.observedRate) ? c.observedRate : null,
    rate_window: c.rateWindow,
    smoothness_bound_beta: Number.isFinite(c.beta) ? c.beta : null,
    safe_eta: Number.isFinite(c.safeEta) ? c.safeEta : null,
    pl_bound_rate: Number.isFinite(c.plRate) ? c.plRate : null,
    within_pl_bound: c.withinPlBound,
    summary: c.summary,
  };
}

/** Reconstruction's report as the CLI prints it: no held-out numbers without a held-out set (null, never NaN). */
export function reconstructionJson(r: ReconstructReport): Record<string, unknown> {
  const held = Number.isFinite(r.heldOutBefore);
  return {
    calibration_before: r.calibrationBefore,
    calibration_after: r.calibrationAfter,
    held_out_before: held ? r.heldOutBefore : null,
    held_out_after: held ? r.heldOutAfter : null,
    steps: r.steps,
    best_step: r.bestStep,
    evaluations: r.evaluations,
    steps_that_raised_L: r.stepsRaisedL,
    stopped: r.stopped,
  };
}
