import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../src/core/random.ts';
import { type Matrix, fromNested, frobeniusNorm, matmul, toNested, zeros } from '../../../src/core/matrix.ts';
import { countPruned, prunedCount, type Granularity } from '../../../src/core/mask.ts';
import type { Problem, PruneOptions, PruneResult } from '../../../src/core/problem.ts';
import { magnitudePrune } from '../../../src/core/baselines/magnitude.ts';
import { wandaPrune, wandaScores } from '../../../src/core/baselines/wanda.ts';
import { sparseGptPrune } from '../../../src/core/baselines/sparsegpt.ts';

// ---------- helpers ----------

/** X (n×din) with unequal feature scales, so that Wanda's scores differ from magnitude's; W (din×dout). */
function randomProblem(n: number, din: number, seed: number, dout = din): Problem {
  const u = mulberry32(seed);
  const g = (): number => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
  const X = zeros(n, din);
  const scale = Array.from({ length: din }, () => Math.exp(0.7 * g()));
  for (let r = 0; r < n; r++) for (let i = 0; i < din; i++) X.data[r * din + i] = g() * scale[i];
  const W = zeros(din, dout);
  for (let i = 0; i < W.data.length; i++) W.data[i] = g();
  return { X, W, causal: false };
}

const unstructured = (sparsity: number): PruneOptions => ({ sparsity, granularity: { kind: 'unstructured' } });
const nm = (n: number, m: number): PruneOptions => ({ sparsity: n / m, granularity: { kind: 'nm', n, m } as Granularity });

/** ‖XW − XW'‖_F: the linear reconstruction error every baseline is minimising. */
function linearError(p: Problem, wPruned: Matrix): number {
  const d = zeros(p.W.rows, p.W.cols);
  for (let i = 0; i < d.data.length; i++) d.data[i] = p.W.data[i] - wPruned.data[i];
  return frobeniusNorm(matmul(p.X, d));
}

/** Pruned entries are exactly 0 in wPruned; without a weight update kept entries equal W. */
function expectConsistent(p: Problem, res: PruneResult, updated: boolean): void {
  // Collect offending indices and assert once: one expect per entry is slow at d = 128.
  const bad: number[] = [];
  for (let t = 0; t < res.mask.data.length; t++) {
    const m = res.mask.data[t];
    const w = res.wPruned.data[t];
    const ok = (m === 0 || m === 1) && Number.isFinite(w) && (m === 0 ? w === 0 : updated || w === p.W.data[t]);
    if (!ok) bad.push(t);
  }
  expect(bad).toEqual([]);
}

/** Every group of m consecutive rows in every column has exactly n zeros. */
function expectNM(mask: Matrix, n: number, m: number): void {
  const bad: string[] = [];
  for (let j = 0; j < mask.cols; j++) {
    for (let g = 0; g < mask.rows; g += m) {
      let zerosInGroup = 0;
      for (let t = 0; t < m; t++) if (mask.data[(g + t) * mask.cols + j] === 0) zerosInGroup++;
      if (zerosInGroup !== n) bad.push(`column ${j}, rows ${g}..${g + m - 1}: ${zerosInGroup} zeros`);
    }
  }
  expect(bad).toEqual([]);
}

// ---------- hand-computed cases ----------

// W's rows are inputs, columns are outputs (Y = X W).
const W4 = fromNested([
  [0.9, -0.1, 0.5, 0.3],
  [-0.2, 0.8, -0.6, 0.05],
  [0.4, 0.3, -0.7, 1.0],
  [-0.15, 0.25, 0.2, -0.35],
]);
// Column norms of X: ‖X_{:,0}‖ = 1, ‖X_{:,1}‖ = 2, ‖X_{:,2}‖ = √(4+4+1) = 3, ‖X_{:,3}‖ = 4.
const X34 = fromNested([
  [1, 0, 2, 0],
  [0, 2, 2, 4],
  [0, 0, 1, 0],
]);
const hand: Problem = { X: X34, W: W4, causal: false };

