/**
 * The commands on a reader's own GPT-2 checkpoint (issue 18):
 *
 *   eval --checkpoint F.safetensors [--config C.json] [--n-head H] --text T.txt [--window N]
 *        → JSON {checkpoint, model: {...}, text_tokens, window, windows, tokens, cross_entropy, perplexity}
 *   generate --checkpoint F [--config C] [--n-head H] --prompt "..." [--tokens 20] [--temperature 0] [--seed 1] [--prune R.json]
 *        → the prompt followed by the generated text (greedy unless --temperature > 0)
 *
 * `eval` and `generate` with --model stay the shipped models' commands; main.ts sends a
 * command line with --checkpoint here. Every bad file is exit 1 with one line naming the
 * file and what is wrong (src/model/gpt2/safetensors.ts, checkpoint.ts).
 */
import { basename } from 'node:path';
import { InputError } from '../core/errors.ts';
import { initBackend } from '../core/tf/backend.ts';
import { type Gpt2Model, loadGpt2 } from '../model/gpt2/checkpoint.ts';
import type { ModelConfig } from '../model/config.ts';
import { outOfVocabulary, scoreText } from '../model/gpt2/perplexity.ts';
import { END_OF_TEXT, Gpt2Tokenizer } from '../model/gpt2/tokenizer.ts';
import { generateIds } from '../model/transformer.ts';
import { integerFlag, numberFlag, parseArgs, UsageError, type ParsedArgs } from './args.ts';
import { openCheckpointFile } from './checkpointFile.ts';
import { precheckInputFile, readInputFile, stringifyFinite } from './io.ts';
import { type PruneFileHead, readPruneFile } from './pruneFile.ts';
import { headLogitsOf } from '../model/prune.ts';
import { CHECKPOINT_MAX_EVAL_TOKENS, CHECKPOINT_MAX_NEW_TOKENS, FILE_MAX_BYTES } from './limits.ts';

export const LOAD_FLAGS = ['checkpoint', 'config', 'n-head'] as const;

export function requiredFlag(args: ParsedArgs, name: string, what: string): string {
  const v = args.values.get(name);
  if (v === undefined || v === '') throw new UsageError(`--${name} is required (${what})`);
  return v;
}

function readConfigFlag(args: ParsedArgs): unknown {
  const path = args.values.get('config');
  if (path === undefined) return undefined;
  const text = readInputFile(path, `--config ${path}`, FILE_MAX_BYTES.config);
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new UsageError(`--config ${path}: not JSON (${(e as Error).message})`);
  }
}

/**
 * Load --checkpoint (with --config / --n-head): every flag and input file is checked
 * first, then the header, then (with `beforeData`) the flags that need the model's sizes.
 */
export async function loadCheckpoint(args: ParsedArgs, beforeData?: (m: ModelConfig) => void): Promise<Gpt2Model> {
  const path = requiredFlag(args, 'checkpoint', 'a GPT-2 model.safetensors');
  const configJson = readConfigFlag(args);
  const nHead = args.values.has('n-head') ? integerFlag(args, 'n-head', 1, 1) : undefined;
  const source = openCheckpointFile(path, '--checkpoint', FILE_MAX_BYTES.checkpoint);
  try {
    await initBackend(['wasm', 'cpu']);
    return await loadGpt2(source, { configJson, nHead, name: basename(path), beforeData });
  } catch (e) {
    // The file's problems carry no file name (the page shows them too): name it here.
    if (e instanceof InputError && !(e instanceof UsageError)) throw new UsageError(`--checkpoint ${path}: ${e.message}`);
    throw e;
  } finally {
    source.close();
  }
}

export function summaryJson(m: Gpt2Model) {
  const s = m.summary;
  return {
    layers: s.layers,
    heads: s.heads,
    heads_from: s.headsFrom,
    d_model: s.dModel,
    d_mlp: s.dMlp,
    vocab: s.vocab,
    positions: s.positions,
    parameters: s.parameters,
    dtypes: s.dtypes,
    tied_lm_head: s.tied,
    prefixed: s.prefixed,
    activation: m.config.activation,
    layer_norm_epsilon: m.config.lnEps,
    ignored: s.ignored,
    metadata: s.metadata,
  };
}

