/**
 * The lab opens on the run chapter 5's prose discusses, and its presets are the prose's
 * examples: the same head (HOME_PROBLEM), Algorithm 1 in the paper's form, the divergent step.
 * Also the page-side F′: the mask rounded at a snapshot, applied to W, through the core's attention.
 */
import { describe, expect, it } from 'vitest';
import { HOME_PROBLEM, convergence } from '../../../src/site/numbers/examples.ts';
import { GD_PAPER_FORM } from '../../../src/core/gd.ts';
import { LAB_DIVERGENT_ETA, LAB_EXAMPLE } from '../../../src/widgets/convergence-lab/widget.ts';
import { attentionAt } from '../../../src/widgets/convergence-lab/snapshot.ts';
import { runJob } from '../../../src/jobs/jobs.ts';
import { jobContext } from '../../helpers/jobContext.ts';
import { syntheticProblem } from '../../../src/core/synthetic.ts';
import { attention } from '../../../src/core/attention.ts';
import { applyMask } from '../../../src/core/mask.ts';

describe('convergence lab: the example above', () => {
  it('is the prose’s head and the paper’s form of Algorithm 1', () => {
    const { n, d, seed, scale } = LAB_EXAMPLE;
    expect({ n, d, seed, scale }).toEqual({ ...HOME_PROBLEM });
    const { lambda, eta, iters, step, score } = LAB_EXAMPLE;
    expect({ lambda, eta, iters, step, score }).toEqual({
      lambda: GD_PAPER_FORM.lambda,
      eta: GD_PAPER_FORM.eta,
      iters: GD_PAPER_FORM.iters,
      step: GD_PAPER_FORM.step,
      score: GD_PAPER_FORM.score,
    });
    const cv = convergence();
    expect(LAB_DIVERGENT_ETA).toBe(cv.badEta);
  });

  it('the lab job on it gives the prose’s L(M₀), L(M_T), attention term and divergence message', async () => {
    const cv = convergence();
    const spec = { ...HOME_PROBLEM, causal: false };
    const gd = { lambda: LAB_EXAMPLE.lambda, eta: LAB_EXAMPLE.eta, iters: LAB_EXAMPLE.iters, step: LAB_EXAMPLE.step, score: LAB_EXAMPLE.score };
    const r = await runJob({ kind: 'lab', spec, sparsity: LAB_EXAMPLE.sparsity, gd, engine: 'f64', snapshots: 60 }, jobContext());
    expect(r.lossHistory[0]).toBe(cv.L0);
    expect(r.lossHistory[LAB_EXAMPLE.iters]).toBe(cv.LT);
    expect(r.attentionLossHistory[LAB_EXAMPLE.iters]).toBe(cv.attnT);
    const bad = await runJob(
      { kind: 'lab', spec, sparsity: LAB_EXAMPLE.sparsity, gd: { ...gd, eta: LAB_DIVERGENT_ETA }, engine: 'f64', snapshots: 60 },
      jobContext(),
    );
    expect(bad.divergence?.message).toBe(cv.badMessage);
    expect(bad.lossHistory).toHaveLength(LAB_EXAMPLE.iters + 1);
    // F′ at a snapshot, as the page computes it, is the attention of the pruned head.
    const problem = syntheticProblem(spec);
    const sn = r.snapshots[10];
    const mask = { rows: 16, cols: 16, data: Float64Array.from(sn.rounded) };
    expect(Array.from(attentionAt(r, sn.rounded))).toEqual(Array.from(attention(problem.X, applyMask(mask, problem.W), false).data));
    const fT = attentionAt(r, r.snapshots.at(-1)!.rounded);
    expect(Array.from(fT)).toEqual(Array.from(r.final!.fPruned));
  });
});