describe('magnitude (hand-computed)', () => {
  // |W| ascending: 0.05 (1,3), 0.1 (0,1), 0.15 (3,0), 0.2 (1,0) & (3,2), 0.25 (3,1), 0.3 (0,3) & (2,1), 0.35, 0.4, …
  it('p = 7/16 prunes 7; of the tied 0.3s the lower flat index (0,3) goes first', () => {
    const res = magnitudePrune(hand, unstructured(7 / 16));
    expect(toNested(res.mask)).toEqual([
      [1, 0, 1, 0],
      [0, 1, 1, 0],
      [1, 1, 1, 1],
      [0, 0, 0, 1],
    ]);
    expectConsistent(hand, res, false);
  });

  it('p = 0.5 prunes 8, now including the second 0.3 at (2,1)', () => {
    expect(toNested(magnitudePrune(hand, unstructured(0.5)).mask)).toEqual([
      [1, 0, 1, 0],
      [0, 1, 1, 0],
      [1, 0, 1, 1],
      [0, 0, 0, 1],
    ]);
  });

  it('2:4 prunes the two smallest |W| of each column', () => {
    // col 0: 0.15, 0.2 → rows 3, 1; col 1: 0.1, 0.25 → rows 0, 3; col 2: 0.2, 0.5 → rows 3, 0; col 3: 0.05, 0.3 → rows 1, 0.
    expect(toNested(magnitudePrune(hand, nm(2, 4)).mask)).toEqual([
      [1, 0, 0, 0],
      [0, 1, 1, 0],
      [1, 1, 1, 1],
      [0, 0, 0, 1],
    ]);
  });
});

describe('wanda (hand-computed)', () => {
  // S = |W| with row i multiplied by ‖X_{:,i}‖ = 1, 2, 3, 4.
  const S = [
    [0.9, 0.1, 0.5, 0.3],
    [0.4, 1.6, 1.2, 0.1],
    [1.2, 0.9, 2.1, 3.0],
    [0.6, 1.0, 0.8, 1.4],
  ];

  it('scores |W_ij|·‖X_{:,i}‖₂', () => {
    const s = toNested(wandaScores(hand));
    for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) expect(s[i][j]).toBeCloseTo(S[i][j], 12);
  });

  it('p = 0.5 prunes the 2 lowest scores of each column (differs from magnitude in column 1)', () => {
    // col 0: 0.4, 0.6 → rows 1, 3; col 1: 0.1, 0.9 → rows 0, 2; col 2: 0.5, 0.8 → rows 0, 3; col 3: 0.1, 0.3 → rows 1, 0.
    const expected = [
      [1, 0, 0, 0],
      [0, 1, 1, 0],
      [1, 0, 1, 1],
      [0, 1, 0, 1],
    ];
    const res = wandaPrune(hand, unstructured(0.5));
    expect(toNested(res.mask)).toEqual(expected);
    expectConsistent(hand, res, false);
    // With d = 4 a 2:4 group is the whole column, so 2:4 gives the same mask.
    expect(toNested(wandaPrune(hand, nm(2, 4)).mask)).toEqual(expected);
  });

  it('p = 0.3 prunes ⌊0.3·4⌋ = 1 per column', () => {
    expect(toNested(wandaPrune(hand, unstructured(0.3)).mask)).toEqual([
      [1, 0, 0, 1],
      [0, 1, 1, 0],
      [1, 1, 1, 1],
      [1, 1, 1, 1],
    ]);
  });
});

// ---------- an independent OBS reference for SparseGPT ----------

/** Inverse by Gauss–Jordan with partial pivoting (independent of src/core/linalg.ts). */
function inverse(a: number[][]): number[][] {
  const n = a.length;
  const m = a.map((row, i) => [...row, ...Array.from({ length: n }, (_, j) => (i === j ? 1 : 0))]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r][c]) > Math.abs(m[p][c])) p = r;
    [m[c], m[p]] = [m[p], m[c]];
    const piv = m[c][c];
    for (let k = 0; k < 2 * n; k++) m[c][k] /= piv;
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = m[r][c];
      for (let k = 0; k < 2 * n; k++) m[r][k] -= f * m[c][k];
    }
  }
  return m.map((row) => row.slice(n));
}

