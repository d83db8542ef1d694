/**
 * L*, the floor the lab's gap L(M_t) − L* is measured against: the loss after a long run
 * of Algorithm 1 on the same problem, λ and clipping, with Armijo steps (every step lowers
 * L, so the run neither diverges nor stops above where a short run got). It stops at
 * LOSS_FLOOR_ITERS steps, or earlier once L stops moving (relative change ≤ 1e-15, or no
 * step lowers L measurably). A long run of the lab's own rule would diverge or crawl
 * with a fixed step, hence Armijo; the page says so.
 */
import { syntheticProblem } from '../core/synthetic.ts';
import { GradientDescent } from '../core/gd.ts';
import { createObjective } from '../core/objectiveFactory.ts';
import type { Job, LossFloorResult } from './protocol.ts';
import type { JobContext } from './jobs.ts';

/** The long run's length: the caption's "L after 5 000 Armijo steps". */
export const LOSS_FLOOR_ITERS = 5000;
/** Stop once one step changes L by at most this fraction: float64 cannot resolve much less. */
const FLAT = 1e-15;
/** Steps between two pauses, where a newer job's cancel gets through. */
const SLICE = 100;

export async function runLossFloor(job: Extract<Job, { kind: 'lossFloor' }>, ctx: JobContext): Promise<LossFloorResult> {
  const start = performance.now();
  const problem = syntheticProblem(job.spec);
  const gd = new GradientDescent(
    problem,
    { lambda: job.lambda, clip: job.clip, eta: 0.05, iters: LOSS_FLOOR_ITERS, step: 'armijo', tolerance: FLAT },
    createObjective(problem, job.lambda),
  );
  while (gd.status === 'running') {
    gd.advance(Math.min(SLICE, LOSS_FLOOR_ITERS - gd.iteration));
    await ctx.pause();
  }
  const h = gd.lossHistory;
  return { value: h[h.length - 1], iterations: gd.iteration, converged: gd.status === 'converged', timeMs: performance.now() - start };
}
