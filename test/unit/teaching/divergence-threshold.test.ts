import { describe, expect, it } from 'vitest';
import { bisectBoundary, convergingAbove, smallestDivergingStep } from '../../../src/teaching/divergenceThreshold.ts';

/** A divergence test from a rule, counting its calls. */
function rule(diverges: (eta: number) => boolean) {
  const calls: number[] = [];
  return { calls, test: async (eta: number) => (calls.push(eta), diverges(eta)) };
}

describe('the smallest diverging step', () => {
  it('brackets a clean threshold to the requested relative width', async () => {
    const t = rule((eta) => eta >= 0.37);
    const r = await smallestDivergingStep(t.test, { safe: 1e-6, limit: 1000, relTol: 1e-4 });
    expect(r).toBeDefined();
    expect(r!.eta).toBeGreaterThanOrEqual(0.37);
    expect(r!.below).toBeLessThan(0.37);
    expect(r!.eta / r!.below - 1).toBeLessThanOrEqual(1e-4);
    expect(r!.runs).toBe(t.calls.length);
    // Doubling from 1e-6 to 0.37 is 19 runs; the fine scan and bisection add a few dozen at most.
    expect(r!.runs).toBeLessThan(60);
  });

  it('finds a narrow diverging window below the first doubling that diverges', async () => {
    // Diverges on [0.2, 0.21) and from 0.3 on: the doubling from 0.01 first diverges at 0.32,
    // bisection alone between 0.16 and 0.32 would miss the window, the fine scan does not.
    const t = rule((eta) => (eta >= 0.2 && eta < 0.21) || eta >= 0.3);
    const r = await smallestDivergingStep(t.test, { safe: 0.01, limit: 1000 });
    expect(r!.eta).toBeGreaterThanOrEqual(0.2);
    expect(r!.eta).toBeLessThan(0.2 * 1.0011);
    const above = await convergingAbove(t.test, r!.eta);
    expect(above.tried).toBe(12);
    expect(above.converging.length).toBeGreaterThan(0);
    expect(above.converging.every((e) => e > 0.2 && e < 0.3)).toBe(true);
  });

  it('reports a safe step that already diverges, and no divergence up to the limit', async () => {
    expect(await smallestDivergingStep(async () => true, { safe: 0.5, limit: 10 })).toEqual({ eta: 0.5, below: 0, runs: 1 });
    expect(await smallestDivergingStep(async () => false, { safe: 0.5, limit: 10 })).toBeUndefined();
    await expect(smallestDivergingStep(async () => false, { safe: 0, limit: 10 })).rejects.toThrow(/positive/);
  });
});

describe('bisecting a monotone test', () => {
  it('brackets the switch to the relative width asked for', async () => {
    const b = await bisectBoundary(async (eta) => eta > 20, 1, 1000, 1e-3);
    expect(b.lo).toBeLessThanOrEqual(20);
    expect(b.hi).toBeGreaterThan(20);
    expect(b.hi / b.lo - 1).toBeLessThanOrEqual(1e-3);
    await expect(bisectBoundary(async () => true, 2, 1)).rejects.toThrow(/lo < hi/);
  });
});