function stableOrder(values: number[]): number[] {
  return values.map((_, i) => i).sort((a, b) => values[a] - values[b] || a - b);
}

/**
 * SparseGPT written as plain OBS, with no Cholesky and no lazy batching: pruning w_j with
 * the later weights R = {j+1, …} free to move, the optimal compensation is
 * δ_R = H_RR⁻¹ H_Rj · w_j, applied to *all* later columns at once; the saliency is
 * w_j² / [(H_{j:,j:})⁻¹]_00 (= w_j²/U_jj²). The mask follows the same block/group rules.
 */
function obsReference(p: Problem, cfg: { sparsity: number; nm?: [number, number]; blockSize: number; percdamp: number }): { mask: number[][]; w: number[][] } {
  const X = toNested(p.X);
  const W = toNested(p.W);
  const n = X.length;
  const din = W.length;
  const dout = W[0].length;
  const H = Array.from({ length: din }, (_, i) => Array.from({ length: din }, (_, j) => (2 / n) * X.reduce((s, row) => s + row[i] * row[j], 0)));
  const wt = Array.from({ length: dout }, (_, r) => Array.from({ length: din }, (_, c) => W[c][r]));
  for (let j = 0; j < din; j++) {
    if (H[j][j] === 0) {
      H[j][j] = 1;
      for (const row of wt) row[j] = 0;
    }
  }
  const damp = (cfg.percdamp * H.reduce((s, row, j) => s + row[j], 0)) / din;
  for (let j = 0; j < din; j++) H[j][j] += damp;
  const uSq: number[] = [];
  const coef: number[][] = [];
  for (let j = 0; j < din; j++) {
    uSq.push(inverse(H.slice(j).map((row) => row.slice(j)))[0][0]);
    const R = Array.from({ length: din - j - 1 }, (_, t) => j + 1 + t);
    if (R.length === 0) {
      coef.push([]);
      continue;
    }
    const hrrInv = inverse(R.map((a) => R.map((b) => H[a][b])));
    coef.push(R.map((_, s) => R.reduce((acc, b, t) => acc + hrrInv[s][t] * H[b][j], 0)));
  }
  const pruned = wt.map((row) => row.map(() => false));
  const target = (c: number): number => Math.floor(cfg.sparsity * dout * c + 1e-9);
  for (let i1 = 0; i1 < din; i1 += cfg.blockSize) {
    const i2 = Math.min(i1 + cfg.blockSize, din);
    if (!cfg.nm) {
      const cells: [number, number][] = [];
      for (let r = 0; r < dout; r++) for (let c = i1; c < i2; c++) cells.push([r, c]);
      const order = stableOrder(cells.map(([r, c]) => wt[r][c] ** 2 / uSq[c]));
      for (const t of order.slice(0, target(i2) - target(i1))) pruned[cells[t][0]][cells[t][1]] = true;
    }
    for (let j = i1; j < i2; j++) {
      if (cfg.nm && (j - i1) % cfg.nm[1] === 0) {
        const [nn, m] = cfg.nm;
        for (let r = 0; r < dout; r++) {
          const order = stableOrder(Array.from({ length: m }, (_, t) => wt[r][j + t] ** 2 / uSq[j + t]));
          for (const t of order.slice(0, nn)) pruned[r][j + t] = true;
        }
      }
      for (let r = 0; r < dout; r++) {
        if (!pruned[r][j]) continue;
        const wj = wt[r][j];
        wt[r][j] = 0;
        coef[j].forEach((c, t) => (wt[r][j + 1 + t] += wj * c));
      }
    }
  }
  return {
    mask: Array.from({ length: din }, (_, i) => Array.from({ length: dout }, (_, j) => (pruned[j][i] ? 0 : 1))),
    w: Array.from({ length: din }, (_, i) => Array.from({ length: dout }, (_, j) => wt[j][i])),
  };
}

