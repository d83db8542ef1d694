import { describe, expect, it } from 'vitest';
import { createObjective } from '../../../src/core/objectiveFactory.ts';
import { AttentionObjective } from '../../../src/core/objective.ts';
import { compareAttention, attention } from '../../../src/core/attention.ts';
import { rowSlice, segmentsOf, type Problem } from '../../../src/core/problem.ts';
import { solve } from '../../../src/core/solve.ts';
import { problem, randomMask, relativeError } from '../../helpers/problems.ts';

function segmented(seed: number, segments: number[], causal = true): Problem {
  const n = segments.reduce((a, b) => a + b, 0);
  return { ...problem(n, 6, seed, causal, 2), segments };
}

describe('several calibration sequences', () => {
  it('the loss and gradient are the sums over sequences (plus λ once), for both kernels', () => {
    const p = segmented(1, [5, 9, 4]);
    const m = randomMask(6, 2);
    const lambda = 0.2;
    let expectedLoss = 0.5 * lambda * m.reduce((s, x) => s + x * x, 0);
    const expectedGrad = Float64Array.from(m, (x) => lambda * x);
    let start = 0;
    for (const len of [5, 9, 4]) {
      const g = new Float64Array(36);
      expectedLoss += new AttentionObjective(rowSlice(p.X, start, len), p.W, { causal: true }).evaluate(m, g).attentionLoss;
      for (let i = 0; i < 36; i++) expectedGrad[i] += g[i];
      start += len;
    }
    for (const kernel of ['js-f64', 'wasm-simd-f64'] as const) {
      const g = new Float64Array(36);
      const v = createObjective(p, lambda, kernel).evaluate(m, g);
      expect(v.loss).toBeCloseTo(expectedLoss, 12);
      expect(relativeError(g, expectedGrad)).toBeLessThan(1e-12);
    }
  });

  it('attention metrics sum the squared errors over sequences', () => {
    const p = segmented(3, [4, 7]);
    const wPruned = { ...p.W, data: p.W.data.map((w, i) => (i % 3 === 0 ? 0 : w)) };
    const m = compareAttention(p, wPruned);
    let diff2 = 0;
    let ref2 = 0;
    let start = 0;
    for (const len of [4, 7]) {
      const X = rowSlice(p.X, start, len);
      const f0 = attention(X, p.W, true).data;
      const f = attention(X, wPruned, true).data;
      for (let i = 0; i < f0.length; i++) {
        diff2 += (f[i] - f0[i]) ** 2;
        ref2 += f0[i] ** 2;
      }
      start += len;
    }
    expect(m.attentionLoss).toBeCloseTo(0.5 * diff2, 14);
    expect(m.attentionError).toBeCloseTo(Math.sqrt(diff2 / ref2), 14);
  });

  it('a sequence attends only within itself: splitting changes the problem', () => {
    const joined = problem(12, 6, 5, true, 2);
    const split: Problem = { ...joined, segments: [6, 6] };
    const wPruned = { ...joined.W, data: joined.W.data.map((w, i) => (i % 2 ? 0 : w)) };
    expect(compareAttention(split, wPruned).attentionLoss).not.toBeCloseTo(compareAttention(joined, wPruned).attentionLoss, 6);
  });

  it('rejects segments that do not add up', () => {
    expect(() => segmentsOf({ ...problem(10, 3, 1), segments: [4, 5] })).toThrow(/sum to 9/);
    expect(() => segmentsOf({ ...problem(10, 3, 1), segments: [10.5, -0.5] })).toThrow(/positive integers/);
  });

  it('gd gives the same mask with the WASM and the JS kernel', () => {
    for (let seed = 1; seed <= 5; seed++) {
      const p = segmented(10 + seed, [8, 8, 8]);
      const opts = { sparsity: 0.5, granularity: { kind: 'unstructured' } as const };
      const a = solve(p, 'gd', { ...opts, kernel: 'js-f64' });
      const b = solve(p, 'gd', { ...opts, kernel: 'wasm-simd-f64' });
      expect(Array.from(b.mask.data)).toEqual(Array.from(a.mask.data));
      expect(relativeError(b.lossHistory!, a.lossHistory!)).toBeLessThan(1e-10);
    }
  });
});
