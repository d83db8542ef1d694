/**
 * Model pruning commands (issue 3), thin over src/model/prune.ts:
 *   model-prune --model M --method <a model method of the registry> --sparsity p [--refit none|linear|attention]
 *               [--mode merged|factored] [--nm 2:4] [--calib-seqs 8] [--calib-text FILE] [--eval-seqs N]
 *               [--seed s] [--lambda l --eta e --iters T] [--out R.json]
 *   sweep --model M [--methods gd,magnitude,...] [--refit none,attention] [--sparsities 0.3,0.5,0.7,0.9]
 *               [--mode merged|factored] [--format json|csv] [same calibration options]
 *   generate ... [--prune R.json [--compare [--eval-seqs N]]]    (continue a prompt with the pruned model; JSON beside the dense one)
 */
import { mulberry32, subSeed } from '../core/random.ts';
import { parseNM, type Granularity } from '../core/mask.ts';
import { GD_DEFAULTS, type GdSettings, gdSettings } from '../core/gd.ts';
import { gdRuleFlags } from './solveCommand.ts';
import { isBrownModel, type ModelName } from '../model/config.ts';
import { tokenNoun } from '../model/tokenizer.ts';
import type { Model } from '../model/weights.ts';
import type { HeadLogitsFn, HeadOverride } from '../model/transformer.ts';
import { calibrationFromText, CalibrationTextError } from '../model/calibrationText.ts';
import {
  captureCalibration,
  headLogitsOf,
  pruneModel,
  totalCompute,
  weightAccounting,
  windowsUsed,
  type ModelPruneResult,
  type PruneMode,
} from '../model/prune.ts';
import { MODEL_METHOD_IDS, type ModelMethodId, methodInfo, type RefitId } from '../core/methods.ts';
import { computeJson, refitFlag, refitListFlag, retiredMethodHint } from './refitFlags.ts';
import { sweepModel, type SweepResult, type SweepRow } from '../model/sweep.ts';
export type { SweepResult } from '../model/sweep.ts';
import { agreementOn, randomWindows, score, type EvalSet, type Score } from '../model/evaluate.ts';
import { integerFlag, numberFlag, parseArgs, UsageError, type ParsedArgs } from './args.ts';
import { GENERATE_VALUE_FLAGS, generateFrom, generateSettings, generateWith, loadShippedModel, modelFlag, shippedModelInfo } from './modelCommands.ts';
import { departureJson, firstDeparture, tokenUnit } from '../model/textAgreement.ts';
import { checkOutputPath, precheckInputFile, readInputFile, stringifyFinite, writeOutputFile } from './io.ts';
import { FILE_MAX_BYTES } from './limits.ts';
import { readPruneFile } from './pruneFile.ts';

const COMMON_VALUES = ['model', 'mode', 'nm', 'calib-seqs', 'calib-text', 'eval-seqs', 'seed', 'lambda', 'eta', 'iters', 'step', 'score'] as const;

interface Setup {
  name: ModelName;
  model: Model;
  mode: PruneMode;
  granularity: Granularity;
  nm?: string;
  gd: GdSettings;
  calibration: Int32Array[];
  calibrationSource: string;
  evalSet: EvalSet;
  seed: number;
}

/** Everything a model run needs, typed: the CLI's flags parse into this, scripts build it directly. */
export interface ModelRunOptions {
  model: ModelName;
  mode?: PruneMode;
  nm?: string;
  calibSeqs?: number;
  /** A file of text to calibrate a Brown model on (its first windows). */
  calibText?: string;
  evalSeqs?: number;
  seed?: number;
  gd?: Partial<GdSettings>;
}

/** The flags shared by model-prune and sweep, as typed options. */
function modelRunOptions(args: ParsedArgs): ModelRunOptions {
  const mode = args.values.get('mode') ?? 'merged';
  if (mode !== 'merged' && mode !== 'factored') throw new UsageError(`--mode must be merged or factored (got "${mode}")`);
  return {
    model: modelFlag(args),
    mode,
    nm: args.values.get('nm'),
    calibSeqs: integerFlag(args, 'calib-seqs', 8, 1),
    calibText: precheckInputFile(args.values.get('calib-text'), '--calib-text', FILE_MAX_BYTES['calib-text']),
    evalSeqs: args.values.has('eval-seqs') ? integerFlag(args, 'eval-seqs', 1, 1) : undefined,
    seed: integerFlag(args, 'seed', 1, 0),
    gd: gdFlags(args),
  };
}

