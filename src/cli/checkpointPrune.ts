/**
 * `model-prune --checkpoint F.safetensors` (issue 18, items 3, 4, 6): a reader's GPT-2
 * pruned through the same path as the shipped models (src/model/prune.ts: captureCalibration,
 * pruneModel), calibrated on windows of the reader's text and scored by the perplexity rule
 * of `eval --checkpoint` (src/model/gpt2/perplexity.ts), dense and pruned.
 *
 *   model-prune --checkpoint F [--config C] [--n-head H] --method M --sparsity p [--nm N:M]
 *               [--refit R] [--mode factored|merged] [--layers 0,3 | --heads 3.0,3.5] --calib-text T
 *               [--calib-seqs 8] --eval-text E [--window N] [--seed s] [--lambda --eta --iters --step --score]
 *               [--threads N] [--save-checkpoint P.safetensors] [--out R.json]
 *
 * `--heads L.H,…` prunes only those heads (layer.head, both from 0); `--threads N` prunes a
 * layer's heads on N worker threads (default: every core; 1 = in this thread), with the
 * same numbers to the bit (src/cli/headPool.ts).
 *
 * Factored mode (the default here: it is the one a checkpoint can hold) keeps the Q/K biases;
 * merged mode folds them into a (d+1)×(d+1) W̃_h over [X, 1] (SPEC §7b), which no GPT-2 file can
 * hold, so --save-checkpoint is refused with it before any work.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { gdSettings } from '../core/gd.ts';
import { type Granularity, parseNM } from '../core/mask.ts';
import { methodInfo } from '../core/methods.ts';
import { architectureOf } from '../model/config.ts';
import { BIAS_HANDLING, prunedCheckpointBytes, pruningMetadata } from '../model/gpt2/prunedCheckpoint.ts';
import { calibrationWindows, scoreText } from '../model/gpt2/perplexity.ts';
import { Gpt2Tokenizer } from '../model/gpt2/tokenizer.ts';
import { captureCalibration, type HeadId, headLogitsOf, prunedLayersOf, totalCompute, weightAccounting, windowsUsed, type PruneMode } from '../model/prune.ts';
import { defaultThreads, pruneModelOnThreads } from './headPool.ts';
import { integerFlag, parseArgs, UsageError, type ParsedArgs } from './args.ts';
import { checkIds, LOAD_FLAGS, loadCheckpoint, requiredFlag, summaryJson } from './checkpointCommands.ts';
import { checkOutputPath, readInputFile, stringifyFinite, writeOutputFile } from './io.ts';
import { CHECKPOINT_MAX_EVAL_TOKENS, FILE_MAX_BYTES } from './limits.ts';
import { gdFlags, headsJson, methodFlag, overridesJson, sparsityFlag } from './pruneCommands.ts';
import { computeJson, refitFlag } from './refitFlags.ts';

const VALUES = [
  ...LOAD_FLAGS,
  'method',
  'sparsity',
  'nm',
  'refit',
  'mode',
  'layers',
  'heads',
  'threads',
  'calib-text',
  'calib-seqs',
  'eval-text',
  'window',
  'seed',
  'lambda',
  'eta',
  'iters',
  'step',
  'score',
  'save-checkpoint',
  'out',
] as const;

function layersFlag(args: ParsedArgs): number[] | undefined {
  const raw = args.values.get('layers');
  if (raw === undefined) return undefined;
  const layers = raw.split(',').map((x) => {
    const v = Number(x.trim());
    if (x.trim() === '' || !Number.isInteger(v) || v < 0) throw new UsageError(`--layers: "${x}" is not a layer number (give e.g. --layers 0,3)`);
    return v;
  });
  if (new Set(layers).size !== layers.length) throw new UsageError(`--layers: "${raw}" names a layer twice`);
  return layers;
}

/** `--heads 3.0,3.5`: layer.head pairs, both from 0 (3.10 is head 10 of layer 3); the range is checked against the model later. */
export function headsFlag(args: ParsedArgs): HeadId[] | undefined {
  const raw = args.values.get('heads');
  if (raw === undefined) return undefined;
  if (args.values.has('layers')) throw new UsageError('--heads names each head with its layer (layer.head): give --layers or --heads, not both');
  const heads = raw.split(',').map((x) => {
    const m = /^\s*(\d+)\.(\d+)\s*$/.exec(x);
    if (!m) throw new UsageError(`--heads: "${x.trim()}" is not layer.head (give e.g. --heads 3.0,3.5 for heads 0 and 5 of layer 3)`);
    return { layer: Number(m[1]), head: Number(m[2]) };
  });
  const names = heads.map((h) => `${h.layer}.${h.head}`);
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice !== undefined) throw new UsageError(`--heads: "${raw}" names head ${twice} twice`);
  return heads;
}

