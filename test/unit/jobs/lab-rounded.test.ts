/**
 * The convergence lab's second chart: the attention error of the mask rounded at
 * iteration t is exactly what `solve` gives for a run of t iterations (the same
 * Armijo path, the same rounding), and the references are the baselines' errors.
 */
import { describe, expect, it } from 'vitest';
import { runJob } from '../../../src/jobs/jobs.ts';
import { solve } from '../../../src/core/solve.ts';
import { syntheticProblem } from '../../../src/core/synthetic.ts';
import { GD_DEFAULTS } from '../../../src/core/gd.ts';
import { jobContext } from '../../helpers/jobContext.ts';

const spec = { n: 24, d: 8, seed: 3, scale: 3, causal: false };
const U = { kind: 'unstructured' } as const;

describe('the lab job’s rounded-error curve', () => {
  for (const step of ['armijo', 'fixed'] as const) {
    it(`equals solve() at every snapshot t (${step} steps)`, async () => {
      const gd = { ...GD_DEFAULTS, iters: 24, step, lambda: 0.1 };
      const r = await runJob({ kind: 'lab', spec, sparsity: 0.5, gd, engine: 'f64', snapshots: 8 }, jobContext());
      expect(r.roundedError.length).toBe(r.snapshots.length);
      const problem = syntheticProblem(spec);
      for (const p of r.roundedError) {
        const s = solve(problem, 'gd', { sparsity: 0.5, granularity: U, gd: { ...gd, iters: p.iteration } });
        expect(p.error, `t = ${p.iteration}`).toBeCloseTo(s.metrics.attentionError, 12);
      }
      for (const ref of r.references.filter((x) => x.method !== 'exhaustive')) {
        expect(ref.error).toBeCloseTo(solve(problem, ref.method, { sparsity: 0.5, granularity: U }).metrics.attentionError, 12);
      }
      if (step === 'armijo') expect(r.raisedAt).toEqual([]);
      expect(r.convergence.stepsRaisedL).toBe(r.raisedAt.length);
    });
  }

  it('adds the exhaustive optimum as a reference where d is small enough', async () => {
    const r = await runJob(
      { kind: 'lab', spec: { ...spec, d: 4, n: 12 }, sparsity: 0.5, gd: { ...GD_DEFAULTS, iters: 10 }, engine: 'f64', snapshots: 5 },
      jobContext(),
    );
    const opt = r.references.find((x) => x.method === 'exhaustive');
    expect(opt).toBeDefined();
    for (const x of r.references) expect(opt!.error).toBeLessThanOrEqual(x.method === 'sparsegpt' ? Infinity : x.error + 1e-12);
  });
});