function expectMatchesReference(res: PruneResult, ref: { mask: number[][]; w: number[][] }): void {
  expect(toNested(res.mask)).toEqual(ref.mask);
  const w = toNested(res.wPruned);
  for (let i = 0; i < w.length; i++) for (let j = 0; j < w[0].length; j++) expect(Math.abs(w[i][j] - ref.w[i][j])).toBeLessThan(1e-10);
}

describe('sparsegpt against OBS by hand', () => {
  it('d = 2: the mask and the compensation written out', () => {
    // XᵀX = [[6, 4], [4, 6]], so H = (2/4)·XᵀX = [[3, 2], [2, 3]], det H = 5, (H⁻¹)_00 = 3/5.
    // Saliency of input 0: w²/(H⁻¹)_00 = 5w²/3. Of input 1 (last): w²/U_11² = w²·H_11 = 3w².
    // Output 0 = (W00, W10) = (1, 0.6): 5/3 and 1.08. Output 1 = (−0.5, 2): 0.4167 and 12.
    // k = ⌊0.5·4⌋ = 2 → prune output 1's input 0 and output 0's input 1.
    // Output 1 loses input 0, so input 1 compensates: w₁ += w₀·H_10/H_11 = 2 + (−0.5)(2/3) = 5/3.
    // Output 0 loses its last input: nothing later is left to compensate, input 0 stays 1.
    const p: Problem = {
      X: fromNested([
        [1, 2],
        [0, 1],
        [1, 0],
        [2, 1],
      ]),
      W: fromNested([
        [1, -0.5],
        [0.6, 2],
      ]),
      causal: false,
    };
    const res = sparseGptPrune(p, unstructured(0.5), { percdamp: 0 });
    expect(toNested(res.mask)).toEqual([
      [1, 0],
      [0, 1],
    ]);
    const w = toNested(res.wPruned);
    expect(w[0][0]).toBeCloseTo(1, 12);
    expect(w[0][1]).toBe(0);
    expect(w[1][0]).toBe(0);
    expect(w[1][1]).toBeCloseTo(5 / 3, 12);
    expect(res.notes).toEqual([]);
  });

  it('d = 3, one block: matches the OBS reference', () => {
    for (const seed of [1, 2, 3]) {
      const p = randomProblem(7, 3, seed);
      for (const sparsity of [0.34, 0.5, 0.8]) {
        const cfg = { sparsity, blockSize: 128, percdamp: 0.01 };
        expectMatchesReference(sparseGptPrune(p, unstructured(sparsity)), obsReference(p, cfg));
      }
    }
  });

  it('several blocks (lazy batch updates) match OBS with immediate updates; blocks share k cumulatively', () => {
    const p = randomProblem(20, 6, 4);
    // blockSize 2 at p = 0.4: ⌊2.4c⌋ at c = 2, 4, 6 gives 4 + 5 + 5 = 14 = ⌊0.4·36⌋ (per-block floors would give 12).
    const res = sparseGptPrune(p, unstructured(0.4), { blockSize: 2 });
    expect(countPruned(res.mask)).toBe(14);
    expectMatchesReference(res, obsReference(p, { sparsity: 0.4, blockSize: 2, percdamp: 0.01 }));
    expectMatchesReference(sparseGptPrune(p, unstructured(0.7), { blockSize: 4 }), obsReference(p, { sparsity: 0.7, blockSize: 4, percdamp: 0.01 }));
  });

  it('N:M groups are scored on the updated weights, as in OBS', () => {
    const p6 = randomProblem(20, 6, 5);
    expectMatchesReference(sparseGptPrune(p6, nm(1, 2), { blockSize: 2 }), obsReference(p6, { sparsity: 0.5, nm: [1, 2], blockSize: 2, percdamp: 0.01 }));
    const p8 = randomProblem(30, 8, 6);
    for (const blockSize of [4, 8]) {
      expectMatchesReference(sparseGptPrune(p8, nm(2, 4), { blockSize }), obsReference(p8, { sparsity: 0.5, nm: [2, 4], blockSize, percdamp: 0.01 }));
    }
  });

  it('non-square W (d_in × d_out, factored mode) matches the reference too', () => {
    const p = randomProblem(24, 8, 7, 3);
    expectMatchesReference(sparseGptPrune(p, unstructured(0.5), { blockSize: 4 }), obsReference(p, { sparsity: 0.5, blockSize: 4, percdamp: 0.01 }));
  });
});

