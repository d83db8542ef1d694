import { describe, expect, it } from 'vitest';
import { GradientDescent, StepSearchError, gradientDescentPrune, observedLinearRate } from '../../../src/core/gd.ts';
import { FactoredObjective } from '../../../src/core/factored.ts';
import { createObjective } from '../../../src/core/objectiveFactory.ts';
import { binariseFactored, binariseMerged, relaxedScores } from '../../../src/core/binarise.ts';
import { countPruned, maskFromScores } from '../../../src/core/mask.ts';
import { gaussian, mulberry32 } from '../../../src/core/random.ts';
import type { Matrix } from '../../../src/core/matrix.ts';
import { problem } from '../../helpers/problems.ts';

const U = { kind: 'unstructured' } as const;

function gaussianMatrix(rows: number, cols: number, std: number, seed: number): Matrix {
  const g = gaussian(mulberry32(seed));
  return { rows, cols, data: Float64Array.from({ length: rows * cols }, () => std * g()) };
}

describe('Armijo step rule', () => {
  for (const causal of [false, true]) {
    it(`never raises L, merged, over 12 seeds (causal=${causal}), even from an η far above 1/β`, () => {
      for (let seed = 1; seed <= 12; seed++) {
        const p = { ...problem(20, 6, seed, causal, 3), segments: [8, 12] };
        const gd = new GradientDescent(p, { step: 'armijo', eta: 50, iters: 60, lambda: 0.05 });
        gd.advance();
        const h = gd.lossHistory;
        for (let t = 1; t < h.length; t++) expect(h[t]).toBeLessThanOrEqual(h[t - 1]);
        const r = gd.convergenceReport();
        expect(r.stepsRaisedL).toBe(0);
        expect(r.acceptedSteps).toHaveLength(gd.iteration);
        expect(r.evaluations).toBeGreaterThanOrEqual(gd.iteration + 1);
        expect(h[h.length - 1]).toBeLessThan(h[0]);
      }
    });

    it(`never raises L, factored, over 10 seeds (causal=${causal})`, () => {
      for (let seed = 1; seed <= 10; seed++) {
        const X = gaussianMatrix(16, 8, 1, 100 + seed);
        const fp = { X, Wq: gaussianMatrix(8, 4, 1.2, 200 + seed), Wk: gaussianMatrix(8, 4, 1.2, 300 + seed), causal, segments: [6, 10] };
        const gd = new GradientDescent(undefined, { step: 'armijo', eta: 10, iters: 40, lambda: 0.05 }, new FactoredObjective(fp, 0.05));
        gd.advance();
        const h = gd.lossHistory;
        for (let t = 1; t < h.length; t++) expect(h[t]).toBeLessThanOrEqual(h[t - 1]);
        expect(gd.convergenceReport().stepsRaisedL).toBe(0);
        expect(Number.isNaN(gd.convergenceReport().plRate)).toBe(true); // no β for the factored objective
      }
    });
  }

  it('the fixed rule is unchanged by the new options and counts its rising steps', () => {
    const p = problem(24, 6, 1, false, 3);
    const a = new GradientDescent(p, { eta: 0.05, iters: 50, step: 'fixed' });
    a.advance();
    // Armijo's own options must not touch a fixed-step run.
    const b = new GradientDescent(p, { eta: 0.05, iters: 50, step: 'fixed', armijoC: 0.3, armijoGrowth: 3, gradTolerance: 1 });
    b.advance();
    expect(b.lossHistory).toEqual(a.lossHistory);
    const r = a.convergenceReport();
    let raised = 0;
    for (let t = 1; t < a.lossHistory.length; t++) if (a.lossHistory[t] > a.lossHistory[t - 1]) raised++;
    expect(r.stepsRaisedL).toBe(raised);
    expect(r.acceptedSteps.every((s) => s === 0.05)).toBe(true);
    expect(r.evaluations).toBe(51);
  });

  it('slices give the same armijo run as one call', () => {
    const p = problem(16, 5, 4, true, 2);
    const a = new GradientDescent(p, { step: 'armijo', iters: 33 });
    a.advance();
    const b = new GradientDescent(p, { step: 'armijo', iters: 33 });
    while (b.status === 'running') b.advance(4);
    expect(b.lossHistory).toEqual(a.lossHistory);
    expect(b.acceptedSteps).toEqual(a.acceptedSteps);
  });

  it('stops on the relative tolerance and on the gradient norm', () => {
    const p = problem(16, 5, 2, false, 2);
    const a = new GradientDescent(p, { step: 'armijo', iters: 5000, tolerance: 1e-6 });
    a.advance();
    expect(a.status).toBe('converged');
    expect(a.iteration).toBeLessThan(5000);
    const b = new GradientDescent(p, { step: 'armijo', iters: 5000, gradTolerance: 1e-3 });
    b.advance();
    expect(b.status).toBe('converged');
  });

  it('a search that gives up above 1/β is a failure (StepSearchError), not a silent convergence (issue 20)', () => {
    const p = problem(16, 5, 3);
    const gd = new GradientDescent(p, { step: 'armijo', iters: 10, eta: 1e308 });
    expect(() => gd.advance()).toThrow(StepSearchError);
    expect(gd.status).toBe('diverged');
    expect(gd.stopReason).toBe('the step search gave up');
    // From a sane η the same search always finds a step, and says why the run stopped.
    const ok = new GradientDescent(p, { step: 'armijo', iters: 10 });
    ok.advance();
    expect(ok.convergenceReport().stopReason).toBe('ran all 10 iterations');
    const zero = new GradientDescent(p, { step: 'armijo', iters: 10, lambda: 0 });
    zero.advance();
    expect(zero.convergenceReport().stopReason).toMatch(/gradient is zero at iteration 0/);
  });

  it('frozen entries stay exactly 0', () => {
    const p = problem(16, 4, 3);
    const frozen = new Uint8Array(16);
    frozen[3] = frozen[7] = 1;
    const gd = new GradientDescent(p, { step: 'armijo', iters: 20 }, createObjective(p, 0.1), { frozen });
    gd.advance();
    expect(gd.m[3]).toBe(0);
    expect(gd.m[7]).toBe(0);
  });

  it('observed rate: a geometric sequence gives its ratio', () => {
    const h = Array.from({ length: 40 }, (_, t) => 1 + 0.5 ** t);
    const { rate } = observedLinearRate(h);
    expect(rate).toBeGreaterThan(0.49);
    expect(rate).toBeLessThan(0.51);
  });
});

