import { describe, expect, it } from 'vitest';
import { bestIndices, gainSplit, placeOf } from '../../../src/site/numbers/compare.ts';

describe('placeOf (tie-aware verdicts)', () => {
  it('counts nothing as best or worst when every method ties (the "best and worst at 30 %" bug)', () => {
    const acc = [1, 1, 1, 1];
    for (let i = 0; i < acc.length; i++) expect(placeOf(acc, i, true)).toBe('all-tied');
    expect(bestIndices(acc, true)).toEqual([]);
  });

  it('ranks by the direction of the metric', () => {
    const ppl = [6.6, 6.5, 7.1, 6.8];
    expect(placeOf(ppl, 1, false)).toBe('best');
    expect(placeOf(ppl, 2, false)).toBe('worst');
    expect(placeOf(ppl, 0, false)).toBe('between');
    expect(placeOf(ppl, 2, true)).toBe('best');
    expect(placeOf(ppl, 1, true)).toBe('worst');
  });

  it('shares a tied best (or worst) among the tied methods only', () => {
    const v = [0.9, 0.95, 0.95, 0.8];
    expect(bestIndices(v, true)).toEqual([1, 2]);
    expect(placeOf(v, 3, true)).toBe('worst');
    expect(placeOf(v, 0, true)).toBe('between');
  });

  it('refuses a missing index or a value that is not a finite number', () => {
    expect(() => placeOf([1, 2], 2, true)).toThrow();
    expect(() => placeOf([1, Number.NaN], 0, true)).toThrow();
  });
});

describe('gainSplit (SparseGPT → linear twin → attention objective)', () => {
  it('splits a perplexity gain (lower is better) into its two steps, which add up', () => {
    // The brown-char 90 % row: SparseGPT 10.63, linear twin 8.88, swap + attention refit 7.29.
    const s = gainSplit(10.63, 8.88, 7.29, false);
    expect(s.total).toBeCloseTo(3.34, 12);
    expect(s.searchRefit).toBeCloseTo(1.75, 12);
    expect(s.objective).toBeCloseTo(1.59, 12);
    expect(s.searchRefit + s.objective).toBeCloseTo(s.total, 12);
    expect(s.objectiveShare).toBeCloseTo(1.59 / 3.34, 12);
  });

  it('splits an accuracy gain (higher is better), and a negative objective step stays negative', () => {
    const s = gainSplit(0.8, 0.9, 0.88, true);
    expect(s.total).toBeCloseTo(0.08, 12);
    expect(s.searchRefit).toBeCloseTo(0.1, 12);
    expect(s.objective).toBeCloseTo(-0.02, 12);
    expect(s.objectiveShare).toBeCloseTo(-0.25, 12);
  });

  it('has no share when ours does not beat the baseline', () => {
    expect(gainSplit(1, 1, 1, true).objectiveShare).toBeNull();
    expect(gainSplit(6.5, 6.4, 6.6, false).objectiveShare).toBeNull();
  });
});
