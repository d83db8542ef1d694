import { describe, expect, it } from 'vitest';
import { WeightSpaceObjective } from '../../../src/core/weightObjective.ts';
import { attentionSwapSearch, factoredSwapSearch } from '../../../src/core/swapSearch.ts';
import { attentionReconstruct, factoredReconstruct } from '../../../src/core/reconstruct.ts';
import { factoredGradualPrune, gradualPrune } from '../../../src/core/gradual.ts';
import { compareAttention } from '../../../src/core/attention.ts';
import { countPruned, type Granularity } from '../../../src/core/mask.ts';
import { magnitudePrune } from '../../../src/core/baselines/magnitude.ts';
import { sparseGptPrune } from '../../../src/core/baselines/sparsegpt.ts';
import { gaussian, mulberry32 } from '../../../src/core/random.ts';
import type { Matrix } from '../../../src/core/matrix.ts';
import { finiteDifferenceGradient, problem, relativeError } from '../../helpers/problems.ts';

const U = { kind: 'unstructured' } as const;
const NM: Granularity = { kind: 'nm', n: 2, m: 4 };

function gaussianMatrix(rows: number, cols: number, std: number, seed: number): Matrix {
  const g = gaussian(mulberry32(seed));
  return { rows, cols, data: Float64Array.from({ length: rows * cols }, () => std * g()) };
}

function nmOk(mask: Matrix, n: number, m: number): boolean {
  for (let j = 0; j < mask.cols; j++)
    for (let g = 0; g < mask.rows; g += m) {
      let pruned = 0;
      for (let t = 0; t < m; t++) if (mask.data[(g + t) * mask.cols + j] === 0) pruned++;
      if (pruned !== n) return false;
    }
  return true;
}

const merged = (seed: number, causal = true) => ({ ...problem(24, 8, seed, causal, 3), segments: [10, 14] });
const factored = (seed: number) => ({
  X: gaussianMatrix(24, 8, 1, seed),
  Wq: gaussianMatrix(8, 4, 1.3, seed + 1),
  Wk: gaussianMatrix(8, 4, 1.3, seed + 2),
  causal: true,
  segments: [10, 14],
});

describe('weight-space gradient G = XᵀPX', () => {
  for (const kernel of ['js-f64', 'wasm-simd-f64'] as const) {
    for (const causal of [false, true]) {
      it(`matches central finite differences (${kernel}, causal=${causal})`, () => {
        const p = merged(3, causal);
        const obj = new WeightSpaceObjective(p, kernel);
        const w = Float64Array.from(p.W.data, (v, i) => v * (0.6 + 0.05 * (i % 7)));
        const g = new Float64Array(w.length);
        obj.evaluate(w, g);
        expect(relativeError(g, finiteDifferenceGradient(obj, w, 1e-5))).toBeLessThan(1e-6);
        // and its loss is the attention loss of compareAttention
        expect(obj.evaluate(w).attentionLoss).toBeCloseTo(compareAttention(p, { rows: 8, cols: 8, data: w }).attentionLoss, 12);
        expect(obj.evaluate(p.W.data).attentionLoss).toBeLessThan(1e-24); // the dense weight reproduces F₀ (to rounding)
      });
    }
  }
});

describe('swap search', () => {
  for (const g of [U, NM]) {
    it(`never accepts a worse mask and keeps the count (${g.kind})`, () => {
      for (let seed = 1; seed <= 4; seed++) {
        const p = merged(seed);
        const r = attentionSwapSearch(p, { sparsity: 0.5, granularity: g }, { maxEvaluations: 80 });
        const h = r.trace.lossHistory;
        for (let t = 1; t < h.length; t++) expect(h[t]).toBeLessThan(h[t - 1]);
        expect(countPruned(r.mask)).toBe(32);
        if (g.kind === 'nm') expect(nmOk(r.mask, 2, 4)).toBe(true);
        expect(r.trace.evaluations).toBeLessThanOrEqual(80);
        expect(compareAttention(p, r.wPruned).attentionLoss).toBeCloseTo(h[h.length - 1], 10);
        // no worse than magnitude (one of its candidate starts)
        expect(h[h.length - 1]).toBeLessThanOrEqual(compareAttention(p, magnitudePrune(p, { sparsity: 0.5, granularity: g }).wPruned).attentionLoss + 1e-12);
      }
    });
  }

  it('prunes exactly ⌊p·d²⌋ where Wanda alone would not (p·d not an integer) and is deterministic', () => {
    const p = merged(7);
    const a = attentionSwapSearch(p, { sparsity: 0.3, granularity: U }, { start: 'wanda', maxEvaluations: 40 });
    expect(countPruned(a.mask)).toBe(Math.floor(0.3 * 64));
    const b = attentionSwapSearch(p, { sparsity: 0.3, granularity: U }, { start: 'wanda', maxEvaluations: 40 });
    expect(Array.from(b.mask.data)).toEqual(Array.from(a.mask.data));
  });

  it('factored: monotone, exact counts per matrix', () => {
    const fp = factored(11);
    const r = factoredSwapSearch(fp, { sparsity: 0.5, granularity: U }, { maxEvaluations: 60 });
    const h = r.trace.lossHistory;
    for (let t = 1; t < h.length; t++) expect(h[t]).toBeLessThan(h[t - 1]);
    expect(countPruned(r.maskQ)).toBe(16);
    expect(countPruned(r.maskK)).toBe(16);
    const n = factoredSwapSearch(fp, { sparsity: 0.5, granularity: NM }, { maxEvaluations: 60 });
    expect(nmOk(n.maskQ, 2, 4) && nmOk(n.maskK, 2, 4)).toBe(true);
  });
});

