import { describe, expect, it } from 'vitest';
import { pruneEntries } from '../../../src/core/entryPruning.ts';
import { filled, fromNested } from '../../../src/core/matrix.ts';
import { compareAttention } from '../../../src/core/attention.ts';
import { linearError } from '../../../src/core/linear.ts';
import { TINY } from '../../../src/site/numbers/examples.ts';

const X = fromNested(
  TINY.X.map((r) => [...r]),
  'X',
);
const W = fromNested(
  TINY.W.map((r) => [...r]),
  'W',
);

describe('pruneEntries', () => {
  it('nothing pruned: XW′ = XW and both errors are 0', () => {
    const r = pruneEntries(X, W, filled(2, 2, 1));
    expect(r.linearError).toBe(0);
    expect(r.attentionError).toBe(0);
    expect(Array.from(r.xw.data)).toEqual([2.5, 2.8, 1, 0.8, -0.5, -1.2]);
  });

  it('agrees with compareAttention and linearError for every single entry of the 3-token example', () => {
    for (let e = 0; e < 4; e++) {
      const mask = filled(2, 2, 1);
      mask.data[e] = 0;
      const r = pruneEntries(X, W, mask);
      const ref = compareAttention({ X, W, causal: false }, r.wPruned);
      expect(r.attentionError).toBeCloseTo(ref.attentionError, 14);
      expect(r.linearError).toBe(linearError(X, W, r.wPruned));
      // Column 2 of W only shifts rows of the logits: F does not move (chapter 3, point 1).
      if (e === 1 || e === 3) expect(r.attentionError).toBeLessThan(1e-15);
      else expect(r.attentionError).toBeGreaterThan(0.05);
    }
  });
});
