/**
 * How much a head's attention pattern behaves like an induction head, or like a
 * previous-token head, on one token sequence. Pure functions on plain arrays (no
 * TensorFlow.js): the page, the worker and the tests share them.
 *
 * A pattern is one head's attention probabilities on a sequence of T tokens,
 * row-major [query t][key s] (T×T, each row a distribution over the keys s ≤ t).
 */

/**
 * The induction targets of every query position: for query t, the keys s + 1 such
 * that the token at s equals the token at t, with s + 1 < t (an earlier occurrence
 * of the current token, and the position right after it, which holds the token an
 * induction head copies). Empty for a query whose token has not occurred before.
 *
 * s + 1 = t is left out: then the "token after the earlier occurrence" is the query
 * itself, and attending to oneself says nothing about induction.
 */
export function inductionTargets(tokens: ArrayLike<number>): number[][] {
  const T = tokens.length;
  const out: number[][] = [];
  for (let t = 0; t < T; t++) {
    const keys: number[] = [];
    for (let s = 0; s + 1 < t; s++) if (tokens[s] === tokens[t]) keys.push(s + 1);
    out.push(keys);
  }
  return out;
}

/** The number of query positions the induction score averages over (those with at least one target). */
export function inductionQueryCount(tokens: ArrayLike<number>): number {
  return inductionTargets(tokens).filter((k) => k.length > 0).length;
}

function checkPattern(pattern: ArrayLike<number>, T: number): void {
  if (pattern.length !== T * T) throw new Error(`an attention pattern on ${T} tokens has ${T * T} entries (got ${pattern.length})`);
}

/**
 * Induction score of one head on one sequence:
 *
 *   score = mean over the query positions t that have induction targets of
 *           Σ_{s+1 ∈ targets(t)} A[t][s+1],
 *
 * i.e. for each query whose token appeared earlier (at s, with s + 1 < t), the
 * attention probability on the key right after that earlier occurrence, summed
 * over the earlier occurrences when the token appeared several times (a head that
 * spreads its attention over every earlier copy is as much an induction head as one
 * that picks the latest), averaged over those queries. It lies in [0, 1]: 1 for a
 * head that puts all its attention on induction targets, 0 for one that puts none.
 *
 * A sequence in which no token repeats (with a gap) has no such query: the score is
 * then undefined and this returns NaN; callers say so in words
 * (`inductionQueryCount(tokens) === 0`).
 */
export function inductionScore(pattern: ArrayLike<number>, tokens: ArrayLike<number>): number {
  const T = tokens.length;
  checkPattern(pattern, T);
  const targets = inductionTargets(tokens);
  let sum = 0;
  let queries = 0;
  for (let t = 0; t < T; t++) {
    if (targets[t].length === 0) continue;
    let mass = 0;
    for (const k of targets[t]) mass += pattern[t * T + k];
    sum += mass;
    queries++;
  }
  return queries === 0 ? Number.NaN : sum / queries;
}

/**
 * Previous-token score of one head on T tokens: the attention probability on key
 * t − 1, averaged over the queries t = 1 … T − 1. A previous-token head (the first
 * half of an induction circuit: it writes "my previous token was A" into position
 * s + 1, which the induction head's query then matches) scores near 1.
 * Undefined (NaN) for T < 2, where no query has a previous token.
 */
export function previousTokenScore(pattern: ArrayLike<number>, T: number): number {
  checkPattern(pattern, T);
  if (T < 2) return Number.NaN;
  let sum = 0;
  for (let t = 1; t < T; t++) sum += pattern[t * T + t - 1];
  return sum / (T - 1);
}

/**
 * One head's T×T pattern out of every head's patterns, flattened [layer][head][T][T]
 * (the layout of the worker's attention view). A view, not a copy.
 */
export function headPattern(all: Float32Array, T: number, nHeads: number, layer: number, head: number): Float32Array {
  const size = T * T;
  const start = (layer * nHeads + head) * size;
  if (!(head >= 0 && head < nHeads && layer >= 0 && start + size <= all.length))
    throw new Error(`no head ${head} in layer ${layer} of these attention patterns`);
  return all.subarray(start, start + size);
}
