/** `cli -- solve`: prune one matrix and print SPEC §8's JSON. */
import { writeFileSync } from 'node:fs';
import { toNested } from '../core/matrix.ts';
import { parseNM, type Granularity } from '../core/mask.ts';
import { GD_DEFAULTS } from '../core/gd.ts';
import { solve, type SolveResult } from '../core/solve.ts';
import { METHOD_IDS, isMethodId } from '../core/methods.ts';
import type { Problem } from '../core/problem.ts';
import { integerFlag, numberFlag, parseArgs, UsageError } from './args.ts';
import { readProblem } from './problemFile.ts';

const SPEC = {
  values: ['problem', 'method', 'sparsity', 'nm', 'lambda', 'eta', 'iters', 'tol', 'out'],
  booleans: ['clip', 'causal'],
} as const;

export function solveCommand(argv: readonly string[]): string {
  const args = parseArgs(argv, SPEC);
  const problemPath = args.values.get('problem');
  if (!problemPath) throw new UsageError('solve needs --problem P.json');
  const method = args.values.get('method') ?? 'gd';
  if (!isMethodId(method)) throw new UsageError(`unknown method "${method}" (expected one of ${METHOD_IDS.join(', ')})`);
  const nmText = args.values.get('nm');
  if (!args.values.has('sparsity') && !nmText) throw new UsageError('solve needs --sparsity p (or --nm N:M)');
  const sparsity = numberFlag(args, 'sparsity', 0, (v) => (v >= 0 && v < 1 ? null : 'must be in [0, 1)'));
  const lambda = numberFlag(args, 'lambda', GD_DEFAULTS.lambda, (v) => (v >= 0 ? null : 'must be >= 0'));
  const eta = numberFlag(args, 'eta', GD_DEFAULTS.eta, (v) => (v > 0 ? null : 'must be > 0'));
  const iters = integerFlag(args, 'iters', GD_DEFAULTS.iters);
  const tolerance = numberFlag(args, 'tol', 0, (v) => (v >= 0 ? null : 'must be >= 0'));

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
  const gd = { lambda, eta, iters, clip: args.booleans.has('clip'), tolerance };
  process.stderr.write(`solve: ${method}, n=${problem.X.rows}, d=${d}, sparsity=${sparsity}${nmText ? `, ${nmText}` : ''}\n`);
  const result = solve(problem, method, { sparsity, granularity, gd });
  const json = JSON.stringify(solveResultJson(problem, result, method === 'gd' ? gd : undefined, nmText));
  const out = args.values.get('out');
  if (out) {
    writeFileSync(out, json + '\n');
    return '';
  }
  return json;
}

/** SPEC §8's output object (snake_case), plus a few extra fields a reader wants. */
export function solveResultJson(problem: Problem, r: SolveResult, gd?: object, nm?: string): Record<string, unknown> {
  const json: Record<string, unknown> = {
    method: r.method,
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
  if (r.exhaustive) json.exhaustive = { optimum: r.exhaustive.optimum, masks: r.exhaustive.masks, rank_of: r.exhaustive.rankOf };
  if (r.notes.length) json.notes = r.notes;
  json.time_ms = r.timeMs;
  return json;
}
