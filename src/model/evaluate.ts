/**
 * How a (possibly pruned) model is scored, in one place for the CLI, the tests and
 * the page: brown-char by perplexity on validation windows, induction by accuracy
 * on the repeated half of its fixed validation sequences.
 */
import type { Model } from './weights.ts';
import { crossEntropy, type HeadLogitsFn } from './transformer.ts';
import { top1Agreement, type Top1Agreement } from './textAgreement.ts';

export interface EvalSet {
  sequences: Int32Array[];
  /** Induction: which predictions count (the repeated half). */
  scored?: Uint8Array[];
  description: string;
}

export interface Score {
  cross_entropy: number;
  perplexity: number;
  /** Induction only: accuracy on the scored predictions. */
  accuracy?: number;
  tokens: number;
}

/** The model's score on `set`; `argmax`, when given, is filled with its arg-max next tokens in the same pass (top-1 agreement). */
export function score(model: Model, set: EvalSet, headLogits?: HeadLogitsFn, argmax?: Int32Array[]): Score {
  const r = crossEntropy(model, set.sequences, { scored: set.scored, headLogits, argmax });
  const s: Score = { cross_entropy: r.crossEntropy, perplexity: r.perplexity, tokens: r.tokens };
  if (set.scored) s.accuracy = r.accuracy;
  return s;
}

/**
 * The arg-max next token at every scored input position of each evaluation sequence
 * (its first n−1 tokens, as the score feeds them), dense or with pruned heads: the
 * scoring pass itself, so a job that scores a model has them at no extra cost.
 */
export function argmaxTokens(model: Model, set: EvalSet, headLogits?: HeadLogitsFn): Int32Array[] {
  const argmax: Int32Array[] = [];
  score(model, set, headLogits, argmax);
  return argmax;
}

/** Top-1 agreement of a pruned model with the dense one over an evaluation set; `dense` may be given when already computed. */
export function agreementOn(model: Model, set: EvalSet, headLogits: HeadLogitsFn, dense?: readonly Int32Array[]): Top1Agreement {
  return top1Agreement(dense ?? argmaxTokens(model, set), argmaxTokens(model, set, headLogits), set.scored);
}

/** Windows of T tokens at seeded random offsets of a token stream (calibration samples). */
export function randomWindows(ids: Int32Array, T: number, count: number, rng: () => number): Int32Array[] {
  if (ids.length < T) throw new Error(`the calibration text is too short: ${ids.length} characters, need at least ${T}`);
  const out: Int32Array[] = [];
  for (let i = 0; i < count; i++) {
    const start = Math.floor(rng() * (ids.length - T + 1));
    out.push(ids.slice(start, start + T));
  }
  return out;
}

/** Consecutive windows of T tokens from the start of a text (pasted calibration text). */
export function leadingWindows(ids: Int32Array, T: number, count: number): Int32Array[] {
  if (ids.length < T) throw new Error(`the calibration text is too short: ${ids.length} characters, need at least ${T}`);
  const out: Int32Array[] = [];
  for (let s = 0; s + T <= ids.length && out.length < count; s += T) out.push(ids.slice(s, s + T));
  return out;
}
