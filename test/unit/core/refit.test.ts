/**
 * The fair fight's pieces (SPEC §9): the refit as a stage after every mask method, the
 * linear swap search (the attention swap search's twin), the random mask (chance) and RIA.
 */
import { describe, expect, it } from 'vitest';
import { PRUNING_METHOD_IDS, REFIT_IDS } from '../../../src/core/methods.ts';
import { runFactored, runMerged } from '../../../src/core/methodRunners.ts';
import { LinearMaskObjective, linearError, linearRefit } from '../../../src/core/linearObjective.ts';
import { attentionSwapSearch, factoredSwapSearch } from '../../../src/core/swapSearch.ts';
import { randomPrune } from '../../../src/core/baselines/random.ts';
import { riaPrune, riaScores } from '../../../src/core/baselines/ria.ts';
import { countPruned, type Granularity } from '../../../src/core/mask.ts';
import { gaussian, mulberry32 } from '../../../src/core/random.ts';
import type { Matrix } from '../../../src/core/matrix.ts';
import { problem } from '../../helpers/problems.ts';

const U = { kind: 'unstructured' } as const;
const NM: Granularity = { kind: 'nm', n: 2, m: 4 };

function gaussianMatrix(rows: number, cols: number, std: number, seed: number): Matrix {
  const g = gaussian(mulberry32(seed));
  return { rows, cols, data: Float64Array.from({ length: rows * cols }, () => std * g()) };
}

const merged = (seed: number) => ({ ...problem(24, 8, seed, true, 3), segments: [8, 8, 8] });
const factored = (seed: number) => ({
  X: gaussianMatrix(24, 8, 1, seed),
  Wq: gaussianMatrix(8, 4, 1.3, seed + 1),
  Wk: gaussianMatrix(8, 4, 1.3, seed + 2),
  causal: true,
  segments: [8, 8, 8],
});

/** Least squares by Gaussian elimination with partial pivoting on X_Sᵀ X_S w = X_Sᵀ y: independent of the code's Cholesky. */
function directLeastSquares(X: Matrix, S: number[], y: Float64Array): Float64Array {
  const k = S.length;
  const a = Array.from({ length: k }, (_, r) => {
    const row = new Float64Array(k + 1);
    for (let c = 0; c < k; c++) for (let t = 0; t < X.rows; t++) row[c] += X.data[t * X.cols + S[r]] * X.data[t * X.cols + S[c]];
    for (let t = 0; t < X.rows; t++) row[k] += X.data[t * X.cols + S[r]] * y[t];
    return row;
  });
  for (let c = 0; c < k; c++) {
    let p = c;
    for (let r = c + 1; r < k; r++) if (Math.abs(a[r][c]) > Math.abs(a[p][c])) p = r;
    [a[c], a[p]] = [a[p], a[c]];
    for (let r = c + 1; r < k; r++) {
      const f = a[r][c] / a[c][c];
      for (let t = c; t <= k; t++) a[r][t] -= f * a[c][t];
    }
  }
  const x = new Float64Array(k);
  for (let r = k - 1; r >= 0; r--) {
    let s = a[r][k];
    for (let t = r + 1; t < k; t++) s -= a[r][t] * x[t];
    x[r] = s / a[r][r];
  }
  return x;
}

