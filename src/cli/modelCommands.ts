/**
 * Model commands (issue 3): `data`, `eval`, `generate`.
 *
 *   data --model brown-char --split train|val        the exact text of that split (no added newline);
 *                                                   for induction: the sequences as letters, one per line
 *   eval --model <name> [--split val|train] [--limit N]
 *        → JSON {model, split, cross_entropy, perplexity | accuracy, tokens, ...}
 *   generate --model <name> --prompt "..." [--tokens 200] [--seed 1] [--temperature 0.8]
 *        → the prompt followed by the generated text
 *
 * `generateWith(argv, extra)` lets a later command (e.g. `--prune R.json`) pass
 * head-logit overrides to the same generator.
 */
import { initBackend } from '../core/tf/backend.ts';
import { subSeed, mulberry32 } from '../core/random.ts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isBrownModel, MODEL_NAMES, validateConfig, type ModelConfig, type ModelName } from '../model/config.ts';
import { defaultModelsDir, loadModelNode, makeTokenizer, type Manifest, type Model } from '../model/weights.ts';
import { crossEntropy, generate, type GenerateResult, type HeadLogitsFn } from '../model/transformer.ts';
import { type Tokenizer, UnknownCharactersError } from '../model/tokenizer.ts';
import { showCharacter, unknownCharacters } from '../model/calibrationText.ts';
import { unknownWordsMessage } from '../model/wordTokenizer.ts';
import { integerFlag, numberFlag, parseArgs, UsageError, type ParsedArgs } from './args.ts';
import { stringifyFinite } from './io.ts';

export function modelFlag(args: ParsedArgs): ModelName {
  const m = args.values.get('model');
  if (m === undefined) throw new UsageError(`--model is required (one of ${MODEL_NAMES.join(', ')})`);
  if (!MODEL_NAMES.includes(m as ModelName)) throw new UsageError(`--model must be one of ${MODEL_NAMES.join(', ')} (got "${m}")`);
  return m as ModelName;
}

function splitFlag(args: ParsedArgs, fallback: 'train' | 'val'): 'train' | 'val' {
  const s = args.values.get('split') ?? fallback;
  if (s !== 'train' && s !== 'val') throw new UsageError(`--split must be train or val (got "${s}")`);
  return s;
}

/** Load a shipped model with the tfjs backend ready (wasm, else cpu). */
export async function loadShippedModel(name: ModelName): Promise<Model> {
  await initBackend(['wasm', 'cpu']);
  try {
    return await loadModelNode(name);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

/**
 * A shipped model's configuration and vocabulary from its manifest alone (no weights, no
 * backend): enough to validate a prompt or a --prune file before any work.
 */
export function shippedModelInfo(name: ModelName): { config: ModelConfig; vocabulary: readonly string[]; tokenizer: Tokenizer } {
  let manifest: Manifest;
  let tokenizer: Tokenizer;
  try {
    manifest = JSON.parse(readFileSync(join(defaultModelsDir(), name, 'manifest.json'), 'utf8')) as Manifest;
    validateConfig(manifest.config);
    tokenizer = makeTokenizer(manifest.tokenizer?.kind ?? 'char', manifest.vocabulary);
  } catch (e) {
    throw new UsageError(`no usable trained model "${name}" (${(e as Error).message}; run: npm run train -- --model ${name})`);
  }
  return { config: manifest.config, vocabulary: manifest.vocabulary, tokenizer };
}

/**
 * Refuse a prompt with what the model does not know: characters named by code point (an
 * emoji is one character), or words outside the word model's vocabulary (which it would
 * read as <unk>), quoted.
 */
export function checkPrompt(name: ModelName, tokenizer: Tokenizer, prompt: string): void {
  // An empty prompt starts from a newline, if the model has one.
  if (prompt === '' && !tokenizer.vocabulary.includes('\n')) throw new UsageError(`--prompt is empty: give ${name} at least one character to continue`);
  const unknown = tokenizer.findUnknown(prompt);
  const n = unknown.length;
  if (n === 0) return;
  if (tokenizer.kind === 'word') throw new UsageError(unknownWordsMessage(tokenizer, prompt, '--prompt'));
  // By code point, so an emoji is one character (the tokenizer's list has UTF-16 units).
  const known = new Set(tokenizer.vocabulary);
  const shown = unknownCharacters({ has: (ch) => known.has(ch) }, prompt);
  throw new UsageError(
    `--prompt has ${shown.length} character${shown.length === 1 ? '' : 's'} the model does not know: ${shown.slice(0, 12).map(showCharacter).join(', ')}${shown.length > 12 ? ', …' : ''} (${name} knows ${tokenizer.size} characters); remove or replace ${shown.length === 1 ? 'it' : 'them'}`,
  );
}

/** The induction sequences of a split: val = the fixed validation set; train = the first 512 sequences of the seed-1 training stream. */
async function inductionSplit(split: 'train' | 'val') {
  const ind = await import('../model/induction.ts');
  return split === 'val' ? ind.inductionValidation() : ind.inductionBatch(mulberry32(subSeed(1, 'induction-train')), ind.INDUCTION_VAL_COUNT);
}

export async function dataCommand(argv: readonly string[]): Promise<string> {
  const args = parseArgs(argv, { values: ['model', 'split'], booleans: [] });
  const model = modelFlag(args);
  const split = splitFlag(args, 'train');
  if (isBrownModel(model)) {
    const { brownText } = await import('../model/data/brown.ts');
    // Written directly so the text is exact (main.ts would append a newline). A reader that
    // closes the pipe early (`| head`) is not an error.
    process.stdout.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') process.exit(0);
      throw e;
    });
    process.stdout.write(brownText(split));
    return '';
  }
  const { inductionVocabulary } = await import('../model/induction.ts');
  const vocab = inductionVocabulary();
  const { sequences } = await inductionSplit(split);
  return sequences.map((s) => Array.from(s, (t) => vocab[t]).join('')).join('\n');
}

