import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Matrix } from '../../../src/core/matrix.ts';
import { AttentionObjective } from '../../../src/core/objective.ts';
import { gaussian, mulberry32 } from '../../../src/core/random.ts';
import { WasmAttentionObjective, initWasmObjective, wasmSimdSupported } from '../../../src/core/wasmObjective.ts';
import { OBJECTIVE_WASM_SOURCE_SHA256 } from '../../../src/core/wasm/objective.wasm.generated.ts';

const root = resolve(fileURLToPath(import.meta.url), '../../../..');

function randomProblem(n: number, d: number, seed: number): { X: Matrix; W: Matrix; m: Float64Array } {
  const g = gaussian(mulberry32(seed));
  const X: Matrix = { rows: n, cols: d, data: new Float64Array(n * d).map(() => g()) };
  const W: Matrix = { rows: d, cols: d, data: new Float64Array(d * d).map(() => g() / Math.sqrt(d)) };
  const m = new Float64Array(d * d).map(() => 1 + 0.3 * g());
  return { X, W, m };
}

function relDiff(a: Float64Array, b: Float64Array): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i++) {
    num += (a[i] - b[i]) ** 2;
    den += a[i] ** 2;
  }
  return den === 0 ? Math.sqrt(num) : Math.sqrt(num / den);
}

function relScalar(a: number, b: number): number {
  return a === b ? 0 : Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b));
}