describe('the refit stage', () => {
  it('keeps every mask method’s support exactly, with each refit, merged and factored', () => {
    const p = merged(3);
    const fp = factored(5);
    for (const method of PRUNING_METHOD_IDS) {
      for (const refit of REFIT_IDS) {
        const o = {
          sparsity: 0.5,
          granularity: U,
          refit,
          holdOut: 1,
          budgets: { swapEvaluations: 20, reconstructIters: 10, gradualStages: 2, gradualIters: 5 },
        };
        const r = runMerged(p, method, o);
        const base = runMerged(p, method, { ...o, refit: 'none' });
        expect(r.mask.data, `${method} ${refit}`).toEqual(base.mask.data);
        for (let i = 0; i < r.mask.data.length; i++) if (r.mask.data[i] === 0) expect(r.wPruned.data[i]).toBe(0);
        expect(r.refit).toBe(refit);
        const f = runFactored(fp, method, o);
        for (let i = 0; i < f.maskQ.data.length; i++) {
          if (f.maskQ.data[i] === 0) expect(f.wq.data[i], `${method} ${refit} W_Q`).toBe(0);
          if (f.maskK.data[i] === 0) expect(f.wk.data[i], `${method} ${refit} W_K`).toBe(0);
        }
      }
    }
  });

  it('linear: equals a direct least-squares solve column by column (1e-9) and lowers the calibration linear error', () => {
    for (const seed of [1, 2, 3]) {
      const p = merged(seed);
      for (const method of ['magnitude', 'wanda', 'sparsegpt', 'swap'] as const) {
        const start = runMerged(p, method, { sparsity: 0.6, granularity: U });
        const r = linearRefit(p.X, p.W, start.mask, start.wPruned);
        const d = p.W.rows;
        let worst = 0;
        let scale = 0;
        for (let j = 0; j < d; j++) {
          const S = [...Array(d).keys()].filter((i) => start.mask.data[i * d + j] !== 0);
          if (S.length === 0) continue;
          const y = new Float64Array(p.X.rows);
          for (let t = 0; t < p.X.rows; t++) for (let i = 0; i < d; i++) y[t] += p.X.data[t * d + i] * p.W.data[i * d + j];
          const x = directLeastSquares(p.X, S, y);
          S.forEach((i, a) => {
            worst = Math.max(worst, Math.abs(x[a] - r.wPruned.data[i * d + j]));
            scale = Math.max(scale, Math.abs(x[a]));
          });
        }
        expect(worst / scale, `${method} seed ${seed}`).toBeLessThan(1e-9);
        expect(r.after).toBeLessThanOrEqual(r.before + 1e-12);
        expect(r.after).toBeCloseTo(linearError(p.X, p.W, r.wPruned), 12);
        // SparseGPT's own update is an approximation of this very solve: the refit cannot be worse.
        if (method !== 'sparsegpt') expect(r.after).toBeLessThan(r.before);
      }
    }
  });

  it('attention: lowers the attention error on the calibration rows it fits', () => {
    const p = merged(4);
    const none = runMerged(p, 'wanda', { sparsity: 0.6, granularity: U });
    const att = runMerged(p, 'wanda', { sparsity: 0.6, granularity: U, refit: 'attention' });
    expect(att.reconstruction!.calibrationAfter).toBeLessThan(att.reconstruction!.calibrationBefore);
    expect(att.compute.refitEvaluations).toBeGreaterThan(0);
    expect(none.compute.refitEvaluations).toBe(0);
  });

  it('reports compute: evaluations of the searches, none for one-shot baselines', () => {
    const p = merged(6);
    const o = { sparsity: 0.5, granularity: U };
    expect(runMerged(p, 'wanda', o).compute.maskEvaluations).toBe(0);
    expect(runMerged(p, 'random', o).compute.maskEvaluations).toBe(0);
    const s = runMerged(p, 'swap', o);
    expect(s.compute.maskEvaluations).toBe(s.search!.evaluations);
    const g = runMerged(p, 'gd', o);
    expect(g.compute.maskEvaluations).toBe(g.convergence!.evaluations);
    expect(g.compute.timeMs).toBeGreaterThan(0);
  });
});