describe('binarisation scores', () => {
  it('relaxed equals maskFromScores(M_T); magnitude-weighted ranks |M∘W|; counts are exact', () => {
    const p = problem(20, 6, 5, true, 2);
    for (const score of ['relaxed', 'magnitude-weighted', 'wanda-weighted'] as const) {
      const r = gradientDescentPrune(p, 0.5, U, { step: 'armijo', iters: 30, score });
      expect(countPruned(r.mask)).toBe(18);
      expect(r.convergenceReport.stepsRaisedL).toBe(0);
      expect(Array.from(binariseMerged(r.relaxed, p, 0.5, U, score).data)).toEqual(Array.from(r.mask.data));
    }
    const r = gradientDescentPrune(p, 0.5, U, { iters: 30, score: 'relaxed' });
    expect(Array.from(r.mask.data)).toEqual(Array.from(maskFromScores(r.relaxed, 0.5, U).data));
    const mw = relaxedScores(r.relaxed, p.W, 'magnitude-weighted');
    for (let i = 0; i < 36; i++) expect(mw.data[i]).toBeCloseTo(Math.abs(r.relaxed.data[i] * p.W.data[i]), 15);
  });

  it('factored masks are binarised matrix by matrix (N:M too)', () => {
    const X = gaussianMatrix(12, 8, 1, 9);
    const fp = { X, Wq: gaussianMatrix(8, 4, 1, 10), Wk: gaussianMatrix(8, 4, 1, 11) };
    const m = Float64Array.from({ length: 64 }, (_, i) => Math.cos(i));
    for (const score of ['relaxed', 'magnitude-weighted', 'wanda-weighted'] as const) {
      const { maskQ, maskK } = binariseFactored(m, fp, 0.5, U, score);
      expect(countPruned(maskQ)).toBe(16);
      expect(countPruned(maskK)).toBe(16);
      const nm = binariseFactored(m, fp, 0.5, { kind: 'nm', n: 2, m: 4 }, score);
      for (const mk of [nm.maskQ, nm.maskK])
        for (let j = 0; j < 4; j++)
          for (let g = 0; g < 8; g += 4) {
            let pruned = 0;
            for (let t = 0; t < 4; t++) if (mk.data[(g + t) * 4 + j] === 0) pruned++;
            expect(pruned).toBe(2);
          }
    }
  });
});
