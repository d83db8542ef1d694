import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compareAttentionFactored, FactoredObjective, type FactoredProblem } from '../../../src/core/factored.ts';
import type { Matrix } from '../../../src/core/matrix.ts';
import { GradientDescent } from '../../../src/core/gd.ts';
import { factoredMetrics, factoredObjective } from '../../../src/core/objectiveFactory.ts';
import { gaussian, mulberry32 } from '../../../src/core/random.ts';
import { WasmFactoredObjective } from '../../../src/core/wasmFactored.ts';
import { FACTORED_WASM_SOURCE_SHA256 } from '../../../src/core/wasm/factored.wasm.generated.ts';

const root = resolve(fileURLToPath(import.meta.url), '../../../..');

function matrix(rows: number, cols: number, g: () => number, scale: number): Matrix {
  return { rows, cols, data: new Float64Array(rows * cols).map(() => scale * g()) };
}

/** A factored head; d_h not a multiple of 4 and uneven sequences exercise every padding path. */
function problem(d: number, dh: number, segments: number[], causal: boolean, biased: boolean, seed: number): FactoredProblem {
  const g = gaussian(mulberry32(seed));
  const n = segments.reduce((a, b) => a + b, 0);
  const bias = () => new Float64Array(dh).map(() => g());
  return {
    X: matrix(n, d, g, 1),
    Wq: matrix(d, dh, g, 1 / Math.sqrt(d)),
    Wk: matrix(d, dh, g, 1 / Math.sqrt(d)),
    causal,
    segments,
    ...(biased ? { bq: bias(), bk: bias() } : {}),
  };
}

const CASES: [string, number, number, number[], boolean, boolean][] = [
  ['causal, biases, uneven sequences, d_h = 5', 7, 5, [3, 9, 6], true, true],
  ['causal, no biases, two sequences of 16', 16, 4, [16, 16], true, false],
  ['bidirectional, biases, one sequence of 13', 10, 6, [13], false, true],
  ['bidirectional, a sequence of one token', 9, 3, [5, 1, 7], false, false],
  ['causal, d = 33, d_h = 8, sequences of 37 and 40', 33, 8, [37, 40], true, true],
];

function maxAbs(a: Float64Array): number {
  return a.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
}

