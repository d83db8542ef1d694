/**
 * Synthetic data for the `induction` model: a random segment that repeats, so
 * that the next token is determined by its earlier occurrence ("… A B … A → B").
 *
 * Each sequence has length T = 32 over the vocabulary 0 … V−1 (V = 32): a
 * segment s of L distinct tokens (drawn without replacement), L uniform in
 * [minSegment, maxSegment] = [5, 12], repeated until the sequence is full:
 *   s[0] … s[L−1] s[0] … s[L−1] s[0] …
 * The period L varies from sequence to sequence, so the model cannot solve it
 * by a fixed positional offset: it must find the earlier occurrence of the
 * current token and copy the token that followed it (an induction head:
 * a previous-token head in layer 0 composed with a matching head in layer 1).
 *
 * Scored predictions ("the repeated part"): prediction j (the logits at
 * position j for the token at j+1) is scored iff j ≥ L, i.e. the current token
 * has occurred before; then the answer is determined, because the segment's
 * tokens are distinct. The first L predictions are not determined and are not
 * scored (training still uses every position, as a language model would).
 *
 * (A first design padded one repeat with noise tokens; with 2/3 of the
 * positions unpredictable, the tfjs run stayed on the loss plateau for
 * thousands of steps, so the segment now fills the sequence.)
 */
import { mulberry32, type Rng } from '../core/random.ts';

export interface InductionSpec {
  vocabSize: number;
  length: number;
  minSegment: number;
  maxSegment: number;
}

export const INDUCTION_SPEC: InductionSpec = { vocabSize: 32, length: 32, minSegment: 5, maxSegment: 12 };

export interface InductionBatch {
  /** Token sequences, each of length spec.length. */
  sequences: Int32Array[];
  /**
   * For each sequence, a 0/1 mask over its length−1 next-token predictions
   * (prediction j = logits at position j for the token at j+1): 1 on the
   * scored (determined, repeated-half) predictions.
   */
  scored: Uint8Array[];
}

export const INDUCTION_DESCRIPTION =
  'length-32 sequences over 32 tokens: a segment of L distinct tokens (L uniform in [5,12], drawn without replacement) repeated until the sequence is full; ' +
  'accuracy = argmax next-token accuracy on the predictions at positions j >= L (the current token occurred before, so the answer is determined); ' +
  'validation = 512 sequences from mulberry32(20250101), training sequences from mulberry32(subSeed(seed, "induction-train"))';

export const INDUCTION_VAL_SEED = 20250101;
export const INDUCTION_VAL_COUNT = 512;

function randInt(rng: Rng, lo: number, hi: number): number {
  return lo + Math.floor(rng() * (hi - lo + 1));
}

/** One sequence and its scored-prediction mask. */
export function inductionSequence(rng: Rng, spec: InductionSpec = INDUCTION_SPEC): { seq: Int32Array; scored: Uint8Array } {
  const { vocabSize: V, length: T, minSegment, maxSegment } = spec;
  if (maxSegment > V || maxSegment >= T - 1 || minSegment < 2 || minSegment > maxSegment) throw new Error('induction: bad spec');
  const L = randInt(rng, minSegment, maxSegment);
  // Segment: L distinct tokens (partial Fisher–Yates).
  const perm = Array.from({ length: V }, (_, i) => i);
  for (let i = 0; i < L; i++) {
    const j = randInt(rng, i, V - 1);
    const tmp = perm[i];
    perm[i] = perm[j];
    perm[j] = tmp;
  }
  const seq = new Int32Array(T);
  for (let t = 0; t < T; t++) seq[t] = perm[t % L];
  const scored = new Uint8Array(T - 1);
  for (let j = L; j < T - 1; j++) scored[j] = 1;
  return { seq, scored };
}

export function inductionBatch(rng: Rng, count: number, spec: InductionSpec = INDUCTION_SPEC): InductionBatch {
  const sequences: Int32Array[] = [];
  const scored: Uint8Array[] = [];
  for (let b = 0; b < count; b++) {
    const { seq, scored: s } = inductionSequence(rng, spec);
    sequences.push(seq);
    scored.push(s);
  }
  return { sequences, scored };
}

/** The fixed validation set: `count` sequences from its own seed (independent of any training stream). */
export function inductionValidation(count = INDUCTION_VAL_COUNT, seed = INDUCTION_VAL_SEED, spec: InductionSpec = INDUCTION_SPEC): InductionBatch {
  return inductionBatch(mulberry32(seed), count, spec);
}

/** Vocabulary of the induction model: token i is shown as a letter (a … z, then A …), one character each. */
export function inductionVocabulary(spec: InductionSpec = INDUCTION_SPEC): string[] {
  const letters = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
  if (spec.vocabSize > letters.length) throw new Error('induction: vocabulary too large for single-letter names');
  return letters.slice(0, spec.vocabSize).split('');
}
