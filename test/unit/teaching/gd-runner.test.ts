import { describe, expect, it } from 'vitest';
import { blewUp, createGdRunner } from '../../../src/teaching/gdRunner.ts';
import { bisectBoundary, smallestDivergingStep } from '../../../src/teaching/divergenceThreshold.ts';
import { DIVERGENCE_PRESET, divergenceSpec } from '../../../src/teaching/presets.ts';
import { syntheticProblem } from '../../../src/core/synthetic.ts';
import { DivergenceError, GradientDescent } from '../../../src/core/gd.ts';
import { maxSafeStep } from '../../../src/core/smoothness.ts';

const problem = syntheticProblem(divergenceSpec());
const opts = { lambda: DIVERGENCE_PRESET.lambda, iters: DIVERGENCE_PRESET.iters };

describe('gradient descent for the divergence exercise', () => {
  it('agrees with the core: the bound, a converging run, a diverging run', async () => {
    const runner = await createGdRunner(problem, opts);
    expect(runner.safeEta).toBe(maxSafeStep(problem.X, problem.W, opts.lambda));
    const safe = runner.run(runner.safeEta);
    expect(safe.diverged).toBe(false);
    expect(safe.iteration).toBe(opts.iters);
    expect(safe.loss).toBeLessThan(safe.startLoss);

    const huge = runner.run(900);
    expect(huge.diverged).toBe(true);
    let thrown: DivergenceError | undefined;
    try {
      new GradientDescent(problem, { ...opts, eta: 900, step: 'fixed' }).advance();
    } catch (e) {
      thrown = e as DivergenceError;
    }
    expect(thrown).toBeInstanceOf(DivergenceError);
    expect(huge.iteration).toBe(thrown!.iteration);
    expect(thrown!.message).toContain(`(${huge.reason}, L = `);
  });

  it('the threshold search on the real problem brackets a converging and a diverging step', async () => {
    const runner = await createGdRunner(problem, opts);
    const t = await smallestDivergingStep(async (eta) => runner.run(eta).diverged, { safe: runner.safeEta, limit: 1000 });
    expect(t).toBeDefined();
    expect(runner.run(t!.eta).diverged).toBe(true);
    expect(runner.run(t!.below).diverged).toBe(false);
    expect(t!.eta).toBeGreaterThan(1000 * runner.safeEta);
  });

  it('tells a blow-up from a run that merely ends above its start, and runs blow up from 2/λ on', async () => {
    const runner = await createGdRunner(problem, opts);
    const huge = runner.run(900);
    expect(blewUp(huge)).toBe(true);
    const oscillating = runner.run(5);
    expect(oscillating.diverged).toBe(true);
    expect(oscillating.reason).toMatch(/ended above its starting value/);
    expect(blewUp(oscillating)).toBe(false);
    expect(blewUp(runner.run(runner.safeEta))).toBe(false);
    // With ηλ > 2 the regulariser's own step 1 − ηλ has modulus above 1.
    const b = await bisectBoundary(async (eta) => blewUp(runner.run(eta)), 5, 900);
    expect(b.hi / (2 / opts.lambda)).toBeGreaterThan(0.98);
    expect(b.hi / (2 / opts.lambda)).toBeLessThan(1.02);
  });
});
