/**
 * The estimate before Run of "Your own model" (src/widgets/own-model/costs.ts): a head's size
 * follows what its work is made of (rows·k·(D + T): k = d_h for a factored head, whose metrics
 * and gradient-descent evaluations run on the d×d_h factors; D for a merged (d+1)×(d+1) W̃_h),
 * and a cost recorded on one model, head count and pool scales to another by that size, within
 * SCALE_LIMIT of it (a tiny model's times are mostly fixed costs).
 */
import { describe, expect, it } from 'vitest';
import { calibrationPasses, estimateMs, headUnit, type OwnRunSize, recordRun, SCALE_LIMIT } from '../../../src/widgets/own-model/costs.ts';

const GPT2 = { rows: 8 * 1024, window: 1024, dModel: 768, nHeads: 12, qkBias: true };
const GPT2_MEDIUM = { rows: 8 * 1024, window: 1024, dModel: 1024, nHeads: 16, qkBias: true };
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

  it('a cost recorded on one run is scaled by units × heads / workers for another of about its size', () => {
    const small = headUnit(GPT2, 'factored');
    const big = headUnit(GPT2_MEDIUM, 'factored');
    recordRun(run(small, 8, 1), { forwardMs: 1, forwardTokens: 1, headMs: [{ method: 'wanda', refit: 'none', ms: 80 }] });
    // 10 ms a head at GPT-2 small's size → 16 heads of GPT-2 medium on 2 workers.
    expect(estimateMs(run(big, 16, 2)).ms).toBeCloseTo(((10 * big) / small) * 8, 6);
    // Another mode's cost is not borrowed: it is named as not timed yet.
    expect(estimateMs(run(big, 16, 2, 'merged'))).toEqual({ unmeasured: ['wanda'] });
  });

  it('a cost measured on a model more than SCALE_LIMIT times smaller or larger is named, not scaled (the demo’s fixed costs put GPT-2 small at 20 times its time)', () => {
    const demo = headUnit(DEMO, 'factored');
    const gpt2 = headUnit(GPT2, 'factored');
    expect(gpt2 / demo).toBeGreaterThan(SCALE_LIMIT);
    recordRun(run(demo, 4, 2), { forwardMs: 1, forwardTokens: 1, headMs: [{ method: 'wanda', refit: 'none', ms: 50 }] });
    expect(estimateMs(run(demo, 4, 2)).ms).toBeCloseTo(50, 6);
    expect(estimateMs(run(gpt2, 12, 2))).toEqual({ unmeasured: ['wanda'] });
    // The forward pass and loading are held to the same limit, by parameters and by bytes.
    const size = (parameters: number, bytes: number): OwnRunSize => ({ ...run(demo, 4, 2), parameters, bytes, evaluationTokens: 10, loaded: false });
    recordRun(size(1e6, 4e6), { loadMs: 40, forwardMs: 100, forwardTokens: 10, headMs: [] });
    // Not loaded: the file, then 20 tokens (the text dense, then with wanda's heads) at 10 ms each, and the heads.
    expect(estimateMs(size(1e6, 4e6)).ms).toBeCloseTo(40 + 200 + 50, 6);
    expect(estimateMs(size(1.24e8, 4e6)).unmeasured).toEqual(['the forward pass']);
    expect(estimateMs(size(1e6, 5.5e8)).unmeasured).toEqual(['loading a file']);
  });

  it('calibration counts as full passes only through the blocks up to the last layer pruned', () => {
    expect(calibrationPasses(8192, [0], 12)).toBeCloseTo(8192 / 12, 9);
    expect(calibrationPasses(8192, [0, 3], 12)).toBeCloseTo((8192 * 4) / 12, 9);
    expect(calibrationPasses(8192, [11], 12)).toBe(8192);
    expect(calibrationPasses(8192, [], 12)).toBe(0);
  });
});
