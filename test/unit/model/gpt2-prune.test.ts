/**
 * Pruning a GPT-2 (issue 18, phase 2) through the one prune path (src/model/prune.ts) on the
 * committed fixture: the factored objective adds the Q/K biases to its logits exactly as the
 * folded (d+1)×(d+1) merged form does, its gradient is right with them, and every registry
 * method × refit on one layer keeps the biases, the counts ⌊p·d·d_h⌋ of W_Q and W_K, and the
 * support; the pruned heads the model runs are the heads the metrics measured.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { augmentedMerged, FactoredObjective, type FactoredProblem, withOnesColumn } from '../../../src/core/factored.ts';
import { compareAttention } from '../../../src/core/attention.ts';
import { MODEL_METHOD_IDS, REFIT_IDS } from '../../../src/core/methods.ts';
import { mulberry32 } from '../../../src/core/random.ts';
import type { Gpt2Model } from '../../../src/model/gpt2/checkpoint.ts';
import { type Calibration, captureCalibration, headLogitsOf, matrix, pruneModel } from '../../../src/model/prune.ts';
import { forward, headQK } from '../../../src/model/transformer.ts';
import { getParam } from '../../../src/model/weights.ts';
import { fixtureModelAndWindows } from '../../helpers/gpt2Files.ts';

let model: Gpt2Model;
let calib: Calibration;
let windows: Int32Array[];
const D = 16;
const DH = 4;
const LAYER = 1;

beforeAll(async () => {
  ({ model, windows } = await fixtureModelAndWindows());
  calib = captureCalibration(model, windows);
});

function headProblem(head: number): FactoredProblem {
  const { Wq, Wk } = headQK(model, LAYER, head);
  const bias = (b: 'bq' | 'bk') => Float64Array.from(getParam(model, `layers.${LAYER}.attn.${b}`).data.subarray(head * DH, (head + 1) * DH));
  return { X: calib.xs[LAYER], Wq: matrix(D, DH, Wq), Wk: matrix(D, DH, Wk), causal: true, segments: calib.segments, bq: bias('bq'), bk: bias('bk') };
}

describe('the factored objective with Q/K biases', () => {
  it('gives the attention loss of the folded merged form X̃ W̃ X̃ᵀ at any mask, and biases matter', () => {
    const fp = headProblem(2);
    const rng = mulberry32(5);
    const m = Float64Array.from({ length: 2 * D * DH }, () => (rng() < 0.5 ? 0 : 1));
    const masked = (w: FactoredProblem['Wq'], off: number) =>
      matrix(
        D,
        DH,
        w.data.map((v, i) => v * m[off + i]),
      );
    const aug = { X: withOnesColumn(fp.X), W: augmentedMerged(fp.Wq, fp.Wk, fp.bq, fp.bk), causal: true, segments: fp.segments };
    const folded = compareAttention(aug, augmentedMerged(masked(fp.Wq, 0), masked(fp.Wk, D * DH), fp.bq, fp.bk)).attentionLoss;
    const factored = new FactoredObjective(fp, 0).evaluate(m).attentionLoss;
    expect(factored).toBeGreaterThan(1e-3);
    expect(Math.abs(factored - folded) / folded).toBeLessThan(1e-9);
    // Without the biases the loss is another number: they are really in the logits.
    const noBias = new FactoredObjective({ ...fp, bq: undefined, bk: undefined }, 0).evaluate(m).attentionLoss;
    expect(Math.abs(noBias - factored) / factored).toBeGreaterThan(1e-3);
  });

  it('has the right gradient with biases (central differences)', () => {
    const fp = headProblem(1);
    const obj = new FactoredObjective(fp, 0.1);
    const rng = mulberry32(9);
    const m = Float64Array.from({ length: obj.size }, () => 0.3 + 0.7 * rng());
    const grad = new Float64Array(obj.size);
    obj.evaluate(m, grad);
    const h = 1e-6;
    for (const i of [0, 7, 33, D * DH + 3, 2 * D * DH - 1]) {
      const up = Float64Array.from(m);
      const down = Float64Array.from(m);
      up[i] += h;
      down[i] -= h;
      const fd = (obj.evaluate(up).loss - obj.evaluate(down).loss) / (2 * h);
      expect(Math.abs(fd - grad[i])).toBeLessThan(1e-6 * Math.max(1, Math.abs(grad[i])));
    }
  });
});

describe('every method × refit on one GPT-2 layer, factored', () => {
  it('keeps the biases, the counts ⌊p·d·d_h⌋ of W_Q and W_K and the support; the model runs the measured heads', () => {
    const biases = ['bq', 'bk'].map((b) => Float32Array.from(getParam(model, `layers.${LAYER}.attn.${b}`).data));
    const perMatrix = Math.floor(0.5 * D * DH);
    for (const method of MODEL_METHOD_IDS)
      for (const refit of REFIT_IDS) {
        const r = pruneModel(model, calib, { method, refit, sparsity: 0.5, mode: 'factored', granularity: { kind: 'unstructured' }, layers: [LAYER] });
        const label = `${method} + ${refit}`;
        expect(
          r.heads.map((h) => `${h.layer}.${h.head}`),
          label,
        ).toEqual(['1.0', '1.1', '1.2', '1.3']);
        for (const h of r.heads) {
          if (h.override.kind !== 'factored') throw new Error('factored mode gave a merged head');
          const zeros = (a: Float32Array) => a.reduce((c, v) => c + (v === 0 ? 1 : 0), 0);
          // A refit may move the kept weights but never off the support (pruned stays exactly 0).
          expect(zeros(h.override.Wq), `${label} W_Q zeros`).toBe(perMatrix);
          expect(zeros(h.override.Wk), `${label} W_K zeros`).toBe(perMatrix);
          expect(h.pruned, label).toBe(2 * perMatrix);
          expect(h.total, `${label}: biases are not counted`).toBe(2 * D * DH);
          expect(Number.isFinite(h.metrics.attentionError), label).toBe(true);
        }
        expect(['bq', 'bk'].map((b) => getParam(model, `layers.${LAYER}.attn.${b}`).data)).toEqual(biases);
      }
  });

  it('the attention error it reports is the attention the model computes with the pruned heads (biases included)', () => {
    const r = pruneModel(model, calib, {
      method: 'gd',
      refit: 'attention',
      sparsity: 0.5,
      mode: 'factored',
      granularity: { kind: 'unstructured' },
      layers: [LAYER],
    });
    const dense = forward(model, windows, { captureAttention: true }).layers![LAYER].attention!;
    const pruned = forward(model, windows, { captureAttention: true, headLogits: headLogitsOf(r) }).layers![LAYER].attention!;
    const T = 16;
    for (const h of r.heads) {
      let diff = 0;
      let norm = 0;
      for (let b = 0; b < windows.length; b++)
        for (let i = 0; i < T * T; i++) {
          const at = (b * 4 + h.head) * T * T + i;
          diff += (pruned[at] - dense[at]) ** 2;
          norm += dense[at] ** 2;
        }
      // float32 forward vs float64 metrics
      expect(Math.abs(Math.sqrt(diff / norm) - h.metrics.attentionError)).toBeLessThan(1e-4);
    }
  });
});

describe('merged mode folds the biases: W̃_h is (d+1)×(d+1)', () => {
  it('prunes entries of all (d+1)² and the model runs the folded head', () => {
    const r = pruneModel(model, calib, { method: 'wanda', sparsity: 0.5, mode: 'merged', granularity: { kind: 'unstructured' }, layers: [LAYER] });
    const dense = forward(model, windows, { captureAttention: true }).layers![LAYER].attention!;
    const pruned = forward(model, windows, { captureAttention: true, headLogits: headLogitsOf(r) }).layers![LAYER].attention!;
    for (const h of r.heads) {
      expect(h.total).toBe((D + 1) ** 2);
      // Wanda prunes within each output column: ⌊p·(d+1)⌋ of each of the d+1 columns.
      expect(h.pruned).toBe((D + 1) * Math.floor(0.5 * (D + 1)));
      if (h.override.kind !== 'merged') throw new Error('merged mode gave a factored head');
      expect(h.override.W.length).toBe((D + 1) ** 2);
    }
    let diff = 0;
    let norm = 0;
    for (let i = 0; i < dense.length; i++) {
      diff += (pruned[i] - dense[i]) ** 2;
      norm += dense[i] ** 2;
    }
    const meanError = r.heads.reduce((a, h) => a + h.metrics.attentionError, 0) / r.heads.length;
    expect(Math.sqrt(diff / norm)).toBeGreaterThan(0.1 * meanError);
    // Pruning nothing reproduces the dense model through the folded form.
    const none = pruneModel(model, calib, { method: 'magnitude', sparsity: 0, mode: 'merged', granularity: { kind: 'unstructured' }, layers: [LAYER] });
    const same = forward(model, windows, { captureAttention: true, headLogits: headLogitsOf(none) }).layers![LAYER].attention!;
    let worst = 0;
    for (let i = 0; i < dense.length; i++) worst = Math.max(worst, Math.abs(same[i] - dense[i]));
    expect(worst).toBeLessThan(1e-5);
  });
});

describe('calibration of chosen layers', () => {
  it('captureCalibration with layers [0] stops after layer 0 and gives the full pass’s X of that layer, to the bit; the others are empty', () => {
    const only = captureCalibration(model, windows, [0]);
    expect(only.xs).toHaveLength(calib.xs.length);
    expect(Array.from(only.xs[0].data)).toEqual(Array.from(calib.xs[0].data));
    expect(only.xs[1].rows).toBe(0);
    expect(only.segments).toEqual(calib.segments);
  });
});