// ---------- counts and structure for every method ----------

const methods = {
  magnitude: (p: Problem, o: PruneOptions) => magnitudePrune(p, o),
  wanda: (p: Problem, o: PruneOptions) => wandaPrune(p, o),
  sparsegpt: (p: Problem, o: PruneOptions) => sparseGptPrune(p, o),
} as const;

describe('pruned counts', () => {
  it('unstructured: magnitude and sparsegpt prune ⌊p·d²⌋, wanda d·⌊p·d⌋ (d ≤ 128)', () => {
    for (const d of [4, 8, 12, 40, 128]) {
      const p = randomProblem(Math.max(2 * d, 16), d, 100 + d);
      for (const sparsity of [0, 0.1, 0.3, 0.5, 0.7, 0.9]) {
        expect(countPruned(magnitudePrune(p, unstructured(sparsity)).mask)).toBe(prunedCount(d, sparsity));
        expect(countPruned(wandaPrune(p, unstructured(sparsity)).mask)).toBe(d * Math.floor(sparsity * d + 1e-9));
        const s = sparseGptPrune(p, unstructured(sparsity));
        expect(countPruned(s.mask)).toBe(prunedCount(d, sparsity));
        expectConsistent(p, s, true);
      }
    }
  });

  for (const [n, m] of [
    [2, 4],
    [4, 8],
  ] as const) {
    it(`${n}:${m}: every group of ${m} inputs in every output column has exactly ${n} zeros`, () => {
      for (const d of [8, 24]) {
        const p = randomProblem(3 * d, d, 200 + d);
        for (const [name, run] of Object.entries(methods)) {
          const res = run(p, nm(n, m));
          expectNM(res.mask, n, m);
          expect(countPruned(res.mask)).toBe((d * d * n) / m);
          expectConsistent(p, res, name === 'sparsegpt');
        }
      }
    });
  }

  it('non-square W: each method counts over d_in × d_out', () => {
    const p = randomProblem(32, 8, 9, 4);
    expect(countPruned(magnitudePrune(p, unstructured(0.5)).mask)).toBe(16);
    expect(countPruned(wandaPrune(p, unstructured(0.5)).mask)).toBe(16);
    expect(countPruned(sparseGptPrune(p, unstructured(0.5)).mask)).toBe(16);
    expectNM(sparseGptPrune(p, nm(2, 4)).mask, 2, 4);
  });
});