describe('the linear swap search (the attention swap search’s twin)', () => {
  it('its gradient ∂L_lin/∂B matches central finite differences', () => {
    const p = merged(8);
    const obj = new LinearMaskObjective(p.X, [{ W: p.W, offset: 0 }]);
    const b = Float64Array.from({ length: 64 }, (_, i) => 0.3 + ((i * 7) % 11) / 11);
    const g = new Float64Array(64);
    obj.evaluate(b, g);
    const h = 1e-5;
    for (const i of [0, 9, 31, 63]) {
      const bp = Float64Array.from(b);
      const bm = Float64Array.from(b);
      bp[i] += h;
      bm[i] -= h;
      const fd = (obj.evaluate(bp).loss - obj.evaluate(bm).loss) / (2 * h);
      expect(Math.abs(fd - g[i])).toBeLessThan(1e-6 * Math.max(1, Math.abs(g[i])));
    }
  });

  it('never accepts a swap that raises the linear objective, and keeps the count (merged, factored, N:M)', () => {
    for (const seed of [1, 2, 3, 4]) {
      const p = merged(seed);
      for (const granularity of [U, NM]) {
        const r = attentionSwapSearch(p, { sparsity: 0.5, granularity }, { objective: 'linear', maxEvaluations: 60 });
        const h = r.trace.lossHistory;
        for (let t = 1; t < h.length; t++) expect(h[t]).toBeLessThan(h[t - 1]);
        const obj = new LinearMaskObjective(p.X, [{ W: p.W, offset: 0 }]);
        expect(obj.evaluate(r.mask.data).loss).toBeCloseTo(h[h.length - 1], 10);
        expect(countPruned(r.mask)).toBe(32);
        expect(r.notes[0]).toMatch(/linear swap search/);
      }
      const f = factoredSwapSearch(factored(seed), { sparsity: 0.5, granularity: U }, { objective: 'linear', maxEvaluations: 40 });
      for (let t = 1; t < f.trace.lossHistory.length; t++) expect(f.trace.lossHistory[t]).toBeLessThan(f.trace.lossHistory[t - 1]);
      expect(countPruned(f.maskQ)).toBe(16);
      expect(countPruned(f.maskK)).toBe(16);
    }
  });

  it('starts from the best baseline by its own objective: it is never worse than any baseline on the linear error', () => {
    const p = merged(11);
    const swapLin = runMerged(p, 'swap-linear', { sparsity: 0.7, granularity: U });
    const obj = new LinearMaskObjective(p.X, [{ W: p.W, offset: 0 }]);
    const mine = obj.evaluate(swapLin.mask.data).loss;
    for (const b of ['magnitude', 'ria'] as const)
      expect(mine).toBeLessThanOrEqual(obj.evaluate(runMerged(p, b, { sparsity: 0.7, granularity: U }).mask.data).loss);
  });
});

describe('the random mask (chance)', () => {
  it('prunes exactly k (or N of every M) and is seeded', () => {
    const p = merged(2);
    const a = randomPrune(p, { sparsity: 0.3, granularity: U, seed: 4 });
    const b = randomPrune(p, { sparsity: 0.3, granularity: U, seed: 4 });
    const c = randomPrune(p, { sparsity: 0.3, granularity: U, seed: 5 });
    expect(countPruned(a.mask)).toBe(Math.floor(0.3 * 64));
    expect(a.mask.data).toEqual(b.mask.data);
    expect(a.mask.data).not.toEqual(c.mask.data);
    const nm = randomPrune(p, { sparsity: 0, granularity: NM, seed: 4 });
    for (let j = 0; j < 8; j++)
      for (let g = 0; g < 8; g += 4) {
        let pruned = 0;
        for (let t = 0; t < 4; t++) if (nm.mask.data[(g + t) * 8 + j] === 0) pruned++;
        expect(pruned).toBe(2);
      }
  });
});

describe('RIA', () => {
  it('scores a hand-computed case', () => {
    // W (2 inputs × 2 outputs) and X with column norms 3 and 4 (X rows (3,0), (0,4)).
    const X = { rows: 2, cols: 2, data: Float64Array.from([3, 0, 0, 4]) };
    const W = { rows: 2, cols: 2, data: Float64Array.from([1, -3, 2, 2]) };
    const s = riaScores({ X, W, causal: false });
    // Row sums (per input): 4, 4; column sums (per output): 3, 5.
    const expected = [(1 / 4 + 1 / 3) * Math.sqrt(3), (3 / 4 + 3 / 5) * Math.sqrt(3), (2 / 4 + 2 / 3) * 2, (2 / 4 + 2 / 5) * 2];
    expected.forEach((e, i) => expect(s.data[i]).toBeCloseTo(e, 14));
    // Pruning one entry removes the lowest score: entry 0 (0.334·1.732 = 1.010).
    const r = riaPrune({ X, W, causal: false }, { sparsity: 0.25, granularity: U });
    expect(Array.from(r.mask.data)).toEqual([0, 1, 1, 1]);
  });
});