describe('reconstruction', () => {
  it('keeps the support exactly and lowers the calibration loss (merged, from magnitude and SparseGPT)', () => {
    const p = merged(5);
    const held = { X: gaussianMatrix(24, 8, 1, 55), segments: [12, 12] };
    const mag = magnitudePrune(p, { sparsity: 0.5, granularity: U });
    const sg = sparseGptPrune(p, { sparsity: 0.5, granularity: U });
    for (const [mask, init] of [
      [mag.mask, undefined],
      [sg.mask, sg.wPruned],
    ] as const) {
      const r = attentionReconstruct(p, mask, { iters: 60, init });
      for (let i = 0; i < 64; i++) if (mask.data[i] === 0) expect(r.wPruned.data[i]).toBe(0);
      expect(r.report.calibrationAfter).toBeLessThan(r.report.calibrationBefore);
      expect(r.report.stepsRaisedL).toBe(0);
      expect(compareAttention(p, r.wPruned).attentionError).toBeCloseTo(r.report.calibrationAfter, 10);
      // With a held-out set the returned weight is the best held-out one: never worse than the start there.
      const h = attentionReconstruct(p, mask, { iters: 60, heldOut: held, init, checkEvery: 2 });
      expect(h.report.heldOutAfter).toBeLessThanOrEqual(h.report.heldOutBefore);
      expect(h.report.calibrationAfter).toBeLessThanOrEqual(h.report.calibrationBefore);
      for (let i = 0; i < 64; i++) if (mask.data[i] === 0) expect(h.wPruned.data[i]).toBe(0);
    }
  });

  it('factored: support kept, calibration loss lowered', () => {
    const fp = factored(21);
    const q = magnitudePrune({ X: fp.X, W: fp.Wq, causal: true }, { sparsity: 0.5, granularity: U });
    const k = magnitudePrune({ X: fp.X, W: fp.Wk, causal: true }, { sparsity: 0.5, granularity: U });
    const r = factoredReconstruct(fp, { maskQ: q.mask, maskK: k.mask }, { iters: 40 });
    for (let i = 0; i < 32; i++) {
      if (q.mask.data[i] === 0) expect(r.wq.data[i]).toBe(0);
      if (k.mask.data[i] === 0) expect(r.wk.data[i]).toBe(0);
    }
    expect(r.report.calibrationAfter).toBeLessThan(r.report.calibrationBefore);
  });
});

describe('gradual pruning', () => {
  for (const g of [U, NM]) {
    it(`prunes exactly the target (${g.kind}), merged and factored, every descent step a descent step`, () => {
      const p = merged(9);
      const r = gradualPrune(p, { sparsity: 0.7, granularity: g }, { stages: 3, itersPerStage: 15 });
      expect(countPruned(r.mask)).toBe(g.kind === 'nm' ? 32 : Math.floor(0.7 * 64));
      if (g.kind === 'nm') expect(nmOk(r.mask, 2, 4)).toBe(true);
      expect(r.trace.stages).toHaveLength(3);
      expect(r.trace.stages.every((s) => s.stepsRaisedL === 0)).toBe(true);
      const counts = r.trace.stages.map((s) => s.pruned);
      for (let t = 1; t < counts.length; t++) expect(counts[t]).toBeGreaterThanOrEqual(counts[t - 1]);
      const fp = factored(12);
      const f = factoredGradualPrune(fp, { sparsity: 0.7, granularity: g }, { stages: 3, itersPerStage: 10 });
      const each = g.kind === 'nm' ? 16 : Math.floor(0.7 * 32);
      expect(countPruned(f.maskQ)).toBe(each);
      expect(countPruned(f.maskK)).toBe(each);
    });
  }
});
