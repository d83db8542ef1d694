import { describe, expect, it } from 'vitest';
import { binomial, exhaustiveCount, exhaustiveSearch, percentileRank, EXHAUSTIVE_LIMIT } from '../../../src/core/exhaustive.ts';
import { solve } from '../../../src/core/solve.ts';
import { PRUNING_METHOD_IDS } from '../../../src/core/methods.ts';
import { countPruned } from '../../../src/core/mask.ts';
import { problem } from '../../helpers/problems.ts';

const U = { kind: 'unstructured' } as const;

describe('exhaustive search', () => {
  it('binomial coefficients', () => {
    expect(binomial(16, 8)).toBe(12870);
    expect(binomial(16, 0)).toBe(1);
    expect(binomial(5, 7)).toBe(0);
    expect(binomial(36, 18)).toBe(9075135300);
  });

  for (const sparsity of [0.25, 0.5, 0.75]) {
    it(`visits all C(16, k) masks and its optimum bounds every method (p = ${sparsity})`, () => {
      const p = problem(12, 4, 31, false, 3);
      const k = Math.floor(sparsity * 16);
      const ex = exhaustiveSearch(p, sparsity, U);
      expect(ex.masks).toBe(binomial(16, k));
      expect(ex.losses.length).toBe(ex.masks);
      expect(countPruned(ex.mask)).toBe(k);
      expect(Math.min(...ex.losses)).toBe(ex.optimum);
      for (const method of ['gd', 'magnitude', 'wanda'] as const) {
        const r = solve(p, method, { sparsity, granularity: U });
        expect(r.metrics.attentionLoss).toBeGreaterThanOrEqual(ex.optimum - 1e-15);
      }
      // Its mask really attains the optimum.
      const own = solve(p, 'exhaustive', { sparsity, granularity: U });
      expect(own.metrics.attentionLoss).toBeCloseTo(ex.optimum, 14);
    });
  }

  it('enumerates N:M masks: C(4,2)^4 for 2:4 at d = 4', () => {
    const p = problem(10, 4, 5);
    const ex = exhaustiveSearch(p, 0.5, { kind: 'nm', n: 2, m: 4 });
    expect(ex.masks).toBe(6 ** 4);
    expect(countPruned(ex.mask)).toBe(8);
  });

  it('causal problems work the same way', () => {
    const p = problem(10, 3, 6, true);
    const ex = exhaustiveSearch(p, 0.5, U);
    expect(ex.masks).toBe(binomial(9, 4));
    const gd = solve(p, 'gd', { sparsity: 0.5, granularity: U });
    expect(gd.metrics.attentionLoss).toBeGreaterThanOrEqual(ex.optimum - 1e-15);
  });

  it('refuses problems that are too large, quickly and in words', () => {
    const p = problem(8, 8, 1);
    const t0 = performance.now();
    expect(() => exhaustiveSearch(p, 0.5, U)).toThrow(/refused.*more than the limit/);
    expect(performance.now() - t0).toBeLessThan(100);
    expect(exhaustiveCount(8, 0.5, U)).toBeGreaterThan(EXHAUSTIVE_LIMIT);
    // ... but a large d at an extreme sparsity is small enough.
    expect(exhaustiveCount(8, 1 / 64, U)).toBe(64);
  });

  it('ranks: the optimum is at percentile 0, the worst mask near 100', () => {
    const losses = Float64Array.from([3, 1, 2, 2, 5]);
    expect(percentileRank(losses, 1)).toBe(0);
    expect(percentileRank(losses, 2)).toBe(20);
    expect(percentileRank(losses, 5)).toBe(80);
  });

  it('solve --method exhaustive ranks every method', () => {
    const p = problem(12, 4, 8);
    const r = solve(p, 'exhaustive', { sparsity: 0.5, granularity: U });
    expect(Object.keys(r.exhaustive!.rankOf).sort()).toEqual([...PRUNING_METHOD_IDS].sort());
    for (const v of Object.values(r.exhaustive!.rankOf)) expect(v).toBeGreaterThanOrEqual(0);
    expect(r.exhaustive!.rankOf.gd).toBeLessThanOrEqual(100);
  });
});
