/**
 * Perplexity of a text under a loaded GPT-2, the rule in one place (CLI, tests, page):
 * the text's tokens (no BOS) cut into non-overlapping windows of `window` tokens (the
 * model's n_positions unless asked otherwise; the last window may be shorter), each window
 * scored on every position after its first; `cross_entropy` is the mean over all scored
 * tokens, in nats. A window of n tokens therefore scores n − 1 of them, and the first token
 * of each window is context only.
 */
import { crossEntropy, type HeadLogitsFn } from '../transformer.ts';
import type { Gpt2Model } from './checkpoint.ts';

/** Non-overlapping windows of `window` tokens; a last window of one token (nothing to score) is dropped. */
export function perplexityWindows(ids: Int32Array, window: number): Int32Array[] {
  if (!Number.isInteger(window) || window < 2) throw new Error(`perplexity: the window must be an integer >= 2 (got ${window})`);
  const out: Int32Array[] = [];
  for (let s = 0; s < ids.length; s += window) {
    const w = ids.subarray(s, s + window);
    if (w.length >= 2) out.push(w);
  }
  return out;
}

export interface TextScore {
  /** Tokens of the whole text. */
  text_tokens: number;
  window: number;
  windows: number;
  /** Tokens scored: the text's tokens less the first of each window. */
  tokens: number;
  cross_entropy: number;
  perplexity: number;
}

/** Token ids the model's vocabulary does not hold (a checkpoint with a cut vocabulary), for the message. */
export function outOfVocabulary(ids: Int32Array, vocab: number): number[] {
  return [...new Set(Array.from(ids).filter((t) => t >= vocab))];
}

/**
 * `headLogits`: pruned heads (model-prune scores the dense and the pruned model by this one rule).
 * `argmax`, when given, is filled with each window's top-1 tokens in the same pass (top-1 agreement,
 * src/model/textAgreement.ts).
 */
export function scoreText(model: Gpt2Model, ids: Int32Array, window: number, headLogits?: HeadLogitsFn, argmax?: Int32Array[]): TextScore {
  const windows = perplexityWindows(ids, window);
  if (windows.length === 0) throw new Error('perplexity: the text has fewer than 2 tokens, nothing to score');
  const r = crossEntropy(model, windows, { headLogits, argmax });
  return { text_tokens: ids.length, window, windows: windows.length, tokens: r.tokens, cross_entropy: r.crossEntropy, perplexity: r.perplexity };
}

/** Up to `count` consecutive windows of `window` tokens from the text's start (the paper: 8 C4 sentences). */
export function calibrationWindows(ids: Int32Array, window: number, count: number): Int32Array[] {
  const n = Math.min(count, Math.floor(ids.length / window));
  return Array.from({ length: n }, (_, i) => ids.slice(i * window, (i + 1) * window));
}