export async function evalCommand(argv: readonly string[]): Promise<string> {
  const args = parseArgs(argv, { values: ['model', 'split', 'limit'], booleans: [] });
  const name = modelFlag(args);
  const split = splitFlag(args, 'val');
  const limit = integerFlag(args, 'limit', 0, 1);
  const model = await loadShippedModel(name);
  if (isBrownModel(name)) {
    const { brownText, evalWindows } = await import('../model/data/brown.ts');
    let windows = evalWindows(model.tokenizer.encode(brownText(split)), model.config.contextLength);
    if (limit > 0) windows = windows.slice(0, limit);
    const r = crossEntropy(model, windows);
    const unknownId = model.tokenizer.unknownId;
    let unknown = 0;
    for (const w of windows) for (let i = 1; i < w.length; i++) if (w[i] === unknownId) unknown++;
    return stringifyFinite({
      model: name,
      split,
      cross_entropy: r.crossEntropy,
      perplexity: r.perplexity,
      ...(model.tokenizer.kind === 'char'
        ? { bits_per_char: r.crossEntropy / Math.LN2 }
        : { unknown_share: unknown / r.tokens, unknown_note: 'targets that are <unk> (words outside the vocabulary) are scored like any other word' }),
      tokens: r.tokens,
      sequences: windows.length,
    });
  }
  const data = await inductionSplit(split);
  const n = limit > 0 ? Math.min(limit, data.sequences.length) : data.sequences.length;
  const r = crossEntropy(model, data.sequences.slice(0, n), { scored: data.scored.slice(0, n) });
  return stringifyFinite({
    model: name,
    split,
    cross_entropy: r.crossEntropy,
    accuracy: r.accuracy,
    tokens: r.tokens,
    sequences: n,
    scored: 'the repeated part: predictions whose current token occurred earlier, so the next token is determined',
  });
}

export const GENERATE_VALUE_FLAGS = ['model', 'prompt', 'tokens', 'seed', 'temperature'] as const;

/** generate's settings from its flags, the prompt checked against the model's characters. */
export function generateSettings(args: ParsedArgs, loaded?: Model) {
  const name = modelFlag(args);
  const prompt = args.values.get('prompt') ?? '';
  // --tokens has a documented upper limit (limits.ts FLAG_MAX), checked by the flag parser.
  const tokens = integerFlag(args, 'tokens', 200, 0);
  const seed = integerFlag(args, 'seed', 1, 0);
  const temperature = numberFlag(args, 'temperature', 0.8, (v) => (v >= 0 && v <= 100 ? null : 'must be in [0, 100]'));
  checkPrompt(name, loaded ? loaded.tokenizer : shippedModelInfo(name).tokenizer, prompt);
  return { name, prompt, tokens, seed, temperature };
}

/** Continue the prompt of `settings` (generateSettings) with the model, dense or with head-logit overrides. */
export function generateFrom(model: Model, settings: ReturnType<typeof generateSettings>, headLogits?: HeadLogitsFn): GenerateResult {
  const { name, prompt, tokens, seed, temperature } = settings;
  try {
    return generate(model, prompt, tokens, seed, temperature, { headLogits });
  } catch (e) {
    if (e instanceof UnknownCharactersError) checkPrompt(name, model.tokenizer, prompt);
    throw e;
  }
}

/** Generate with optional head-logit overrides; `args` must have been parsed with at least GENERATE_VALUE_FLAGS. */
export async function generateWith(args: ParsedArgs, headLogits?: HeadLogitsFn, loaded?: Model): Promise<string> {
  const settings = generateSettings(args, loaded);
  const r = generateFrom(loaded ?? (await loadShippedModel(settings.name)), settings, headLogits);
  return r.prompt + r.continuation;
}
