/**
 * Synthetic data for the `induction` model: sequences in which a random
 * segment appears twice, so that the next token in the second copy is
 * determined by its earlier occurrence ("… A B … A → B").
 *
 * Each sequence has length T = 48 over the vocabulary 0 … V−1 (V = 32):
 *   [ noise (P) | segment s (L) | segment s again (L) | noise (T − P − 2L) ]
 * with L uniform in [minSegment, maxSegment] and P uniform in [0, T − 2L], so
 * neither the period nor the position of the repeat is fixed (a model cannot
 * solve it by a fixed positional offset; it must match content: an induction
 * head). The segment's L tokens are distinct (drawn without replacement) and
 * the noise tokens are drawn from the tokens NOT in the segment, so every
 * token of the second copy after its first is determined exactly: the token
 * before it occurs exactly once earlier in the sequence, and it is followed
 * there by the answer.
 *
 * Scored predictions ("the repeated half"): those of s[1] … s[L−1] in the
 * second copy, i.e. the logits at positions P+L+i−1 (i = 1 … L−1) predicting
 * the token at P+L+i. The first token of the second copy is not determined, so
 * it is not scored.
 */
import { mulberry32, type Rng } from '../core/random.ts';

export interface InductionSpec {
  vocabSize: number;
  length: number;
  minSegment: number;
  maxSegment: number;
}

export const INDUCTION_SPEC: InductionSpec = { vocabSize: 32, length: 48, minSegment: 8, maxSegment: 20 };

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
  'length-48 sequences over 32 tokens: noise(P) | segment s (L distinct tokens) | s again | noise, L uniform in [8,20], P uniform in [0,48-2L], ' +
  'noise drawn from the tokens not in s; accuracy = argmax next-token accuracy on s[1..L-1] of the second copy (each determined by its earlier occurrence); ' +
  'validation = 512 sequences from mulberry32(20250101), training sequences from mulberry32(subSeed(seed, "induction-train"))';

export const INDUCTION_VAL_SEED = 20250101;
export const INDUCTION_VAL_COUNT = 512;

function randInt(rng: Rng, lo: number, hi: number): number {
  return lo + Math.floor(rng() * (hi - lo + 1));
}

/** One sequence and its scored-prediction mask. */
export function inductionSequence(rng: Rng, spec: InductionSpec = INDUCTION_SPEC): { seq: Int32Array; scored: Uint8Array } {
  const { vocabSize: V, length: T, minSegment, maxSegment } = spec;
  if (2 * maxSegment > T || maxSegment > V - 1 || minSegment < 2 || minSegment > maxSegment) throw new Error('induction: bad spec');
  const L = randInt(rng, minSegment, maxSegment);
  const P = randInt(rng, 0, T - 2 * L);
  // Segment: L distinct tokens (partial Fisher–Yates).
  const perm = Array.from({ length: V }, (_, i) => i);
  for (let i = 0; i < L; i++) {
    const j = randInt(rng, i, V - 1);
    const tmp = perm[i];
    perm[i] = perm[j];
    perm[j] = tmp;
  }
  const rest = perm.slice(L);
  const seq = new Int32Array(T);
  for (let t = 0; t < T; t++) seq[t] = rest[Math.floor(rng() * rest.length)];
  for (let i = 0; i < L; i++) {
    seq[P + i] = perm[i];
    seq[P + L + i] = perm[i];
  }
  const scored = new Uint8Array(T - 1);
  for (let i = 1; i < L; i++) scored[P + L + i - 1] = 1;
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
