/**
 * What pruning did to a model's text, in two numbers that the generated-text widget,
 * its worker job and `cli -- generate --prune R.json --compare` all compute here (one
 * source of truth):
 *
 *  - the first departure: the first generated token where the pruned model's
 *    continuation differs from the dense model's, from the same prompt and seed;
 *  - top-1 agreement: the share of the evaluation windows' positions where the pruned
 *    model's most likely next token (arg-max, lowest id on ties, as greedy decoding
 *    picks it) equals the dense model's.
 *
 * Everything works in token ids, so it holds for any tokenizer (characters today,
 * words or BPE pieces later); `tokenSpan` turns a token's index into the characters it
 * covers in the decoded text, for marking it. The model's arg-max tokens come from its
 * scoring pass (`argmaxTokens`, `agreementOn` in evaluate.ts); this module imports no
 * model code, so the page's widget uses it without TensorFlow.js.
 */

/** Where a pruned continuation first leaves the dense one: a 1-based token position, or never within the length. */
export type FirstDeparture = { kind: 'at'; token: number } | { kind: 'never'; tokens: number };

/**
 * The first generated token where `pruned` differs from `dense` (1-based). Continuations
 * of unequal length (a model that stopped early) depart where the shorter one ends.
 */
export function firstDeparture(dense: ArrayLike<number>, pruned: ArrayLike<number>): FirstDeparture {
  const n = Math.min(dense.length, pruned.length);
  for (let i = 0; i < n; i++) if (dense[i] !== pruned[i]) return { kind: 'at', token: i + 1 };
  return dense.length === pruned.length ? { kind: 'never', tokens: n } : { kind: 'at', token: n + 1 };
}

/** A departure with the characters of the departing token in the pruned text, [start, end), for marking it. */
export type TextDeparture = { kind: 'at'; token: number; start: number; end: number } | { kind: 'never'; tokens: number };

/** The first departure of `pruned` from `dense`, with the departing token's characters in `decode(pruned)`. */
export function textDeparture(decode: (ids: number[]) => string, dense: ArrayLike<number>, pruned: ArrayLike<number>): TextDeparture {
  const d = firstDeparture(dense, pruned);
  return d.kind === 'never' ? d : { ...d, ...tokenSpan(decode, pruned, d.token - 1) };
}

/** What a model's tokens are, in the words the page and the JSON use: "character" when every token is one character. */
export function tokenUnit(vocabulary: readonly string[]): 'character' | 'token' {
  return vocabulary.every((t) => t.length === 1) ? 'character' : 'token';
}

/** The departure as the JSON prints it: the position, or a sentence (never null). */
export function departureJson(d: FirstDeparture): number | string {
  return d.kind === 'at' ? d.token : `never: the ${d.tokens} generated tokens equal the dense model's`;
}

/** The departure in words, with the unit the model writes in ("character", "token"). */
export function departureText(d: FirstDeparture, unit = 'token'): string {
  return d.kind === 'at' ? `at ${unit} ${d.token}` : `never: the same ${d.tokens} ${unit}${d.tokens === 1 ? '' : 's'}`;
}

/**
 * The characters of `decode(ids)` that token `index` (0-based) covers: [start, end).
 * Found from the decoded prefixes, so a tokenizer that joins tokens with spaces (words)
 * is marked on the word itself; a prefix that is not a prefix of the whole text (a
 * tokenizer that merges across tokens) falls back to the rest of the text.
 */
export function tokenSpan(decode: (ids: number[]) => string, ids: ArrayLike<number>, index: number): { start: number; end: number } {
  const all = Array.from(ids);
  const text = decode(all);
  const before = decode(all.slice(0, index));
  const through = decode(all.slice(0, index + 1));
  if (!text.startsWith(before) || !text.startsWith(through) || through.length <= before.length)
    return { start: Math.min(before.length, text.length), end: text.length };
  // A separator the tokenizer puts between tokens belongs to neither: mark the token's own characters.
  const lead = /^\s*/.exec(through.slice(before.length))?.[0].length ?? 0;
  return { start: Math.min(before.length + lead, through.length - 1), end: through.length };
}

export interface Top1Agreement {
  /** The share of compared positions where the two arg-max tokens are equal, in [0, 1]. */
  agreement: number;
  /** How many positions were compared. */
  positions: number;
}

/**
 * The share of positions where `pruned`'s arg-max equals `dense`'s. With `scored`
 * (induction: the repeated half), only the positions the evaluation scores count.
 */
export function top1Agreement(dense: readonly Int32Array[], pruned: readonly Int32Array[], scored?: readonly Uint8Array[]): Top1Agreement {
  if (dense.length !== pruned.length) throw new Error(`top1Agreement: ${dense.length} dense sequences but ${pruned.length} pruned`);
  let same = 0;
  let positions = 0;
  dense.forEach((d, i) => {
    const p = pruned[i];
    if (p.length !== d.length) throw new Error(`top1Agreement: sequence ${i} has ${d.length} dense positions but ${p.length} pruned`);
    for (let t = 0; t < d.length; t++) {
      if (scored && !scored[i][t]) continue;
      positions++;
      if (d[t] === p[t]) same++;
    }
  });
  if (positions === 0) throw new Error('top1Agreement: no positions to compare (the evaluation set is empty)');
  return { agreement: same / positions, positions };
}
