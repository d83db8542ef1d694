import { describe, expect, it } from 'vitest';
import { augmentedMerged, compareAttentionFactored, FactoredObjective, type FactoredProblem, withOnesColumn } from '../../../src/core/factored.ts';
import { compareAttention } from '../../../src/core/attention.ts';
import { AttentionObjective } from '../../../src/core/objective.ts';
import { GradientDescent } from '../../../src/core/gd.ts';
import { zeros, type Matrix } from '../../../src/core/matrix.ts';
import { gaussian, mulberry32 } from '../../../src/core/random.ts';
import { finiteDifferenceGradient, randomMask, relativeError } from '../../helpers/problems.ts';

function randomMatrix(rows: number, cols: number, seed: number, std = 1): Matrix {
  const normal = gaussian(mulberry32(seed));
  const m = zeros(rows, cols);
  for (let i = 0; i < m.data.length; i++) m.data[i] = std * normal();
  return m;
}

function factored(seed: number, causal: boolean, segments?: number[]): FactoredProblem {
  const n = segments ? segments.reduce((a, b) => a + b, 0) : 9;
  return { X: randomMatrix(n, 6, seed), Wq: randomMatrix(6, 3, seed + 1, 0.7), Wk: randomMatrix(6, 3, seed + 2, 0.7), causal, segments };
}

describe('factored objective (masks on W_Q and W_K)', () => {
  for (const causal of [false, true]) {
    it(`gradient equals central finite differences (causal=${causal}, two sequences)`, () => {
      const p = factored(3, causal, [5, 4]);
      const obj = new FactoredObjective(p, 0.2);
      const m = randomMask(6, 7).subarray(0, 36).slice();
      const g = new Float64Array(36);
      obj.evaluate(m, g);
      expect(relativeError(g, finiteDifferenceGradient(obj, m))).toBeLessThan(1e-7);
    });
  }

  it('with all-ones masks its attention equals the merged head W = W_Q W_Kᵀ/√d_h', () => {
    const p = factored(11, true);
    const W = zeros(6, 6);
    for (let i = 0; i < 6; i++)
      for (let j = 0; j < 6; j++) {
        let s = 0;
        for (let k = 0; k < 3; k++) s += p.Wq.data[i * 3 + k] * p.Wk.data[j * 3 + k];
        W.data[i * 6 + j] = s / Math.sqrt(3);
      }
    // Same loss at a pruned point: zero the same "effective" weights by pruning W_Q row 2 entirely.
    const mf = new Float64Array(36).fill(1);
    for (let k = 0; k < 3; k++) mf[2 * 3 + k] = 0;
    const mm = new Float64Array(36).fill(1);
    for (let j = 0; j < 6; j++) mm[2 * 6 + j] = 0;
    const lf = new FactoredObjective(p, 0).evaluate(mf).attentionLoss;
    const lm = new AttentionObjective(p.X, W, { causal: true }).evaluate(mm).attentionLoss;
    expect(lf).toBeCloseTo(lm, 12);
    expect(lf).toBeGreaterThan(0);
  });

  it('runs under the shared gradient-descent stepper', () => {
    const p = factored(5, true, [6, 6]);
    const gd = new GradientDescent(undefined, { lambda: 0.1, eta: 0.05, iters: 50 }, new FactoredObjective(p, 0.1));
    gd.advance();
    expect(gd.m.length).toBe(36);
    expect(gd.lossHistory.at(-1)!).toBeLessThan(gd.lossHistory[0]);
    expect(Number.isNaN(gd.safeEta)).toBe(true);
  });
});

describe('compareAttentionFactored', () => {
  for (const biased of [false, true])
    it(`gives compareAttention's metrics through the merged weight (${biased ? 'with Q/K biases, X̃ = [X, 1]' : 'no biases'}, two sequences)`, () => {
      const p: FactoredProblem = {
        ...factored(21, true, [5, 4]),
        ...(biased ? { bq: randomMatrix(1, 3, 30).data, bk: randomMatrix(1, 3, 31).data } : {}),
      };
      // A pruned head: some entries of W_Q and W_K zeroed, the rest changed (as a refit does).
      const wq = randomMatrix(6, 3, 40, 0.7);
      const wk = randomMatrix(6, 3, 41, 0.7);
      for (let i = 0; i < 18; i += 3) (wq.data[i] = 0), (wk.data[i + 1] = 0);
      const merged = { X: withOnesColumn(p.X), W: augmentedMerged(p.Wq, p.Wk, p.bq, p.bk), causal: true, segments: p.segments };
      const want = compareAttention(merged, augmentedMerged(wq, wk, p.bq, p.bk));
      const got = compareAttentionFactored(p, wq, wk);
      expect(want.attentionError).toBeGreaterThan(0.01);
      for (const k of ['attentionError', 'attentionLoss', 'meanRowKL', 'meanRowTV'] as const)
        expect(Math.abs(got[k] - want[k]), k).toBeLessThan(1e-12 * Math.max(1, Math.abs(want[k])));
      // A wrong convention (W_Q and W_K swapped) is caught.
      expect(Math.abs(compareAttentionFactored(p, wk, wq).attentionError - want.attentionError)).toBeGreaterThan(1e-3);
    });
});
