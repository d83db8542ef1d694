import { describe, expect, it } from 'vitest';
import { compareAt, homeProblem, HOME_FIGURE } from '../../../src/widgets/home-figure/compare.ts';
import { solve } from '../../../src/core/solve.ts';

describe("the home page's figure", () => {
  const problem = homeProblem();
  const d2 = HOME_FIGURE.d ** 2;

  it('reports the same errors as solve() and attention maps whose rows sum to 1', () => {
    const c = compareAt(problem, d2 / 2, 'wanda', 'swap');
    for (const side of [c.linear, c.aware]) {
      const ref = solve(problem, side.method, { sparsity: 0.5, granularity: { kind: 'unstructured' } });
      expect(side.attentionError).toBe(ref.metrics.attentionError);
      for (let i = 0; i < HOME_FIGURE.n; i++) {
        let s = 0;
        for (let j = 0; j < HOME_FIGURE.n; j++) s += side.f.data[i * HOME_FIGURE.n + j];
        expect(s).toBeCloseTo(1, 12);
      }
    }
  });

  it('more pruning moves the linear method further from the dense map (k = 8 against k = 56)', () => {
    const few = compareAt(problem, 8, 'magnitude', 'swap');
    const many = compareAt(problem, 56, 'magnitude', 'swap');
    expect(many.linear.attentionError).toBeGreaterThan(few.linear.attentionError);
    expect(many.aware.attentionError).toBeGreaterThan(few.aware.attentionError);
  });

  it('is fast enough to run on every slider step (median under 60 ms here, a fifth of the 300 ms target)', () => {
    const times: number[] = [];
    for (const k of [4, 16, 32, 48, 60]) {
      const t0 = performance.now();
      compareAt(problem, k, 'wanda', 'swap');
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    expect(times[2]).toBeLessThan(60);
  });
});
