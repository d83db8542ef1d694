/**
 * "Your own model" (chapter 8, issue 18 item 5): a reader's GPT-2 checkpoint held by the
 * page's primary worker, and everything the widget asks of it. Each step is the CLI's
 * own function on the same data, so the page's numbers are `eval --checkpoint` and
 * `model-prune --checkpoint`'s:
 *
 *  - loading and validation: loadGpt2 (src/model/gpt2/checkpoint.ts);
 *  - calibration: the first 8 windows of n_positions tokens of the calibration text
 *    (calibrationWindows), captured by captureCalibration;
 *  - each head's inputs (headInputs), pruned by pruneHead in any worker of the pool;
 *  - perplexity: scoreText, dense and with the pruned heads' overrides (headLogitsOf);
 *  - the pruned checkpoint: prunedCheckpointBytes with pruningMetadata.
 *
 * Node runs it too (the unit test compares it with the CLI in the same process).
 */
import type { Gpt2LoadOptions, Gpt2Model } from '../model/gpt2/checkpoint.ts';
import { loadGpt2 } from '../model/gpt2/checkpoint.ts';
import type { ByteSource } from '../model/gpt2/safetensors.ts';
import { calibrationWindows, outOfVocabulary, scoreText, type TextScore } from '../model/gpt2/perplexity.ts';
import { top1Agreement } from '../model/textAgreement.ts';
import { prunedCheckpointBytes, pruningMetadata, type PrunedHeadWeights } from '../model/gpt2/prunedCheckpoint.ts';
import { END_OF_TEXT } from '../model/gpt2/tokenizer.ts';
import { type Calibration, captureCalibration, type HeadInputs, headInputs, headLogitsOf } from '../model/prune.ts';
import { forwardCaptures, generateIds } from '../model/transformer.ts';
import { InputError } from '../core/errors.ts';

/** Calibration windows, as the CLI's --calib-seqs default (the paper: 8 C4 sentences). */
export const OWN_CALIBRATION_WINDOWS = 8;
/** The attention maps are drawn on the evaluation text's first tokens, at most this many. */
export const OWN_VIEW_TOKENS = 24;
/** Tokens the page's greedy continuation writes, at most (the CLI's `generate --checkpoint --tokens` limit is 256). */
export const OWN_MAX_NEW_TOKENS = 64;

export interface OwnPrepared {
  calibration: { sequences: number; window: number; tokens: number; textTokens: number };
  dense: TextScore;
  /** Wall time of the two steps in the worker (the page's benchmark reports the dense perplexity's alone). */
  timeMs: { calibration: number; dense: number };
}

export interface OwnScore extends TextScore {
  /** Fraction of scored positions where the pruned model's top-1 token is the dense model's. */
  agreement: number;
}

export interface OwnAttention {
  /** The view's tokens as text (one entry per token). */
  tokens: string[];
  T: number;
  /** [head][query][key] of the layer, flattened. */
  maps: Float32Array;
}

/** Refused input of the reader's (a text too short, tokens outside a cut vocabulary): shown in words. */
export class OwnModelInputError extends InputError {
  override name = 'OwnModelInputError';
}

export class OwnModelSession {
  private calib: Calibration | undefined;
  private keptLayers = new Set<number>();
  private evalIds: Int32Array | undefined;
  private densePredictions: Int32Array[] | undefined;

  private constructor(readonly model: Gpt2Model) {}

  static async open(source: ByteSource, options: Gpt2LoadOptions): Promise<OwnModelSession> {
    return new OwnModelSession(await loadGpt2(source, options));
  }

  private ids(text: string, what: string): Int32Array {
    const ids = this.model.tokenizer.encode(text);
    const bad = outOfVocabulary(ids, this.model.config.vocabSize);
    if (bad.length)
      throw new OwnModelInputError(
        `the ${what} gives token ${bad.slice(0, 5).join(', ')}, outside this checkpoint's vocabulary of ${this.model.config.vocabSize}`,
      );
    return ids;
  }

