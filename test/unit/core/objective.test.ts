import { describe, expect, it, beforeAll } from 'vitest';
import { AttentionObjective } from '../../../src/core/objective.ts';
import { attention, logits, softmaxRows } from '../../../src/core/attention.ts';
import { initBackend, tf } from '../../../src/core/tf/backend.ts';
import { TfAttentionObjective } from '../../../src/core/tf/tfObjective.ts';
import { finiteDifferenceGradient, problem, randomMask, relativeError } from '../../helpers/problems.ts';

describe('attention', () => {
  it('rows are distributions; causal rows put exactly zero above the diagonal', () => {
    const p = problem(9, 4, 1);
    for (const causal of [false, true]) {
      const f = attention(p.X, p.W, causal);
      for (let i = 0; i < 9; i++) {
        let s = 0;
        for (let j = 0; j < 9; j++) {
          const v = f.data[i * 9 + j];
          if (causal && j > i) expect(v).toBe(0);
          s += v;
        }
        expect(s).toBeCloseTo(1, 12);
      }
    }
  });

  it('the fused kernel equals softmax of the explicit logits', () => {
    const p = problem(7, 5, 2);
    for (const causal of [false, true]) {
      expect(relativeError(attention(p.X, p.W, causal).data, softmaxRows(logits(p.X, p.W, causal)).data)).toBeLessThan(1e-14);
    }
  });

  it('softmax subtracts the row max: huge logits stay finite', () => {
    const p = problem(6, 3, 3, false, 400);
    const f = attention(p.X, p.W);
    expect(Array.from(f.data).every(Number.isFinite)).toBe(true);
  });
});

describe('closed-form gradient', () => {
  for (const causal of [false, true]) {
    for (const lambda of [0, 0.3]) {
      it(`equals central finite differences (causal=${causal}, lambda=${lambda})`, () => {
        const p = problem(12, 5, 11, causal, 2);
        const obj = new AttentionObjective(p.X, p.W, { causal, lambda });
        const m = randomMask(5, 5);
        const g = new Float64Array(25);
        obj.evaluate(m, g);
        expect(relativeError(g, finiteDifferenceGradient(obj, m))).toBeLessThan(1e-7);
      });
    }
  }

  it('at M = 1 the attention term has exactly zero gradient and loss', () => {
    for (const causal of [false, true]) {
      const p = problem(16, 6, 4, causal);
      const obj = new AttentionObjective(p.X, p.W, { causal, lambda: 0 });
      const g = new Float64Array(36).fill(7);
      const v = obj.evaluate(new Float64Array(36).fill(1), g);
      expect(v.attentionLoss).toBe(0);
      expect(Array.from(g).every((x) => x === 0)).toBe(true);
    }
  });

  it('the regulariser adds exactly λM to the gradient and ½λ‖M‖² to the loss', () => {
    const p = problem(10, 4, 8);
    const m = randomMask(4, 9);
    const a = new Float64Array(16);
    const b = new Float64Array(16);
    const va = new AttentionObjective(p.X, p.W, { lambda: 0 }).evaluate(m, a);
    const vb = new AttentionObjective(p.X, p.W, { lambda: 0.5 }).evaluate(m, b);
    const norm2 = m.reduce((s, x) => s + x * x, 0);
    expect(vb.loss - va.loss).toBeCloseTo(0.25 * norm2, 12);
    for (let i = 0; i < 16; i++) expect(b[i] - a[i]).toBeCloseTo(0.5 * m[i], 12);
  });
});

describe('closed-form gradient against tfjs autodiff', () => {
  beforeAll(async () => {
    await initBackend(['cpu']);
  });

  for (const causal of [false, true]) {
    it(`tf.grad agrees (float32 tolerance, causal=${causal})`, () => {
      const p = problem(16, 6, 21, causal, 2);
      const lambda = 0.1;
      const m = randomMask(6, 22);
      const g = new Float64Array(36);
      new AttentionObjective(p.X, p.W, { causal, lambda }).evaluate(m, g);
      const before = tf.memory().numTensors;
      const tfObj = new TfAttentionObjective(p.X, p.W, { causal, lambda });
      const auto = tfObj.autodiffGradient(m);
      const closedTf = new Float64Array(36);
      tfObj.evaluate(m, closedTf);
      tfObj.dispose();
      expect(relativeError(auto, g)).toBeLessThan(2e-4);
      expect(relativeError(closedTf, g)).toBeLessThan(2e-4);
      // No tensor outlives a run.
      expect(tf.memory().numTensors).toBe(before);
    });
  }
});