describe('sparsegpt behaviour', () => {
  it('p = 0 returns W unchanged', () => {
    const p = randomProblem(40, 16, 10);
    const res = sparseGptPrune(p, unstructured(0));
    expect(countPruned(res.mask)).toBe(0);
    for (let t = 0; t < p.W.data.length; t++) expect(Math.abs(res.wPruned.data[t] - p.W.data[t])).toBeLessThan(1e-12);
  });

  it('has a lower linear reconstruction error ‖XW − XW′‖ than wanda and magnitude (10 seeds)', () => {
    for (let seed = 1; seed <= 10; seed++) {
      const p = randomProblem(64, 16, 1000 + seed);
      for (const opts of [unstructured(0.5), nm(2, 4)]) {
        const e = linearError(p, sparseGptPrune(p, opts).wPruned);
        expect(e).toBeLessThan(linearError(p, wandaPrune(p, opts).wPruned));
        expect(e).toBeLessThan(linearError(p, magnitudePrune(p, opts).wPruned));
      }
    }
  });

  it('N:M results do not depend on the block size (lazy updates are exact)', () => {
    const p = randomProblem(48, 16, 11);
    const ref = sparseGptPrune(p, nm(2, 4), { blockSize: 16 });
    for (const blockSize of [4, 8, 128]) {
      const res = sparseGptPrune(p, nm(2, 4), { blockSize });
      expect(toNested(res.mask)).toEqual(toNested(ref.mask));
      for (let t = 0; t < ref.wPruned.data.length; t++) expect(Math.abs(res.wPruned.data[t] - ref.wPruned.data[t])).toBeLessThan(1e-10);
    }
  });

  it('a rank-deficient X (n < d) with percdamp 0 raises damping and says so, instead of NaN', () => {
    const p = randomProblem(8, 16, 12);
    const res = sparseGptPrune(p, unstructured(0.5), { percdamp: 0 });
    expect(res.notes.length).toBe(1);
    expect(res.notes[0]).toMatch(/Cholesky failed with percdamp = 0 .*raised damping to percdamp = 1e-6 /);
    expect(countPruned(res.mask)).toBe(128);
    expectConsistent(p, res, true);
    // The default damping (1% of mean diag H) needs no escalation.
    expect(sparseGptPrune(p, unstructured(0.5)).notes).toEqual([]);
  });

  it('throws a clear error when no damping helps (non-finite X)', () => {
    const p = randomProblem(20, 4, 13);
    p.X.data[5] = Number.NaN;
    expect(() => sparseGptPrune(p, unstructured(0.5))).toThrow(/Cholesky failed: H is not positive definite even with damping/);
  });

  it('an input that is zero on every token: its weights are zeroed, with a note', () => {
    const p = randomProblem(20, 8, 14);
    for (let r = 0; r < 20; r++) p.X.data[r * 8 + 2] = 0;
    const res = sparseGptPrune(p, unstructured(0.5));
    expect(res.notes.join(' ')).toMatch(/1 input feature/);
    for (let j = 0; j < 8; j++) expect(res.wPruned.data[2 * 8 + j]).toBe(0);
    expect(countPruned(res.mask)).toBe(32);
    expectConsistent(p, res, true);
  });

  it('d = 200 runs two blocks (128 + 72) and still prunes exactly ⌊p·d²⌋', () => {
    const p = randomProblem(256, 200, 15);
    // p·200·128 = 3160.5…, p·200·72 = 1777.7…: per-block floors would total 4937, ⌊p·d²⌋ is 4938.
    const sparsity = 0.123457;
    const res = sparseGptPrune(p, unstructured(sparsity));
    expect(prunedCount(200, sparsity)).toBe(4938);
    expect(countPruned(res.mask)).toBe(4938);
    expectConsistent(p, res, true);
    expect(linearError(p, res.wPruned)).toBeLessThan(linearError(p, magnitudePrune(p, unstructured(sparsity)).wPruned));
    // 4:8 across the block boundary gives what a single 200-wide block gives.
    const two = sparseGptPrune(p, nm(4, 8));
    const one = sparseGptPrune(p, nm(4, 8), { blockSize: 200 });
    expectNM(two.mask, 4, 8);
    expect(toNested(two.mask)).toEqual(toNested(one.mask));
    for (let t = 0; t < one.wPruned.data.length; t++) expect(Math.abs(two.wPruned.data[t] - one.wPruned.data[t])).toBeLessThan(1e-9);
  });
});

describe('input checks', () => {
  it('reject bad sparsity, mismatched shapes, bad N:M and bad block sizes with one-line messages', () => {
    const p = randomProblem(10, 8, 16);
    for (const run of Object.values(methods)) {
      expect(() => run(p, unstructured(1))).toThrow(/sparsity must be in \[0, 1\)/);
      expect(() => run(p, unstructured(-0.1))).toThrow(/sparsity/);
      expect(() => run({ ...p, X: zeros(10, 7) }, unstructured(0.5))).toThrow(/X is 10x7 but W is 8x8/);
      expect(() => run(randomProblem(10, 6, 17), nm(2, 4))).toThrow(/not a multiple of M = 4/);
      expect(() => run(p, nm(4, 4))).toThrow(/N:M/);
    }
    expect(() => sparseGptPrune(p, nm(2, 4), { blockSize: 6 })).toThrow(/blockSize 6 is not a multiple of M = 4/);
    expect(() => sparseGptPrune(p, unstructured(0.5), { blockSize: 0 })).toThrow(/blockSize/);
    expect(() => sparseGptPrune(p, unstructured(0.5), { percdamp: -1 })).toThrow(/percdamp/);
  });
});