describe('WasmAttentionObjective', () => {
  it('runs where WebAssembly SIMD is available (Node 20)', () => {
    expect(wasmSimdSupported()).toBe(true);
  });

  const sizes: [number, number][] = [
    [5, 3],
    [64, 16],
    [128, 64],
    [37, 19],
    [130, 66],
  ];
  for (const [n, d] of sizes) {
    for (const causal of [false, true]) {
      for (const lambda of [0, 0.1]) {
        it(`equals AttentionObjective: n=${n} d=${d} ${causal ? 'causal' : 'full'} λ=${lambda}`, () => {
          const { X, W, m } = randomProblem(n, d, n * 7919 + d * 31 + (causal ? 1 : 0));
          const js = new AttentionObjective(X, W, { causal, lambda });
          const wa = new WasmAttentionObjective(X, W, { causal, lambda });
          expect([wa.n, wa.d, wa.causal, wa.lambda]).toEqual([n, d, causal, lambda]);
          expect(relDiff(js.f0, wa.f0)).toBeLessThan(1e-12);

          const gj = new Float64Array(d * d);
          const gw = new Float64Array(d * d);
          const vj = js.evaluate(m, gj);
          const vw = wa.evaluate(m, gw);
          expect(vj.attentionLoss).toBeGreaterThan(0);
          expect(relScalar(vj.loss, vw.loss)).toBeLessThan(1e-10);
          expect(relScalar(vj.attentionLoss, vw.attentionLoss)).toBeLessThan(1e-10);
          expect(relDiff(gj, gw)).toBeLessThan(1e-10);
          expect(relDiff(js.f, wa.f)).toBeLessThan(1e-12);

          // Loss only: same value, gradient buffer untouched.
          const before = new Float64Array(gw);
          const vw2 = wa.evaluate(m);
          expect(vw2.loss).toBe(vw.loss);
          expect(gw).toEqual(before);

          if (causal) {
            for (let i = 0; i < n; i++) {
              for (let j = i + 1; j < n; j++) {
                if (wa.f[i * n + j] !== 0 || wa.f0[i * n + j] !== 0) throw new Error(`F(${i},${j}) above the diagonal is not 0`);
              }
            }
          }
        });
      }
    }
  }

  it('is exactly stationary at M = 1: attention loss 0, gradient λM', () => {
    const { X, W } = randomProblem(37, 19, 5);
    const lambda = 0.25;
    for (const causal of [false, true]) {
      const wa = new WasmAttentionObjective(X, W, { causal, lambda });
      const ones = new Float64Array(19 * 19).fill(1);
      const grad = new Float64Array(19 * 19);
      const v = wa.evaluate(ones, grad);
      expect(v.attentionLoss).toBe(0);
      expect(v.loss).toBeCloseTo(0.5 * lambda * 19 * 19, 12);
      for (const g of grad) expect(g).toBe(lambda);
    }
  });

  it('keeps instances independent (own memory each), interleaved', () => {
    const a = randomProblem(40, 12, 1);
    const b = randomProblem(70, 9, 2);
    const wa = new WasmAttentionObjective(a.X, a.W, { lambda: 0.1 });
    const wb = new WasmAttentionObjective(b.X, b.W, { causal: true });
    const ja = new AttentionObjective(a.X, a.W, { lambda: 0.1 });
    const jb = new AttentionObjective(b.X, b.W, { causal: true });
    for (let rep = 0; rep < 3; rep++) {
      const ga = new Float64Array(144);
      const gb = new Float64Array(81);
      const la = wa.evaluate(a.m, ga).loss;
      const lb = wb.evaluate(b.m, gb).loss;
      expect(relScalar(la, ja.evaluate(a.m).loss)).toBeLessThan(1e-10);
      expect(relScalar(lb, jb.evaluate(b.m).loss)).toBeLessThan(1e-10);
      a.m[rep] += 0.5;
      b.m[rep] -= 0.5;
    }
  });

  it('follows the same gradient-descent trajectory as the JS objective (stable step)', () => {
    // With a stable step the trajectories stay within rounding; with a step too large for
    // the Lipschitz bound (e.g. 0.5 here) GD oscillates and amplifies any rounding
    // difference, although the gradients at the same point still agree to ~1e-15.
    const { X, W } = randomProblem(48, 10, 77);
    const js = new AttentionObjective(X, W, { causal: true, lambda: 0.05 });
    const wa = new WasmAttentionObjective(X, W, { causal: true, lambda: 0.05 });
    const mj = new Float64Array(100).fill(1);
    const mw = new Float64Array(100).fill(1);
    const gj = new Float64Array(100);
    const gw = new Float64Array(100);
    for (let t = 0; t < 200; t++) {
      js.evaluate(mj, gj);
      wa.evaluate(mw, gw);
      for (let i = 0; i < 100; i++) {
        mj[i] -= 0.05 * gj[i];
        mw[i] -= 0.05 * gw[i];
      }
    }
    expect(relDiff(mj, mw)).toBeLessThan(1e-12);
    expect(relScalar(js.evaluate(mj).loss, wa.evaluate(mw).loss)).toBeLessThan(1e-10);
  });

  it('create() compiles and instantiates asynchronously', async () => {
    await initWasmObjective();
    const { X, W, m } = randomProblem(20, 7, 3);
    const wa = await WasmAttentionObjective.create(X, W, { lambda: 0.1 });
    const js = new AttentionObjective(X, W, { lambda: 0.1 });
    expect(relScalar(wa.evaluate(m).loss, js.evaluate(m).loss)).toBeLessThan(1e-10);
  });

  it('rejects bad input like AttentionObjective', () => {
    const { X, W } = randomProblem(6, 4, 9);
    expect(() => new WasmAttentionObjective(X, { rows: 3, cols: 3, data: new Float64Array(9) })).toThrow(/shape mismatch/);
    expect(() => new WasmAttentionObjective(X, W, { lambda: -1 })).toThrow(/lambda/);
    const wa = new WasmAttentionObjective(X, W);
    expect(() => wa.evaluate(new Float64Array(15))).toThrow(/d²/);
    expect(() => wa.evaluate(new Float64Array(16), new Float64Array(3))).toThrow(/d²/);
  });

  it('grows its memory for large problems (n = 2048, d = 512)', () => {
    const n = 2048;
    const d = 512;
    const g = gaussian(mulberry32(11));
    const X: Matrix = { rows: n, cols: d, data: new Float64Array(n * d).map(() => g()) };
    const W: Matrix = { rows: d, cols: d, data: new Float64Array(d * d).map(() => (0.3 * g()) / Math.sqrt(d)) };
    const wa = new WasmAttentionObjective(X, W, { causal: true });
    for (const i of [0, 1, 1000, n - 1]) {
      let s = 0;
      for (let j = 0; j < n; j++) s += wa.f0[i * n + j];
      expect(s).toBeCloseTo(1, 12);
    }
    const v = wa.evaluate(new Float64Array(d * d).fill(1));
    expect(v.attentionLoss).toBe(0);
  });
});

describe('objective.wasm.generated.ts', () => {
  it('was compiled from the current AssemblyScript source', () => {
    const src = Buffer.concat(['src/core/wasm/objective.as.ts', 'src/core/wasm/kernels.as.ts'].map((f) => readFileSync(join(root, f))));
    expect(createHash('sha256').update(src).digest('hex'), 'run npm run build:wasm').toBe(OBJECTIVE_WASM_SOURCE_SHA256);
  });

  // The committed module is rebuilt and compared byte for byte by `npm test` itself
  // (scripts/build-wasm.mjs --check), every time, with no time limit to skip on.
});