export function checkIds(ids: Int32Array, vocab: number, flag: string): void {
  const bad = outOfVocabulary(ids, vocab);
  if (bad.length > 0)
    throw new UsageError(
      `${flag}: GPT-2's tokenizer gives token ${bad.slice(0, 5).join(', ')}, outside this checkpoint's vocabulary of ${vocab} (a cut vocabulary cannot read GPT-2 text)`,
    );
}

export async function checkpointEvalCommand(argv: readonly string[]): Promise<string> {
  const args = parseArgs(argv, { values: [...LOAD_FLAGS, 'text', 'window'], booleans: [] });
  const textPath = requiredFlag(args, 'text', 'the text whose perplexity is measured');
  const text = readInputFile(textPath, `--text ${textPath}`, FILE_MAX_BYTES.text);
  const windowFlag = args.values.has('window') ? integerFlag(args, 'window', 2, 2) : undefined;
  const ids = new Gpt2Tokenizer().encode(text);
  if (ids.length < 2) throw new UsageError(`--text ${textPath}: ${ids.length} token${ids.length === 1 ? '' : 's'}, nothing to score (at least 2 are needed)`);
  if (ids.length > CHECKPOINT_MAX_EVAL_TOKENS)
    throw new UsageError(`--text ${textPath}: ${ids.length} tokens, more than the ${CHECKPOINT_MAX_EVAL_TOKENS} scored at most (give a shorter text)`);
  let window = 0;
  const model = await loadCheckpoint(args, (c) => {
    if (windowFlag !== undefined && windowFlag > c.contextLength)
      throw new UsageError(`--window ${windowFlag} is longer than the model's ${c.contextLength} positions`);
    window = windowFlag ?? c.contextLength;
    checkIds(ids, c.vocabSize, `--text ${textPath}`);
  });
  const score = scoreText(model, ids, window);
  return stringifyFinite({ checkpoint: args.values.get('checkpoint'), model: summaryJson(model), ...score });
}

export async function checkpointGenerateCommand(argv: readonly string[]): Promise<string> {
  const args = parseArgs(argv, { values: [...LOAD_FLAGS, 'prompt', 'tokens', 'seed', 'temperature', 'prune'], booleans: [] });
  const prompt = args.values.get('prompt') ?? '';
  const tokens = integerFlag(args, 'tokens', 20, 0);
  if (tokens > CHECKPOINT_MAX_NEW_TOKENS)
    throw new UsageError(`--tokens must be <= ${CHECKPOINT_MAX_NEW_TOKENS} with --checkpoint, the documented limit (got ${tokens})`);
  const seed = integerFlag(args, 'seed', 1, 0);
  const temperature = numberFlag(args, 'temperature', 0, (v) => (v >= 0 && v <= 100 ? null : 'must be in [0, 100]'));
  // An empty prompt starts from <|endoftext|>, as GPT-2's unconditional samples do.
  const start = prompt === '' ? Int32Array.of(END_OF_TEXT) : new Gpt2Tokenizer().encode(prompt);
  const prunePath = args.values.get('prune');
  if (prunePath !== undefined) precheckInputFile(prunePath, '--prune', FILE_MAX_BYTES.prune);
  let pruned: PruneFileHead[] | undefined;
  const model = await loadCheckpoint(args, (c) => {
    checkIds(start, c.vocabSize, '--prompt');
    // model-prune --checkpoint --out's file, checked against this checkpoint's shapes before the weights load.
    if (prunePath !== undefined) pruned = readPruneFile(prunePath, undefined, c);
  });
  const out = generateIds(model, start, tokens, seed, temperature, { headLogits: pruned && headLogitsOf({ heads: pruned }) });
  return prompt + model.tokenizer.decode(out);
}