/** Algorithm 1's flags (--lambda --eta --iters --step --score), shared with model-prune --checkpoint. */
export function gdFlags(args: ParsedArgs): Partial<GdSettings> {
  return {
    lambda: numberFlag(args, 'lambda', GD_DEFAULTS.lambda, (v) => (v >= 0 ? null : 'must be >= 0')),
    eta: numberFlag(args, 'eta', GD_DEFAULTS.eta, (v) => (v > 0 ? null : 'must be > 0')),
    iters: integerFlag(args, 'iters', GD_DEFAULTS.iters),
    ...gdRuleFlags(args),
  };
}

async function setup(o: ModelRunOptions): Promise<Setup> {
  const name = o.model;
  const mode = o.mode ?? 'merged';
  const calibSeqs = o.calibSeqs ?? 8;
  const seed = o.seed ?? 1;
  const gd = gdSettings(o.gd);
  const model = await loadShippedModel(name);
  const nm = o.nm;
  let granularity: Granularity = { kind: 'unstructured' };
  if (nm) {
    try {
      granularity = parseNM(nm, model.config.dModel);
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
  }
  const T = model.config.contextLength;
  const rng = mulberry32(subSeed(seed, 'calibration'));
  let calibration: Int32Array[];
  let calibrationSource: string;
  const calibText = o.calibText;
  if (isBrownModel(name)) {
    const { brownText } = await import('../model/data/brown.ts');
    const unit = tokenNoun(model.tokenizer.kind, 2);
    if (calibText) {
      const text = readInputFile(calibText, `--calib-text ${calibText}`, FILE_MAX_BYTES['calib-text']);
      try {
        const c = calibrationFromText(model.tokenizer, text, T, calibSeqs);
        calibration = c.windows;
        calibrationSource = `${calibText}: ${c.description}`;
      } catch (e) {
        if (e instanceof CalibrationTextError) throw new UsageError(`--calib-text ${calibText}: ${e.message}`);
        throw e;
      }
    } else {
      calibration = randomWindows(model.tokenizer.encode(brownText('train')), T, calibSeqs, rng);
      calibrationSource = `${calibSeqs} windows of ${T} ${unit} at seeded random offsets of the training split (seed ${seed})`;
    }
  } else {
    if (calibText) throw new UsageError('--calib-text applies to the Brown models only (induction sequences are synthetic)');
    const ind = await import('../model/induction.ts');
    calibration = ind.inductionBatch(rng, calibSeqs).sequences.map((s) => s.slice(0, T));
    calibrationSource = `${calibSeqs} induction training sequences (seed ${seed})`;
  }
  const evalSet = await evalSetOf(name, model, o.evalSeqs);
  return { name, model, mode, granularity, nm, gd, calibration, calibrationSource, evalSet, seed };
}

/** The evaluation sequences of model-prune, sweep and generate --compare: a Brown model's first validation windows (128), induction's validation set. */
async function evalSetOf(name: ModelName, model: Model, evalSeqs: number | undefined): Promise<EvalSet> {
  const T = model.config.contextLength;
  if (isBrownModel(name)) {
    const { brownText, evalWindows } = await import('../model/data/brown.ts');
    const windows = evalWindows(model.tokenizer.encode(brownText('val')), T).slice(0, evalSeqs ?? 128);
    return {
      sequences: windows,
      description: `the first ${windows.length} validation windows of ${T + 1} ${tokenNoun(model.tokenizer.kind, 2)} (the paper: 128 C4 validation sentences)`,
    };
  }
  const val = (await import('../model/induction.ts')).inductionValidation();
  const n = evalSeqs ?? val.sequences.length;
  return {
    sequences: val.sequences.slice(0, n),
    scored: val.scored.slice(0, n),
    description: `${Math.min(n, val.sequences.length)} validation sequences, scored on the repeated half`,
  };
}

export function sparsityFlag(args: ParsedArgs, granularity: Granularity): number {
  if (granularity.kind === 'nm') return granularity.n / granularity.m;
  if (!args.values.has('sparsity')) throw new UsageError('--sparsity p is required (or --nm N:M)');
  return numberFlag(args, 'sparsity', 0, (v) => (v >= 0 && v < 1 ? null : 'must be in [0, 1)'));
}

export function methodFlag(raw: string | undefined): ModelMethodId {
  const m = raw ?? 'gd';
  if (!(MODEL_METHOD_IDS as readonly string[]).includes(m))
    throw new UsageError(`unknown method "${m}"${retiredMethodHint(m)} (expected one of ${MODEL_METHOD_IDS.join(', ')})`);
  return m as ModelMethodId;
}

function metricOf(name: ModelName, s: Score): Record<string, number> {
  return name === 'induction'
    ? { accuracy: s.accuracy ?? Number.NaN, cross_entropy: s.cross_entropy }
    : { perplexity: s.perplexity, cross_entropy: s.cross_entropy };
}

export function overridesJson(r: ModelPruneResult) {
  return r.heads.map((h) => {
    const o: HeadOverride = h.override;
    return o.kind === 'merged'
      ? { layer: h.layer, head: h.head, kind: o.kind, W: Array.from(o.W) }
      : { layer: h.layer, head: h.head, kind: o.kind, Wq: Array.from(o.Wq), Wk: Array.from(o.Wk) };
  });
}

/** Each pruned head as model-prune prints it (attention metrics on the calibration windows, counts, compute). */
export function headsJson(result: ModelPruneResult) {
  return result.heads.map((h) => ({
    layer: h.layer,
    head: h.head,
    attention_error: h.metrics.attentionError,
    attention_loss: h.metrics.attentionLoss,
    mean_row_kl: h.metrics.meanRowKL,
    pruned: h.pruned,
    total: h.total,
    compute: computeJson(h.compute),
    ...(h.notes.length ? { notes: h.notes } : {}),
  }));
}

export async function modelPruneCommand(argv: readonly string[]): Promise<string> {
  const args = parseArgs(argv, { values: [...COMMON_VALUES, 'method', 'sparsity', 'out', 'refit'], booleans: [] });
  const method = methodFlag(args.values.get('method'));
  const refit = refitFlag(args);
  if (args.values.has('out')) checkOutputPath(args.values.get('out') ?? '', [args.values.get('calib-text')]);
  const s = await setup(modelRunOptions(args));
  const sparsity = sparsityFlag(args, s.granularity);
  const t0 = performance.now();
  const calib = captureCalibration(s.model, s.calibration);
  const result = pruneModel(s.model, calib, { method, refit, sparsity, mode: s.mode, granularity: s.granularity, gd: s.gd, seed: s.seed }, (done, total) =>
    process.stderr.write(`model-prune: ${method}${refit === 'none' ? '' : ` + ${refit} refit`} head ${done}/${total}\n`),
  );
  const t1 = performance.now();
  const dense = score(s.model, s.evalSet);
  const pruned = score(s.model, s.evalSet, headLogitsOf(result));
  const t2 = performance.now();
  const heads = headsJson(result);
  const json = {
    model: s.name,
    method,
    refit,
    mode: s.mode,
    sparsity,
    ...(s.nm ? { nm: s.nm } : {}),
    gd: methodInfo(method).options.includes('gd') ? s.gd : undefined,
    calibration: { sequences: s.calibration.length, tokens: s.calibration.length * s.calibration[0].length, source: s.calibrationSource },
    windows: windowsUsed({ refit }, s.calibration.length),
    compute: computeJson(totalCompute(result)),
    evaluation: { description: s.evalSet.description, tokens: dense.tokens },
    dense: metricOf(s.name, dense),
    pruned: metricOf(s.name, pruned),
    mean_attention_error: heads.reduce((a, h) => a + h.attention_error, 0) / heads.length,
    heads,
    weights: weightAccounting(s.model, result),
    time_ms: { prune: t1 - t0, evaluate: t2 - t1 },
    overrides: overridesJson(result),
  };
  const text = stringifyFinite(json);
  const out = args.values.get('out');
  if (out) {
    writeOutputFile(out, text + '\n', [args.values.get('calib-text')]);
    return '';
  }
  return text;
}

/** A sweep's settings: a model run plus the methods and sparsities (an N:M pattern fixes the sparsity). */
export interface SweepOptions extends ModelRunOptions {
  methods?: readonly ModelMethodId[];
  /** Every method runs once with each refit (default: none). */
  refits?: readonly RefitId[];
  sparsities?: readonly number[];
}

function sweepOptions(args: ParsedArgs): SweepOptions {
  const methods = (args.values.get('methods') ?? MODEL_METHOD_IDS.join(',')).split(',').map((m) => methodFlag(m.trim()));
  const sparsities = (args.values.get('sparsities') ?? '0.3,0.5,0.7,0.9').split(',').map((x) => {
    const v = Number(x);
    if (x.trim() === '' || !Number.isFinite(v) || v < 0 || v >= 1) throw new UsageError(`--sparsities: "${x}" is not a number in [0, 1)`);
    return v;
  });
  return { ...modelRunOptions(args), methods, sparsities, refits: refitListFlag(args) };
}

/** The `cli -- sweep` command line that runs these options (the files say how to reproduce each sweep). */
export function sweepCommandLine(o: SweepOptions): string {
  const flags: [string, string | number | undefined][] = [
    ['model', o.model],
    ['methods', o.methods?.join(',')],
    ['refit', o.refits && o.refits.join(',') !== 'none' ? o.refits.join(',') : undefined],
    ['sparsities', o.sparsities?.join(',')],
    ['mode', o.mode],
    ['nm', o.nm],
    ['seed', o.seed],
    ['calib-seqs', o.calibSeqs],
    ['eval-seqs', o.evalSeqs],
    // Gradient-descent settings only where they are given (the paper's form of Algorithm 1, say).
    ['lambda', o.gd?.lambda],
    ['eta', o.gd?.eta],
    ['iters', o.gd?.iters],
    ['step', o.gd?.step],
    ['score', o.gd?.score],
  ];
  return ['npm run --silent cli -- sweep', ...flags.filter(([, v]) => v !== undefined).map(([k, v]) => `--${k} ${v}`)].join(' ');
}

/** The sweep as a JSON object, shared by the CLI's `sweep` and the precompute scripts; progress lines go to `log`. */
export async function runSweep(o: SweepOptions, log: (line: string) => void = (l) => process.stderr.write(l)): Promise<SweepResult> {
  const s = await setup(o);
  const methods = o.methods ?? MODEL_METHOD_IDS;
  const refits = o.refits ?? ['none'];
  const sparsities = o.sparsities ?? [0.3, 0.5, 0.7, 0.9];
  const calib = captureCalibration(s.model, s.calibration);
  const dense = score(s.model, s.evalSet);
  const metric = s.name === 'induction' ? 'accuracy' : 'perplexity';
  // Gradient descent's relaxed masks do not depend on the sparsity: one run per head serves the sweep.
  const cache = new Map<string, Float64Array>();
  const cells = await sweepModel(
    { methods, refits, sparsities, mode: s.mode, granularity: s.granularity, gd: s.gd },
    {
      prune: (spec) => pruneModel(s.model, calib, { ...spec, seed: s.seed }, undefined, cache),
      score: (r) => score(s.model, s.evalSet, headLogitsOf(r)),
      afterCell: (c) =>
        log(
          `sweep: ${c.method}${c.refit === 'none' ? '' : ` + ${c.refit} refit`} p=${c.sparsity}: ${metric} ${metricOf(s.name, c.score)[metric].toFixed(4)}, attention error ${c.meanAttentionError.toFixed(4)}\n`,
        ),
    },
  );
  const rows: SweepRow[] = [
    { method: 'dense', sparsity: 0, [metric]: metricOf(s.name, dense)[metric], mean_attention_error: 0, time_ms: 0 },
    ...cells.map((c) => ({
      method: c.method,
      refit: c.refit,
      sparsity: c.sparsity,
      [metric]: metricOf(s.name, c.score)[metric],
      mean_attention_error: c.meanAttentionError,
      evaluations: c.evaluations,
      time_ms: Math.round(c.timeMs),
    })),
  ];
  return {
    model: s.name,
    mode: s.mode,
    ...(s.nm ? { nm: s.nm } : {}),
    metric,
    calibration: s.calibrationSource,
    windows: refits.map((refit) => ({ refit, ...windowsUsed({ refit }, s.calibration.length) })),
    evaluation: s.evalSet.description,
    gd: s.gd,
    rows,
  };
}

export async function sweepCommand(argv: readonly string[]): Promise<string> {
  const args = parseArgs(argv, { values: [...COMMON_VALUES, 'methods', 'sparsities', 'format', 'refit'], booleans: [] });
  const format = args.values.get('format') ?? 'json';
  if (format !== 'json' && format !== 'csv') throw new UsageError(`--format must be json or csv (got "${format}")`);
  const result = await runSweep(sweepOptions(args));
  if (format === 'csv') {
    const cols = ['method', 'refit', 'sparsity', result.metric, 'mean_attention_error', 'evaluations', 'time_ms'] as const;
    return [cols.join(','), ...result.rows.map((r) => cols.map((c) => String(r[c] ?? '')).join(','))].join('\n');
  }
  return stringifyFinite(result);
}

/**
 * `generate`, with `--prune R.json` (the output of model-prune) to continue a prompt with the
 * pruned model; with `--compare` as well, JSON: the dense and the pruned continuation, where
 * the pruned one first departs and the top-1 agreement on the evaluation sequences.
 */
export async function generatePrunedCommand(argv: readonly string[]): Promise<string> {
  const args = parseArgs(argv, { values: [...GENERATE_VALUE_FLAGS, 'prune', 'eval-seqs'], booleans: ['compare'] });
  const file = args.values.get('prune');
  const compare = args.booleans.has('compare');
  if (!compare && args.values.has('eval-seqs')) throw new UsageError('--eval-seqs applies with --compare (the evaluation sequences of the top-1 agreement)');
  if (!file) {
    if (compare) throw new UsageError('--compare compares a pruned model with the dense one: give --prune R.json (written by model-prune --out)');
    return generateWith(args);
  }
  // The file's schema is validated fully against the model's configuration, before the weights load (src/cli/pruneFile.ts).
  const heads = readPruneFile(file, modelFlag(args), shippedModelInfo(modelFlag(args)).config);
  if (!compare) return generateWith(args, headLogitsOf({ heads }));
  return stringifyFinite(await compareGenerations(args, headLogitsOf({ heads })));
}

/** generate --prune --compare's JSON (field names in docs/SPEC.md §8): both texts and the two measures of src/model/textAgreement.ts. */
async function compareGenerations(args: ParsedArgs, headLogits: HeadLogitsFn) {
  const evalSeqs = args.values.has('eval-seqs') ? integerFlag(args, 'eval-seqs', 1, 1) : undefined;
  const settings = generateSettings(args);
  const model = await loadShippedModel(settings.name);
  const dense = generateFrom(model, settings);
  const pruned = generateFrom(model, settings, headLogits);
  const evalSet = await evalSetOf(settings.name, model, evalSeqs);
  const agreement = agreementOn(model, evalSet, headLogits);
  const unit = tokenUnit(model.tokenizer.vocabulary);
  return {
    model: settings.name,
    prompt: settings.prompt,
    tokens: settings.tokens,
    unit,
    seed: settings.seed,
    temperature: settings.temperature,
    decoding:
      settings.temperature === 0
        ? 'greedy (the most likely token, lowest id on ties)'
        : `sampled at temperature ${settings.temperature} with seed ${settings.seed}`,
    dense_text: dense.prompt + dense.continuation,
    pruned_text: pruned.prompt + pruned.continuation,
    first_departure: departureJson(firstDeparture(dense.ids, pruned.ids)),
    top1_agreement: agreement.agreement,
    agreement_positions: agreement.positions,
    evaluation: evalSet.description,
  };
}