describe('WasmFactoredObjective', () => {
  it.each(CASES)('equals FactoredObjective (loss, gradient) to round-off: %s', (_, d, dh, segments, causal, biased) => {
    const fp = problem(d, dh, segments, causal, biased, d * 31 + dh);
    const g = gaussian(mulberry32(7));
    const m = new Float64Array(2 * d * dh).map(() => 1 + 0.5 * g());
    const js = new FactoredObjective(fp, 0.02);
    const wasm = new WasmFactoredObjective(fp, 0.02);
    const gj = new Float64Array(m.length);
    const gw = new Float64Array(m.length);
    const a = js.evaluate(m, gj);
    const b = wasm.evaluate(m, gw);
    expect(b.loss).toBeGreaterThan(0);
    expect(Math.abs(b.loss - a.loss) / a.loss).toBeLessThan(1e-12);
    expect(Math.abs(b.attentionLoss - a.attentionLoss) / a.attentionLoss).toBeLessThan(1e-12);
    expect(maxAbs(gw.map((v, i) => v - gj[i])) / maxAbs(gj)).toBeLessThan(1e-12);
    // Without the gradient: the same loss.
    expect(wasm.evaluate(m).loss).toBe(b.loss);
    expect(Math.abs(wasm.f0Norm2() - js.f0Norm2()) / js.f0Norm2()).toBeLessThan(1e-12);
  });

  it.each(CASES)('gives the gradient at the last evaluation bit for bit, without its forward pass: %s', (_, d, dh, segments, causal, biased) => {
    const fp = problem(d, dh, segments, causal, biased, d * 13 + dh);
    const g = gaussian(mulberry32(11));
    const m1 = new Float64Array(2 * d * dh).map(() => 1 + 0.5 * g());
    const m2 = new Float64Array(2 * d * dh).map(() => 1 + 0.5 * g());
    const wasm = new WasmFactoredObjective(fp, 0.01);
    const direct = new Float64Array(m1.length);
    wasm.evaluate(m2, direct);
    wasm.evaluate(m1);
    wasm.evaluate(m2);
    const later = new Float64Array(m1.length);
    wasm.gradientAtLast(later);
    expect(later).toEqual(direct);
  });

  it.each(CASES)("evaluates a step M − sV from M's kept projections as evaluate does, to round-off: %s", (_, d, dh, segments, causal, biased) => {
    const fp = problem(d, dh, segments, causal, biased, d * 19 + dh);
    const g = gaussian(mulberry32(5));
    const m = new Float64Array(2 * d * dh).map(() => 1 + 0.3 * g());
    const v = new Float64Array(m.length).map(() => g());
    const wasm = new WasmFactoredObjective(fp, 0.05);
    const reference = new WasmFactoredObjective(fp, 0.05);
    // The last evaluation elsewhere: setDirection must evaluate M itself first.
    wasm.evaluate(v);
    wasm.setDirection(m, v);
    for (const s of [0.3, 0.15, 0]) {
      const ms = m.map((x, i) => x - s * v[i]);
      const gs = new Float64Array(m.length);
      const gr = new Float64Array(m.length);
      const a = wasm.evaluateStep(ms, s, gs);
      const b = reference.evaluate(ms, gr);
      expect(Math.abs(a.loss - b.loss) / b.loss).toBeLessThan(1e-12);
      expect(maxAbs(gs.map((x, i) => x - gr[i])) / maxAbs(gr)).toBeLessThan(1e-10);
    }
  });

  it("runs Algorithm 1 (Armijo, lazy gradients, steps from kept projections) to the JS kernel's mask", () => {
    const fp = problem(12, 4, [9, 11], true, true, 21);
    const run = (kernel: 'wasm-simd-f64' | 'js-f64') => {
      const gd = new GradientDescent(undefined, { iters: 25 }, factoredObjective(fp, 0.001, kernel));
      gd.advance();
      return gd;
    };
    const a = run('js-f64');
    const b = run('wasm-simd-f64');
    expect(b.evaluations).toBe(a.evaluations);
    expect(b.lossHistory.length).toBe(a.lossHistory.length);
    b.lossHistory.forEach((l, i) => expect(Math.abs(l - a.lossHistory[i]) / a.lossHistory[i]).toBeLessThan(1e-10));
    expect(maxAbs(b.m.map((v, i) => v - a.m[i]))).toBeLessThan(1e-10);
  });

  it('hands its instance on when released: the next objective gives the same numbers, the released one refuses', () => {
    const big = problem(20, 8, [30, 25], true, true, 8);
    const small = problem(9, 3, [5, 1, 7], false, false, 9);
    const m = new Float64Array(2 * 9 * 3).fill(0.7);
    const fresh = new WasmFactoredObjective(small, 0.01).evaluate(m);
    const first = new WasmFactoredObjective(big, 0.01);
    first.evaluate(new Float64Array(2 * 20 * 8).fill(0.5));
    first.release();
    expect(() => first.evaluate(new Float64Array(2 * 20 * 8))).toThrow(/released/);
    // The smaller problem on the bigger one's memory: nothing of the old one may show through.
    const reused = new WasmFactoredObjective(small, 0.01);
    expect(reused.evaluate(m)).toEqual(fresh);
    reused.release();
    expect(factoredMetrics(small, small.Wq, small.Wk).attentionError).toBe(0);
  });

  it('gives the metrics of extreme logits as the JS kernel does (a finite KL where exp(s − max) is subnormal)', () => {
    const m1 = (v: number[]) => ({ rows: v.length, cols: 1, data: Float64Array.from(v) });
    const fp: FactoredProblem = { X: m1([1, -1]), Wq: m1([10]), Wk: m1([10]), causal: false };
    const a = compareAttentionFactored(fp, fp.Wq, m1([36]));
    const b = factoredMetrics(fp, fp.Wq, m1([36]), 'wasm-simd-f64');
    expect(Number.isFinite(a.meanRowKL)).toBe(true);
    expect(Math.abs(b.meanRowKL - a.meanRowKL) / a.meanRowKL).toBeLessThan(1e-9);
    expect(b.attentionError).toBe(a.attentionError);
  });

  it('refuses a step before setDirection, and any call once released', () => {
    const fp = problem(6, 2, [4, 4], true, false, 2);
    const o = new WasmFactoredObjective(fp, 0);
    expect(() => o.evaluateStep(new Float64Array(24).fill(1), 0.1)).toThrow(/setDirection/);
    o.release();
    expect(() => o.f0Norm2()).toThrow(/released/);
  });

  it('refuses a gradient when made without one, in words', () => {
    const fp = problem(6, 2, [4, 4], true, false, 1);
    const o = new WasmFactoredObjective(fp, 0, { gradient: false });
    expect(o.evaluate(new Float64Array(24).fill(1)).loss).toBe(0);
    expect(() => o.evaluate(new Float64Array(24).fill(1), new Float64Array(24))).toThrow(/without gradients/);
  });

  it.each(CASES)('its metrics equal compareAttentionFactored: %s', (_, d, dh, segments, causal, biased) => {
    const fp = problem(d, dh, segments, causal, biased, d * 17 + dh);
    const g = gaussian(mulberry32(3));
    const wq = { ...fp.Wq, data: fp.Wq.data.map((v) => (g() > 0 ? v : 0)) };
    const wk = { ...fp.Wk, data: fp.Wk.data.map((v) => v * (1 + 0.3 * g())) };
    const a = compareAttentionFactored(fp, wq, wk);
    const b = factoredMetrics(fp, wq, wk, 'wasm-simd-f64');
    for (const key of ['attentionError', 'attentionLoss', 'meanRowKL', 'meanRowTV'] as const) {
      expect(Math.abs(b[key] - a[key]) / Math.abs(a[key]), key).toBeLessThan(1e-11);
    }
  });

  it('is the default factored kernel, and dense weights give zero loss', () => {
    const fp = problem(12, 4, [8, 8], true, true, 5);
    const o = factoredObjective(fp, 0);
    expect(o).toBeInstanceOf(WasmFactoredObjective);
    expect(o.evaluate(new Float64Array(o.size ?? 0).fill(1)).loss).toBe(0);
    expect(factoredMetrics(fp, fp.Wq, fp.Wk).attentionError).toBe(0);
  });

  it('refuses segments that do not cover X, in words', () => {
    const fp = problem(6, 2, [4, 4], true, false, 1);
    expect(() => new WasmFactoredObjective({ ...fp, segments: [4, 3] }, 0)).toThrow(/segments/);
  });
});

describe('factored.wasm.generated.ts', () => {
  it('was compiled from the current AssemblyScript sources', () => {
    const src = Buffer.concat(['src/core/wasm/factored.as.ts', 'src/core/wasm/kernels.as.ts'].map((f) => readFileSync(join(root, f))));
    expect(createHash('sha256').update(src).digest('hex'), 'run npm run build:wasm').toBe(FACTORED_WASM_SOURCE_SHA256);
  });
});
