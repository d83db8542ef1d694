/**
 * The estimate before Run of "Your own model" (src/widgets/own-model/costs.ts): a head's size
 * follows what its work is made of (rows·k·(D + T): k = d_h for a factored head, whose metrics
 * and gradient-descent evaluations run on the d×d_h factors; D for a merged (d+1)×(d+1) W̃_h),
 * and a cost recorded on one model, head count and pool scales to another by that size.
 */
import { describe, expect, it } from 'vitest';
import { estimateMs, headUnit, type OwnRunSize, recordRun } from '../../../src/widgets/own-model/costs.ts';

const GPT2 = { rows: 8 * 1024, window: 1024, dModel: 768, nHeads: 12, qkBias: true };
const DEMO = { rows: 8 * 64, window: 64, dModel: 16, nHeads: 4, qkBias: true };

function run(unit: number, heads: number, workers: number, mode = 'factored'): OwnRunSize {
  return {
    bytes: 0,
    parameters: 1,
    calibrationTokens: 0,
    evaluationTokens: 0,
    generationTokens: 0,
    heads,
    headUnit: unit,
    workers,
    mode,
    recipes: [{ method: 'wanda', refit: 'none' }],
    loaded: true,
  };
}

describe('own model: a head’s unit of work', () => {
  it('factored: rows · d_h · (d + T) — the two d×d_h products over the rows, then each window’s T×T logits', () => {
    expect(headUnit(GPT2, 'factored')).toBe(8192 * 64 * (768 + 1024));
    expect(headUnit(DEMO, 'factored')).toBe(512 * 4 * (16 + 64));
    // Q/K biases do not change a factored head's size (they are added, not multiplied).
    expect(headUnit({ ...GPT2, qkBias: false }, 'factored')).toBe(headUnit(GPT2, 'factored'));
  });

  it('merged: rows · D · (D + T) with D = d + 1 when the biases are folded in, d without', () => {
    expect(headUnit(GPT2, 'merged')).toBe(8192 * 769 * (769 + 1024));
    expect(headUnit({ ...GPT2, qkBias: false }, 'merged')).toBe(8192 * 768 * (768 + 1024));
  });

  it('a factored head is d / d_h times cheaper than a merged one of the same model, about (12 for GPT-2 small)', () => {
    const ratio = headUnit(GPT2, 'merged') / headUnit(GPT2, 'factored');
    expect(ratio).toBeGreaterThan(11.9);
    expect(ratio).toBeLessThan(12.1);
  });

  it('a cost recorded on one run is scaled by units × heads / workers for another', () => {
    const small = headUnit(DEMO, 'factored');
    const big = headUnit(GPT2, 'factored');
    recordRun(run(small, 8, 1), { forwardMs: 1, forwardTokens: 1, headMs: [{ method: 'wanda', refit: 'none', ms: 80 }] });
    // 10 ms a head at the demo's size → 12 heads of GPT-2 small on 2 workers.
    expect(estimateMs(run(big, 12, 2)).ms).toBeCloseTo(((10 * big) / small) * 6, 6);
    // Another mode's cost is not borrowed: it is named as not timed yet.
    expect(estimateMs(run(big, 12, 2, 'merged'))).toEqual({ unmeasured: ['wanda'] });
  });
});
