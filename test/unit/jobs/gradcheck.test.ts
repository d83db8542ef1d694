import { describe, expect, it } from 'vitest';
import { jobContext } from '../../helpers/jobContext.ts';
import { runJob, Cancelled, gradcheckPoint, GRADCHECK_SWEEP } from '../../../src/jobs/jobs.ts';
import type { GradcheckResult } from '../../../src/jobs/protocol.ts';
import { syntheticProblem } from '../../../src/core/synthetic.ts';
import { AttentionObjective } from '../../../src/core/objective.ts';

const spec = { n: 5, d: 3, seed: 1, scale: 3, causal: false };
const check = async (job: Partial<Extract<Parameters<typeof runJob>[0], { kind: 'gradcheck' }>> = {}): Promise<GradcheckResult> =>
  await runJob({ kind: 'gradcheck', spec, lambda: 0, spread: 0.5, h: 1e-5, ...job }, jobContext());

describe('gradcheck job: closed-form gradient vs central finite differences', () => {
  it('agrees to a relative error below 1e-6 at the default h = 1e-5', async () => {
    const r = await check();
    expect(r.n).toBe(5);
    expect(r.d).toBe(3);
    expect(r.closedForm).toHaveLength(9);
    expect(r.finiteDiff).toHaveLength(9);
    expect(r.exactlyZero).toBe(false);
    expect(r.maxAbsClosed).toBeGreaterThan(1e-4);
    expect(r.relativeError).not.toBeNull();
    expect(r.relativeError!).toBeLessThan(1e-6);
    expect(r.maxAbsDiff).toBeLessThan(1e-6 * r.maxAbsClosed * 3);
  });

  it('agrees with λ > 0, causal attention and other shapes', async () => {
    for (const [extra, lambda, spread] of [
      [{ causal: true }, 0.1, 0.3],
      [{ n: 12, d: 6, scale: 1 }, 0.5, 1],
      [{ n: 2, d: 1 }, 0, 2],
    ] as const) {
      const r = await runJob({ kind: 'gradcheck', spec: { ...spec, ...extra }, lambda, spread, h: 1e-5 }, jobContext());
      expect(r.relativeError!).toBeLessThan(1e-6);
    }
  });

  it('the closed form is the objective’s own gradient at the point M = 1 + spread·noise', async () => {
    const r = await check({ lambda: 0.2 });
    const p = syntheticProblem(spec);
    const m = gradcheckPoint(3, spec.seed, 0.5);
    expect(Array.from(r.m)).toEqual(Array.from(m));
    const g = new Float64Array(9);
    const v = new AttentionObjective(p.X, p.W, { lambda: 0.2 }).evaluate(m, g);
    expect(Array.from(r.closedForm)).toEqual(Array.from(g));
    expect(r.loss).toBe(v.loss);
  });

  it('is exactly zero at M = 1 with λ = 0, and the finite differences are tiny', async () => {
    const r = await check({ spread: 0, lambda: 0 });
    expect(Array.from(r.m).every((v) => v === 1)).toBe(true);
    expect(r.exactlyZero).toBe(true);
    expect(r.maxAbsClosed).toBe(0);
    expect(r.closedForm.every((g) => g === 0)).toBe(true);
    expect(r.loss).toBe(0);
    expect(r.relativeError).toBeNull();
    expect(r.maxAbsFinite).toBeLessThan(1e-8);
  });

  it('at M = 1 with λ > 0 only the pull toward 0 remains: ∇L = λ·1', async () => {
    const r = await check({ spread: 0, lambda: 0.3 });
    expect(r.exactlyZero).toBe(false);
    for (const g of r.closedForm) expect(g).toBeCloseTo(0.3, 15);
    expect(r.relativeError!).toBeLessThan(1e-6);
  });

  it('the sweep over h shows truncation error at large h and round-off at small h', async () => {
    const r = await check();
    expect(r.sweep).toHaveLength(GRADCHECK_SWEEP.length);
    const at = (h: number) => r.sweep.find((p) => Math.abs(Math.log10(p.h / h)) < 1e-9)!;
    const best = Math.min(...r.sweep.map((p) => p.maxAbsDiff));
    expect(at(1e-1).maxAbsDiff).toBeGreaterThan(100 * best); // truncation, O(h²)
    expect(at(1e-14).maxAbsDiff).toBeGreaterThan(100 * best); // round-off, O(ε/h)
    expect(r.bestH).toBeGreaterThan(1e-8);
    expect(r.bestH).toBeLessThan(1e-3);
    expect(r.sweep.every((p) => Number.isFinite(p.maxAbsDiff))).toBe(true);
  });

  it('refuses bad input with a message, and stops when superseded', async () => {
    await expect(check({ h: 0 })).rejects.toThrow(/step h must be/);
    await expect(runJob({ kind: 'gradcheck', spec: { ...spec, d: 20 }, lambda: 0, spread: 0.5, h: 1e-5 }, jobContext())).rejects.toThrow(/d from 1 to 8/);
    await expect(runJob({ kind: 'gradcheck', spec, lambda: 0, spread: 0.5, h: 1e-5 }, jobContext(1))).rejects.toBeInstanceOf(Cancelled);
  });
});
