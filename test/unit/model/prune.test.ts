/**
 * Pruning a whole model, on a small randomly initialised transformer (fast, and
 * independent of the shipped weights): p = 0 changes nothing, the per-head errors
 * the command reports are exactly what `solve` says for the captured X and W_h,
 * and the pruned logits really use the pruned weights.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../../src/core/tf/backend.ts';
import { mulberry32 } from '../../../src/core/random.ts';
import { zeros } from '../../../src/core/matrix.ts';
import { solve } from '../../../src/core/solve.ts';
import type { ModelConfig } from '../../../src/model/config.ts';
import { makeModel, type Model } from '../../../src/model/weights.ts';
import { initParams } from '../../../src/model/train.ts';
import { forward, mergedHeadWeight } from '../../../src/model/transformer.ts';
import { captureCalibration, headLogitsOf, pruneModel, weightAccounting } from '../../../src/model/prune.ts';
import { score } from '../../../src/model/evaluate.ts';

let model: Model;
const U = { kind: 'unstructured' } as const;

function sequences(count: number, T: number, seed: number): Int32Array[] {
  const rng = mulberry32(seed);
  return Array.from({ length: count }, () => Int32Array.from({ length: T }, () => Math.floor(rng() * 12)));
}

beforeAll(async () => {
  await initBackend(['cpu']);
  const config: ModelConfig = { name: 'tiny', vocabSize: 12, contextLength: 16, dModel: 16, nLayers: 2, nHeads: 2, dMlp: 32, activation: 'relu', lnEps: 1e-5 };
  model = makeModel(config, 'abcdefghijkl'.split(''), initParams(config, 3));
});

describe('pruning every head of a model', () => {
  it('p = 0 reproduces the dense logits exactly, merged and factored, for every method', () => {
    const calib = captureCalibration(model, sequences(3, 16, 1));
    const input = sequences(2, 16, 2);
    const dense = forward(model, input).logits;
    for (const mode of ['merged', 'factored'] as const) {
      for (const method of ['magnitude', 'wanda', 'gd'] as const) {
        const r = pruneModel(model, calib, { method, sparsity: 0, mode, granularity: U, gd: { iters: 5 } });
        const pruned = forward(model, input, { headLogits: headLogitsOf(r) }).logits;
        let maxDiff = 0;
        for (let i = 0; i < dense.length; i++) maxDiff = Math.max(maxDiff, Math.abs(dense[i] - pruned[i]));
        expect(maxDiff, `${mode} ${method}`).toBeLessThan(1e-4);
        for (const h of r.heads) expect(h.pruned).toBe(0);
      }
    }
  });

  it('reports, per head, exactly the attention error solve() gives on the captured X and W_h', () => {
    const seqs = sequences(4, 16, 5);
    const calib = captureCalibration(model, seqs);
    const r = pruneModel(model, calib, { method: 'gd', sparsity: 0.6, mode: 'merged', granularity: U, gd: { iters: 40 } });
    expect(r.heads).toHaveLength(4);
    for (const h of r.heads) {
      const W = zeros(16, 16);
      W.data.set(mergedHeadWeight(model, h.layer, h.head));
      const direct = solve({ X: calib.xs[h.layer], W, causal: true, segments: [16, 16, 16, 16] }, 'gd', { sparsity: 0.6, granularity: U, gd: { iters: 40 } });
      expect(h.metrics.attentionError).toBeCloseTo(direct.metrics.attentionError, 12);
      expect(h.pruned).toBe(Math.floor(0.6 * 256));
    }
  });

  it('the captured X reproduces each head’s attention pattern of the dense forward', () => {
    const seqs = sequences(2, 16, 9);
    const calib = captureCalibration(model, seqs);
    const probs = forward(model, seqs, { captureAttention: true }).layers!;
    const W = zeros(16, 16);
    W.data.set(mergedHeadWeight(model, 1, 1));
    // Row 5 of sequence 1, layer 1, head 1: softmax over keys 0..5 of x_5 W x_jᵀ.
    const x = calib.xs[1].data;
    const row = 16 + 5;
    const logits = Array.from({ length: 6 }, (_, j) => {
      let s = 0;
      for (let a = 0; a < 16; a++) for (let b = 0; b < 16; b++) s += x[row * 16 + a] * W.data[a * 16 + b] * x[(16 + j) * 16 + b];
      return s;
    });
    const max = Math.max(...logits);
    const z = logits.reduce((acc, l) => acc + Math.exp(l - max), 0);
    const attn = probs[1].attention!;
    for (let j = 0; j < 6; j++) expect(attn[((1 * 2 + 1) * 16 + 5) * 16 + j]).toBeCloseTo(Math.exp(logits[j] - max) / z, 5);
  });

  it('factored pruning prunes W_Q and W_K to the same sparsity and the model still scores', () => {
    const calib = captureCalibration(model, sequences(3, 16, 11));
    const r = pruneModel(model, calib, { method: 'sparsegpt', sparsity: 0.5, mode: 'factored', granularity: U });
    for (const h of r.heads) {
      expect(h.total).toBe(2 * 16 * 8);
      expect(h.pruned).toBe(h.total / 2);
      expect(h.metrics.attentionError).toBeGreaterThan(0);
    }
    const s = score(model, { sequences: sequences(4, 17, 12), description: 'random' }, headLogitsOf(r));
    expect(Number.isFinite(s.cross_entropy)).toBe(true);
    const acct = weightAccounting(model, r);
    expect(acct.kept_entries).toBe(4 * 2 * 16 * 8 * 0.5);
    expect(acct.break_even_sparsity_merged).toBe(0);
  });

  it('a sweep reuses gradient descent per head: the same masks as fresh runs', () => {
    const calib = captureCalibration(model, sequences(3, 16, 21));
    for (const mode of ['merged', 'factored'] as const) {
      const cache = new Map<string, Float64Array>();
      for (const sparsity of [0.3, 0.7]) {
        const spec = { method: 'gd' as const, sparsity, mode, granularity: U, gd: { iters: 30 } };
        const cached = pruneModel(model, calib, spec, undefined, cache);
        const fresh = pruneModel(model, calib, spec);
        for (let i = 0; i < fresh.heads.length; i++) {
          expect(cached.heads[i].metrics.attentionError).toBe(fresh.heads[i].metrics.attentionError);
          expect(cached.heads[i].pruned).toBe(fresh.heads[i].pruned);
        }
      }
      expect(cache.size).toBe(4);
    }
  });

  it('leaves no tensor behind', () => {
    const calib = captureCalibration(model, sequences(2, 16, 1));
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) {
      const r = pruneModel(model, calib, { method: 'magnitude', sparsity: 0.5, mode: 'merged', granularity: U });
      forward(model, sequences(2, 16, i), { headLogits: headLogitsOf(r) });
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});