export async function checkpointModelPruneCommand(argv: readonly string[]): Promise<string> {
  const args = parseArgs(argv, { values: VALUES, booleans: [] });
  const method = methodFlag(args.values.get('method'));
  const refit = refitFlag(args);
  const mode = args.values.get('mode') ?? 'factored';
  if (mode !== 'merged' && mode !== 'factored') throw new UsageError(`--mode must be merged or factored (got "${mode}")`);
  const checkpointPath = requiredFlag(args, 'checkpoint', 'a GPT-2 model.safetensors');
  const calibPath = requiredFlag(args, 'calib-text', 'the text whose windows calibrate the pruning');
  const evalPath = requiredFlag(args, 'eval-text', 'the text whose perplexity is compared, dense and pruned');
  const inputs = [checkpointPath, args.values.get('config'), calibPath, evalPath];
  const save = args.values.get('save-checkpoint');
  if (save !== undefined) {
    if (mode === 'merged')
      throw new UsageError('--save-checkpoint needs --mode factored: a merged W̃_h (W_Q W_Kᵀ with the biases folded in) is not expressible as GPT-2 weights');
    checkOutputPath(save, inputs, '--save-checkpoint');
  }
  const out = args.values.get('out');
  if (out !== undefined) checkOutputPath(out, [...inputs, save]);
  let granularity: Granularity = { kind: 'unstructured' };
  const nm = args.values.get('nm');
  if (nm) {
    try {
      granularity = parseNM(nm);
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
  }
  const sparsity = sparsityFlag(args, granularity);
  const layers = layersFlag(args);
  const heads = headsFlag(args);
  const threads = integerFlag(args, 'threads', defaultThreads(), 1);
  const calibSeqs = integerFlag(args, 'calib-seqs', 8, 1);
  const seed = integerFlag(args, 'seed', 1, 0);
  const gd = gdSettings(gdFlags(args));
  const windowFlag = args.values.has('window') ? integerFlag(args, 'window', 2, 2) : undefined;
  const tokenizer = new Gpt2Tokenizer();
  const calibIds = tokenizer.encode(readInputFile(calibPath, `--calib-text ${calibPath}`, FILE_MAX_BYTES['calib-text']));
  const evalIds = tokenizer.encode(readInputFile(evalPath, `--eval-text ${evalPath}`, FILE_MAX_BYTES.text));
  if (evalIds.length < 2) throw new UsageError(`--eval-text ${evalPath}: ${evalIds.length} token${evalIds.length === 1 ? '' : 's'}, nothing to score`);
  if (evalIds.length > CHECKPOINT_MAX_EVAL_TOKENS)
    throw new UsageError(`--eval-text ${evalPath}: ${evalIds.length} tokens, more than the ${CHECKPOINT_MAX_EVAL_TOKENS} scored at most (give a shorter text)`);

  let window = 0;
  let calibration: Int32Array[] = [];
  const t0 = performance.now();
  const model = await loadCheckpoint(args, (c) => {
    if (windowFlag !== undefined && windowFlag > c.contextLength)
      throw new UsageError(`--window ${windowFlag} is longer than the model's ${c.contextLength} positions`);
    window = windowFlag ?? c.contextLength;
    for (const l of layers ?? [])
      if (l >= c.nLayers) throw new UsageError(`--layers: layer ${l} is out of range (the model has ${c.nLayers}: 0 to ${c.nLayers - 1})`);
    for (const h of heads ?? []) {
      if (h.layer >= c.nLayers)
        throw new UsageError(`--heads: ${h.layer}.${h.head}: layer ${h.layer} is out of range (the model has ${c.nLayers}: 0 to ${c.nLayers - 1})`);
      if (h.head >= c.nHeads)
        throw new UsageError(`--heads: ${h.layer}.${h.head}: head ${h.head} is out of range (the model has ${c.nHeads} per layer: 0 to ${c.nHeads - 1})`);
    }
    // A merged W̃_h of a model with Q/K biases has d+1 rows: the N:M groups run over them.
    const rows = mode === 'merged' && architectureOf(c).qkBias ? c.dModel + 1 : c.dModel;
    if (granularity.kind === 'nm' && rows % granularity.m !== 0)
      throw new UsageError(`--nm ${nm}: the ${mode} matrices have ${rows} rows, not a multiple of M = ${granularity.m}`);
    checkIds(calibIds, c.vocabSize, `--calib-text ${calibPath}`);
    checkIds(evalIds, c.vocabSize, `--eval-text ${evalPath}`);
    calibration = calibrationWindows(calibIds, window, calibSeqs);
    if (calibration.length === 0)
      throw new UsageError(
        `--calib-text ${calibPath}: ${calibIds.length} tokens, fewer than one calibration window of ${window} (give a longer text or a smaller --window)`,
      );
  });
  const t1 = performance.now();
  const spec = { method, refit, sparsity, mode: mode as PruneMode, granularity, gd, seed, layers, heads };
  // Only the pruned layers' X are captured, and the forward pass stops after the last of them.
  const calib = captureCalibration(model, calibration, prunedLayersOf(spec, model.config));
  const result = await pruneModelOnThreads(model, calib, spec, threads, (done, total) =>
    process.stderr.write(`model-prune: ${method}${refit === 'none' ? '' : ` + ${refit} refit`} head ${done}/${total}\n`),
  );
  const t2 = performance.now();
  const dense = scoreText(model, evalIds, window);
  const pruned = scoreText(model, evalIds, window, headLogitsOf(result));
  const t3 = performance.now();
  const calibrationSource = `the first ${calibration.length} windows of ${window} tokens of ${calibPath} (${calibIds.length} tokens; the paper: 8 C4 sentences)`;
  const prunedLayers = [...new Set(result.heads.map((h) => h.layer))];
  const headsChosen = heads ? result.heads.map((h) => `${h.layer}.${h.head}`).join(',') : 'all';
  if (save !== undefined) {
    const bytes = await prunedCheckpointBytes(
      new Uint8Array(readFileSync(checkpointPath)),
      result.heads,
      model.config,
      pruningMetadata('attention-pruning-explainer model-prune', {
        method,
        refit,
        sparsity,
        nm,
        layers: prunedLayers,
        heads: headsChosen,
        calibration: calibrationSource,
      }),
    );
    try {
      writeFileSync(save, bytes);
    } catch (e) {
      throw new UsageError(`--save-checkpoint ${save}: cannot write (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
  }
  const t4 = performance.now();
  const headResults = headsJson(result);
  const json = {
    checkpoint: checkpointPath,
    model: summaryJson(model),
    method,
    refit,
    mode,
    sparsity,
    ...(nm ? { nm } : {}),
    layers: prunedLayers,
    heads_chosen: headsChosen,
    biases: architectureOf(model.config).qkBias ? BIAS_HANDLING[mode] : 'the model has no Q/K biases',
    gd: methodInfo(method).options.includes('gd') ? gd : undefined,
    calibration: { sequences: calibration.length, window, tokens: calibration.length * window, source: calibrationSource },
    windows: windowsUsed({ refit }, calibration.length),
    compute: computeJson(totalCompute(result)),
    evaluation: { text: evalPath, window: dense.window, windows: dense.windows, tokens: dense.tokens },
    dense: { cross_entropy: dense.cross_entropy, perplexity: dense.perplexity },
    pruned: { cross_entropy: pruned.cross_entropy, perplexity: pruned.perplexity },
    mean_attention_error: headResults.reduce((a, h) => a + h.attention_error, 0) / headResults.length,
    heads: headResults,
    weights: weightAccounting(model, result),
    ...(save !== undefined ? { saved_checkpoint: save } : {}),
    time_ms: { load: t1 - t0, prune: t2 - t1, evaluate: t3 - t2, ...(save !== undefined ? { save: t4 - t3 } : {}) },
    overrides: overridesJson(result),
  };
  const text = stringifyFinite(json);
  if (out) {
    writeOutputFile(out, text + '\n', [...inputs, save]);
    return '';
  }
  return text;
}
