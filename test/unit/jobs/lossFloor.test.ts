import { beforeAll, describe, expect, it } from 'vitest';
import type { LossFloorResult } from '../../../src/jobs/protocol.ts';
import { jobContext } from '../../helpers/jobContext.ts';
import { runJob } from '../../../src/jobs/jobs.ts';
import { LOSS_FLOOR_ITERS } from '../../../src/jobs/lossFloor.ts';
import { GradientDescent } from '../../../src/core/gd.ts';
import { createObjective } from '../../../src/core/objectiveFactory.ts';
import { syntheticProblem } from '../../../src/core/synthetic.ts';

const spec = { n: 32, d: 8, seed: 4, scale: 2, causal: false };

describe('the lab’s floor L* (a long Armijo run in the worker)', () => {
  // One long run for the file (it takes a second or two).
  let f: LossFloorResult;
  beforeAll(async () => {
    f = await runJob({ kind: 'lossFloor', spec, lambda: 0.1, clip: false }, jobContext());
  });

  it('lies below every loss of a short run of the same problem and λ, fixed or Armijo, and equals the same long run done directly', async () => {
    expect(f.iterations).toBeGreaterThan(0);
    expect(f.iterations).toBeLessThanOrEqual(LOSS_FLOOR_ITERS);
    for (const step of ['fixed', 'armijo'] as const) {
      const lab = await runJob(
        { kind: 'lab', spec, sparsity: 0.5, gd: { lambda: 0.1, eta: 0.05, iters: 300, step }, engine: 'f64', snapshots: 10 },
        jobContext(),
      );
      const lowest = Math.min(...lab.lossHistory);
      // A little above float64's resolution of L: a short run never gets below the floor.
      expect(lowest - f.value, step).toBeGreaterThan(-1e-12 * Math.abs(f.value));
    }
    const problem = syntheticProblem(spec);
    const gd = new GradientDescent(problem, { lambda: 0.1, eta: 0.05, iters: f.iterations, step: 'armijo', tolerance: 1e-15 }, createObjective(problem, 0.1));
    gd.advance();
    expect(gd.lossHistory.at(-1)).toBe(f.value);
  });

  it('a short fixed-step run is still far from it: the gap the lab draws is positive and shrinks', async () => {
    const lab = await runJob(
      { kind: 'lab', spec, sparsity: 0.5, gd: { lambda: 0.1, eta: 0.05, iters: 100, step: 'fixed' }, engine: 'f64', snapshots: 10 },
      jobContext(),
    );
    const gaps = lab.lossHistory.map((l) => l - f.value);
    expect(gaps.every((g) => g > 0)).toBe(true);
    expect(gaps.at(-1)!).toBeLessThan(gaps[0]);
  });
});
