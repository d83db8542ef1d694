import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../src/core/random.ts';
import { type Matrix, fromNested, identity, matmul, maxAbs, transpose, zeros } from '../../../src/core/matrix.ts';
import { cholesky, choleskyInverse, gram, solveSym, spectralNormSquared, upperCholesky } from '../../../src/core/linalg.ts';

function gaussian(rows: number, cols: number, seed: number): Matrix {
  const u = mulberry32(seed);
  const m = zeros(rows, cols);
  for (let i = 0; i < m.data.length; i++) m.data[i] = Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
  return m;
}
function sub(a: Matrix, b: Matrix): Matrix {
  const c = zeros(a.rows, a.cols);
  for (let i = 0; i < c.data.length; i++) c.data[i] = a.data[i] - b.data[i];
  return c;
}
/** Random SPD matrix BᵀB + 0.1·I. */
function randomSpd(n: number, seed: number): Matrix {
  const b = gaussian(n + 3, n, seed);
  const a = matmul(transpose(b), b);
  for (let i = 0; i < n; i++) a.data[i * n + i] += 0.1;
  return a;
}

describe('cholesky', () => {
  it('factors random SPD matrices: L lower, positive diagonal, L·Lᵀ = A to 1e-10', () => {
    for (const [n, seed] of [
      [1, 1],
      [2, 2],
      [5, 3],
      [17, 4],
      [40, 5],
      [64, 6],
    ]) {
      const a = randomSpd(n, seed);
      const l = cholesky(a);
      expect(l).not.toBeNull();
      const L = l as Matrix;
      for (let i = 0; i < n; i++) {
        expect(L.data[i * n + i]).toBeGreaterThan(0);
        for (let j = i + 1; j < n; j++) expect(L.data[i * n + j]).toBe(0);
      }
      expect(maxAbs(sub(matmul(L, transpose(L)), a)) / maxAbs(a)).toBeLessThan(1e-10);
    }
  });

  it('returns null for indefinite, negative, NaN and (with a tolerance) singular matrices', () => {
    expect(
      cholesky(
        fromNested([
          [1, 2],
          [2, 1],
        ]),
      ),
    ).toBeNull(); // eigenvalues 3 and −1
    expect(cholesky(fromNested([[-1]]))).toBeNull();
    expect(
      cholesky(
        fromNested([
          [1, 0],
          [0, 0],
        ]),
      ),
    ).toBeNull(); // zero pivot
    const nan = zeros(2, 2);
    nan.data.set([1, 0, 0, Number.NaN]);
    expect(cholesky(nan)).toBeNull();
    // XᵀX with n < d is singular; round-off may leave a tiny positive pivot, which relTol rejects.
    const g = gram(gaussian(3, 8, 11));
    expect(cholesky(g, 1e-10)).toBeNull();
    expect(() => cholesky(zeros(2, 3))).toThrow(/square/);
  });
});

describe('choleskyInverse, upperCholesky, solveSym', () => {
  it('inverts an SPD matrix through its factor (exactly symmetric)', () => {
    const a = randomSpd(20, 7);
    const inv = choleskyInverse(cholesky(a) as Matrix);
    expect(maxAbs(sub(matmul(a, inv), identity(20)))).toBeLessThan(1e-9);
    for (let i = 0; i < 20; i++) for (let j = 0; j < 20; j++) expect(inv.data[i * 20 + j]).toBe(inv.data[j * 20 + i]);
  });

  it('upper factor: U upper triangular and UᵀU = A', () => {
    const a = randomSpd(12, 8);
    const u = upperCholesky(a) as Matrix;
    for (let i = 0; i < 12; i++) for (let j = 0; j < i; j++) expect(u.data[i * 12 + j]).toBe(0);
    expect(maxAbs(sub(matmul(transpose(u), u), a)) / maxAbs(a)).toBeLessThan(1e-10);
    expect(
      upperCholesky(
        fromNested([
          [1, 2],
          [2, 1],
        ]),
      ),
    ).toBeNull();
  });

  it('solveSym solves A·Z = B for several right-hand sides', () => {
    const a = randomSpd(10, 9);
    const b = gaussian(10, 3, 10);
    const z = solveSym(a, b) as Matrix;
    expect(maxAbs(sub(matmul(a, z), b))).toBeLessThan(1e-9);
    expect(
      solveSym(
        fromNested([
          [1, 2],
          [2, 1],
        ]),
        fromNested([[1], [1]]),
      ),
    ).toBeNull();
  });
});

describe('gram', () => {
  it('equals Xᵀ·X and is exactly symmetric', () => {
    const x = gaussian(9, 6, 12);
    const g = gram(x);
    expect(maxAbs(sub(g, matmul(transpose(x), x)))).toBeLessThan(1e-12);
    for (let i = 0; i < 6; i++) for (let j = 0; j < 6; j++) expect(g.data[i * 6 + j]).toBe(g.data[j * 6 + i]);
  });
});

describe('spectralNormSquared', () => {
  it('matches closed forms: a diagonal X and a 2-column X', () => {
    expect(
      spectralNormSquared(
        fromNested([
          [1, 0, 0],
          [0, 3, 0],
          [0, 0, 2],
        ]),
      ),
    ).toBeCloseTo(9, 12);
    const x = gaussian(7, 2, 13);
    const g = gram(x).data;
    const [a, b, c] = [g[0], g[1], g[3]];
    const exact = (a + c) / 2 + Math.sqrt(((a - c) / 2) ** 2 + b * b);
    expect(Math.abs(spectralNormSquared(x) - exact) / exact).toBeLessThan(1e-12);
    expect(spectralNormSquared(zeros(4, 3))).toBe(0);
  });

  it('brackets λ_max(XᵀX) to 1e-9: λ(1+1e-9)·I − XᵀX is PD, λ(1−1e-9)·I − XᵀX is not', () => {
    for (const [n, d, seed] of [
      [30, 10, 14],
      [5, 12, 15],
      [64, 32, 16],
    ]) {
      const x = gaussian(n, d, seed);
      const lam = spectralNormSquared(x);
      const g = gram(x);
      const shifted = (s: number): Matrix => {
        const m = zeros(d, d);
        for (let i = 0; i < m.data.length; i++) m.data[i] = -g.data[i];
        for (let i = 0; i < d; i++) m.data[i * d + i] += s;
        return m;
      };
      expect(cholesky(shifted(lam * (1 + 1e-9)))).not.toBeNull();
      expect(cholesky(shifted(lam * (1 - 1e-9)))).toBeNull();
    }
  });

  it('handles equal and nearly equal top eigenvalues (error below the gap, never above λ_max)', () => {
    expect(
      Math.abs(
        spectralNormSquared(
          fromNested([
            [1, 0, 0],
            [0, 1, 0],
            [0, 0, 0.5],
          ]),
        ) - 1,
      ),
    ).toBeLessThan(1e-12);
    // λ₁ = 1, λ₂ = (1 − 1e-7)² ≈ 1 − 2e-7: power iteration is slow here, but ρ stays within the gap.
    const rho = spectralNormSquared(
      fromNested([
        [1, 0, 0],
        [0, 1 - 1e-7, 0],
        [0, 0, 0.5],
      ]),
    );
    expect(rho).toBeLessThanOrEqual(1 + 1e-15);
    expect(1 - rho).toBeLessThan(2e-7);
  });
});