  /**
   * Calibrate on the first windows of `calibText` and score the dense model on `evalText` (both
   * the CLI's rules). Only `layers`' X are kept (GPT-2 small's are 50 MB each in float64).
   */
  prepare(calibText: string, evalText: string, layers?: readonly number[]): OwnPrepared {
    const window = this.model.config.contextLength;
    const calibIds = this.ids(calibText, 'calibration text');
    const windows = calibrationWindows(calibIds, window, OWN_CALIBRATION_WINDOWS);
    if (windows.length === 0)
      throw new OwnModelInputError(
        `the calibration text has ${calibIds.length} tokens, fewer than one window of the model's ${window} positions: give a longer text`,
      );
    const evalIds = this.ids(evalText, 'evaluation text');
    if (evalIds.length < 2) throw new OwnModelInputError(`the evaluation text has ${evalIds.length} token(s): at least 2 are needed to score one`);
    const t0 = performance.now();
    const calib = captureCalibration(this.model, windows, layers);
    const t1 = performance.now();
    this.keptLayers = new Set(layers ?? calib.xs.map((_, l) => l));
    this.calib = calib;
    this.evalIds = evalIds;
    const argmax: Int32Array[] = [];
    const dense = scoreText(this.model, evalIds, window, undefined, argmax);
    this.densePredictions = argmax;
    return {
      calibration: { sequences: windows.length, window, tokens: windows.length * window, textTokens: calibIds.length },
      dense,
      timeMs: { calibration: t1 - t0, dense: performance.now() - t1 },
    };
  }

  private prepared(): { calib: Calibration; evalIds: Int32Array; dense: Int32Array[] } {
    if (!this.calib || !this.evalIds || !this.densePredictions) throw new Error('own model: prepare() first');
    return { calib: this.calib, evalIds: this.evalIds, dense: this.densePredictions };
  }

  /** Every head of `layer`: what a worker of the pool needs to prune it. */
  layerInputs(layer: number): HeadInputs[] {
    const { calib } = this.prepared();
    if (!this.keptLayers.has(layer)) throw new Error(`own model: layer ${layer} was not calibrated (prepare() with it)`);
    return Array.from({ length: this.model.config.nHeads }, (_, head) => headInputs(this.model, calib, layer, head));
  }

  /** Perplexity of the evaluation text with these heads pruned, and top-1 agreement with the dense model. */
  score(heads: readonly PrunedHeadWeights[]): OwnScore {
    const { evalIds, dense } = this.prepared();
    const argmax: Int32Array[] = [];
    const score = scoreText(this.model, evalIds, this.model.config.contextLength, headLogitsOf({ heads }), argmax);
    return { ...score, agreement: top1Agreement(dense, argmax).agreement };
  }

  /** Every head's attention in `layer` on the evaluation text's first tokens, dense or with `heads` pruned. */
  attention(layer: number, heads?: readonly PrunedHeadWeights[]): OwnAttention {
    const { evalIds } = this.prepared();
    const ids = evalIds.slice(0, Math.min(OWN_VIEW_TOKENS, this.model.config.contextLength));
    const r = forwardCaptures(this.model, [ids], { captureAttention: true, headLogits: heads && headLogitsOf({ heads }) });
    return { tokens: Array.from(ids, (id) => this.model.tokenizer.decode([id])), T: ids.length, maps: r.layers![layer].attention! };
  }

  /** Greedy continuation of `prompt` (empty: from <|endoftext|>, as `generate --checkpoint`), dense or pruned. */
  generate(prompt: string, tokens: number, heads?: readonly PrunedHeadWeights[]): string {
    if (!(Number.isInteger(tokens) && tokens >= 1 && tokens <= OWN_MAX_NEW_TOKENS))
      throw new OwnModelInputError(`the number of tokens to write must be an integer from 1 to ${OWN_MAX_NEW_TOKENS} (got ${tokens})`);
    const start = prompt === '' ? Int32Array.of(END_OF_TEXT) : this.ids(prompt, 'prompt');
    const out = generateIds(this.model, start, tokens, 1, 0, { headLogits: heads && headLogitsOf({ heads }) });
    return this.model.tokenizer.decode(out);
  }
}

/** The pruned checkpoint's bytes (factored heads only: a merged W̃_h is refused in words by prunedCheckpointBytes). */
export function ownPrunedCheckpoint(
  original: Uint8Array,
  heads: readonly PrunedHeadWeights[],
  dims: { dModel: number; nHeads: number },
  how: Parameters<typeof pruningMetadata>[1],
): Promise<Uint8Array> {
  return prunedCheckpointBytes(original, heads, dims, pruningMetadata('attention-pruning-explainer page (Your own model)', how));
}
