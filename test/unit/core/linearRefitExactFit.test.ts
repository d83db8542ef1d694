/**
 * The linear refit where it fits exactly: with fewer calibration rows than kept inputs in a
 * column, least squares reproduces X W_{:,j} exactly, so the linear error after the refit is
 * 0 up to round-off. It used to be computed from the Gram form dᵀ(XᵀX)d, which round-off can
 * make negative: its square root was NaN and `solve --refit linear` exited 2 ("not finite").
 */
import { describe, expect, it } from 'vitest';
import { linearError, linearErrorOfLayers, linearRefit } from '../../../src/core/linearObjective.ts';
import { magnitudePrune } from '../../../src/core/baselines/magnitude.ts';
import { gaussian, mulberry32 } from '../../../src/core/random.ts';
import type { Matrix } from '../../../src/core/matrix.ts';
import { cliInProcess } from '../../helpers/cli.ts';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function gaussianMatrix(rows: number, cols: number, seed: number): Matrix {
  const g = gaussian(mulberry32(seed));
  return { rows, cols, data: Float64Array.from({ length: rows * cols }, () => g()) };
}

/** ‖X(W′ − W)‖ / ‖XW‖ written out entry by entry. */
function directError(X: Matrix, W: Matrix, w: Matrix): number {
  let num = 0;
  let den = 0;
  for (let r = 0; r < X.rows; r++)
    for (let j = 0; j < W.cols; j++) {
      let e = 0;
      let y = 0;
      for (let i = 0; i < W.rows; i++) {
        e += X.data[r * X.cols + i] * (w.data[i * W.cols + j] - W.data[i * W.cols + j]);
        y += X.data[r * X.cols + i] * W.data[i * W.cols + j];
      }
      num += e * e;
      den += y * y;
    }
  return Math.sqrt(num / den);
}

describe('linear refit with fewer calibration rows than kept inputs (an exact fit)', () => {
  for (const seed of [1, 2, 3, 4, 5, 6]) {
    it(`seed ${seed}: the error after is finite, about 0, and the direct one`, () => {
      const X = gaussianMatrix(4, 16, seed);
      const W = gaussianMatrix(16, 16, seed + 100);
      const { mask } = magnitudePrune({ X, W, causal: false }, { sparsity: 0.3, granularity: { kind: 'unstructured' } });
      const r = linearRefit(X, W, mask);
      expect(Number.isFinite(r.after)).toBe(true);
      expect(r.after).toBeGreaterThanOrEqual(0);
      expect(r.after).toBeLessThan(1e-10);
      expect(Math.abs(r.after - directError(X, W, r.wPruned))).toBeLessThan(1e-13);
      expect(r.before).toBeGreaterThan(0.01);
    });
  }

  it('solve --refit linear prints it instead of exiting 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'exact-fit-'));
    const file = join(dir, 'p.json');
    const X = gaussianMatrix(4, 16, 1);
    const W = gaussianMatrix(16, 16, 101);
    const nested = (m: Matrix) => Array.from({ length: m.rows }, (_, i) => Array.from(m.data.subarray(i * m.cols, (i + 1) * m.cols)));
    writeFileSync(file, JSON.stringify({ X: nested(X), W: nested(W) }));
    const r = await cliInProcess('solve', '--problem', file, '--method', 'magnitude', '--sparsity', '0.3', '--refit', 'linear');
    expect(r.stderr).not.toMatch(/error/);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.linear_refit.linear_error_after).toBeLessThan(1e-10);
  });
});

describe('the linear error over several layers (a factored head)', () => {
  it('is √(Σ‖X(W′ − W)‖² / Σ‖XW‖²) of the layers, and one layer is linearError', () => {
    const X = gaussianMatrix(6, 5, 7);
    const a = { W: gaussianMatrix(5, 3, 8), wPruned: gaussianMatrix(5, 3, 9) };
    const b = { W: gaussianMatrix(5, 3, 10), wPruned: gaussianMatrix(5, 3, 11) };
    const ea = directError(X, a.W, a.wPruned);
    const eb = directError(X, b.W, b.wPruned);
    const na = frob2(X, a.W);
    const nb = frob2(X, b.W);
    const expected = Math.sqrt((ea * ea * na + eb * eb * nb) / (na + nb));
    expect(linearErrorOfLayers(X, [a, b])).toBeCloseTo(expected, 12);
    expect(linearError(X, a.W, a.wPruned)).toBeCloseTo(ea, 12);
  });
});

/** ‖XW‖². */
function frob2(X: Matrix, W: Matrix): number {
  let s = 0;
  for (let r = 0; r < X.rows; r++)
    for (let j = 0; j < W.cols; j++) {
      let y = 0;
      for (let i = 0; i < W.rows; i++) y += X.data[r * X.cols + i] * W.data[i * W.cols + j];
      s += y * y;
    }
  return s;
}
