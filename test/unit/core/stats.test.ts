import { describe, expect, it } from 'vitest';
import { pearson, ranks, spearman } from '../../../src/core/stats.ts';

describe('statistics', () => {
  it('ranks average ties', () => {
    expect(ranks([10, 30, 20, 30])).toEqual([1, 3.5, 2, 3.5]);
  });
  it('Spearman is 1 for any increasing relation and −1 for a decreasing one', () => {
    expect(spearman([1, 2, 3, 4], [1, 8, 27, 64])).toBeCloseTo(1, 15);
    expect(spearman([1, 2, 3, 4], [9, 4, 1, 0])).toBeCloseTo(-1, 15);
  });
  it('Pearson by hand, and NaN (not a made-up number) without variance', () => {
    // deviations (−1, 0, 1) and (−7/3, −1/3, 8/3): Σab = 5, Σa² = 2, Σb² = 114/9.
    expect(pearson([1, 2, 3], [2, 4, 7])).toBeCloseTo(5 / Math.sqrt((2 * 114) / 9), 14);
    expect(Number.isNaN(pearson([1, 1, 1], [1, 2, 3]))).toBe(true);
  });
});
