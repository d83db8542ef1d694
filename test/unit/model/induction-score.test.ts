/**
 * The induction and previous-token scores on hand-made attention patterns whose
 * scores are known: a perfect induction head, uniform causal attention, a
 * previous-token head, and sequences with nothing repeated.
 */
import { describe, expect, it } from 'vitest';
import { headPattern, inductionQueryCount, inductionScore, inductionTargets, previousTokenScore } from '../../../src/model/inductionScore.ts';

/** A T×T pattern whose row t puts weight w(t, s) on key s (rows normalised here). */
function pattern(T: number, w: (t: number, s: number) => number): Float64Array {
  const a = new Float64Array(T * T);
  for (let t = 0; t < T; t++) {
    let z = 0;
    for (let s = 0; s <= t; s++) z += w(t, s);
    for (let s = 0; s <= t; s++) a[t * T + s] = w(t, s) / z;
  }
  return a;
}

// A segment of 3 distinct tokens, repeated: 3 7 9 3 7 9 3.
const tokens = [3, 7, 9, 3, 7, 9, 3];
const T = tokens.length;

describe('induction targets', () => {
  it('are the keys right after each earlier occurrence of the query token', () => {
    expect(inductionTargets(tokens)).toEqual([[], [], [], [1], [2], [3], [1, 4]]);
    expect(inductionQueryCount(tokens)).toBe(4);
  });
});

describe('induction score', () => {
  it('is 1 for a head that attends only to the token after the latest earlier occurrence', () => {
    const targets = inductionTargets(tokens);
    const perfect = pattern(T, (t, s) => (targets[t].length ? (s === targets[t].at(-1) ? 1 : 0) : s === t ? 1 : 0));
    expect(inductionScore(perfect, tokens)).toBe(1);
  });

  it('is 1 for a head that spreads its attention over the targets of every earlier occurrence', () => {
    const targets = inductionTargets(tokens);
    const spread = pattern(T, (t, s) => (targets[t].length ? (targets[t].includes(s) ? 1 : 0) : 1));
    expect(inductionScore(spread, tokens)).toBeCloseTo(1, 15);
  });

  it('of uniform causal attention is the mean share of targets among the visible keys', () => {
    const uniform = pattern(T, () => 1);
    // Queries 3, 4, 5 see 4, 5, 6 keys with one target each; query 6 sees 7 keys with two.
    const expected = (1 / 4 + 1 / 5 + 1 / 6 + 2 / 7) / 4;
    expect(inductionScore(uniform, tokens)).toBeCloseTo(expected, 15);
  });

  it('is 0 for a previous-token head, which scores 1 on the previous-token score', () => {
    const prev = pattern(T, (t, s) => (s === Math.max(0, t - 1) ? 1 : 0));
    expect(inductionScore(prev, tokens)).toBe(0);
    expect(previousTokenScore(prev, T)).toBe(1);
  });

  it('of a head that attends to itself is 0, and so is its previous-token score', () => {
    const self = pattern(T, (t, s) => (s === t ? 1 : 0));
    expect(inductionScore(self, tokens)).toBe(0);
    expect(previousTokenScore(self, T)).toBe(0);
  });

  it('is undefined (NaN, with no query to average over) when no token repeats, without throwing', () => {
    const distinct = [0, 1, 2, 3, 4];
    expect(inductionQueryCount(distinct)).toBe(0);
    expect(
      inductionScore(
        pattern(distinct.length, () => 1),
        distinct,
      ),
    ).toBeNaN();
    // An immediate repeat (s + 1 = t) is not an induction target: the target would be the query itself.
    expect(inductionTargets([5, 5])).toEqual([[], []]);
    expect(
      inductionScore(
        pattern(2, () => 1),
        [5, 5],
      ),
    ).toBeNaN();
    // One token has no previous token.
    expect(previousTokenScore([1], 1)).toBeNaN();
  });

  it('refuses a pattern of the wrong size in words', () => {
    expect(() => inductionScore(new Float64Array(10), tokens)).toThrow(/49 entries \(got 10\)/);
    expect(() => previousTokenScore(new Float64Array(10), T)).toThrow(/49 entries/);
  });
});

describe('headPattern', () => {
  it('picks one head out of [layer][head][T][T] patterns', () => {
    const all = Float32Array.from({ length: 2 * 3 * 4 }, (_, i) => i);
    const p = headPattern(all, 2, 3, 1, 2);
    expect(Array.from(p)).toEqual([20, 21, 22, 23]);
    expect(() => headPattern(all, 2, 3, 2, 0)).toThrow(/no head 0 in layer 2/);
    expect(() => headPattern(all, 2, 3, 0, 3)).toThrow(/no head 3 in layer 0/);
  });
});
