/**
 * Exercise links carry the answer key's settings (issue 17): a link opened in its widget
 * reads back, through the widget's own URL schema and switches, to exactly the job the
 * answer key ran, and that job gives the answer key's numbers. (The review found a link
 * without GD settings: the page showed 0.568 where the key said 0.4053.)
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DIVERGENCE_PRESET, WINNER_PRESETS, divergenceGd, headToHeadLink, labLink, winnerJob } from '../../../src/teaching/presets.ts';
import * as h2h from '../../../src/widgets/head-to-head/settings.ts';
import * as lab from '../../../src/widgets/convergence-lab/settings.ts';
import { readState } from '../../../src/ui/state.ts';
import { runJob } from '../../../src/jobs/jobs.ts';
import { jobContext } from '../../helpers/jobContext.ts';
import { syntheticProblem } from '../../../src/core/synthetic.ts';
import { solve } from '../../../src/core/solve.ts';
import { GD_DEFAULTS, GD_PAPER_FORM } from '../../../src/core/gd.ts';
import { gdFlags } from '../../../src/ui/shell.ts';

const paramsOf = (link: string): URLSearchParams => new URL(link, 'https://example.org').searchParams;

describe('the head-to-head links of exercise (a)', () => {
  for (const p of WINNER_PRESETS) {
    it(`problem ${p.id}: the link's state runs the answer key's job and shows its numbers`, async () => {
      const key = winnerJob(p);
      const { state, notes } = readState(h2h.schema, paramsOf(headToHeadLink(p)), 'h2h', h2h.SWITCHES);
      expect(notes).toEqual([]);
      expect(state.gdForm).toBe('paper');
      const job = h2h.compareJob(state, [...key.methods]);
      // Options the widget has no field for (clip, tolerance) are the solver's defaults in both.
      const full = (gd: object) => ({ ...GD_DEFAULTS, ...gd });
      expect({ ...job, gd: full(job.gd) }).toEqual({ ...key, refit: 'none', gd: full(key.gd) });
      // The widget's numbers (its worker job) equal the answer key's computation (solve, as the key page runs it).
      const shown = await runJob(job, jobContext());
      const problem = syntheticProblem(key.spec);
      for (const o of shown.outcomes) {
        const answer = solve(problem, o.method, { sparsity: key.sparsity, granularity: key.granularity, gd: key.gd });
        expect(o.metrics.attentionError, `${p.id} ${o.method}`).toBe(answer.metrics.attentionError);
      }
    });
  }

  it('still holds if the widget opened on our defaults: the link sets every GD field itself', () => {
    const p = WINNER_PRESETS[0];
    const params = paramsOf(headToHeadLink(p));
    for (const k of ['lambda', 'eta', 'iters', 'step', 'score', 'refit']) expect(params.has(`h2h.${k}`), k).toBe(true);
    const gd = h2h.gdOf(readState(h2h.schema, params, 'h2h', h2h.SWITCHES).state);
    expect(gd).toEqual({
      lambda: GD_PAPER_FORM.lambda,
      eta: GD_PAPER_FORM.eta,
      iters: GD_PAPER_FORM.iters,
      step: GD_PAPER_FORM.step,
      score: GD_PAPER_FORM.score,
    });
    expect(gd.lambda).not.toBe(GD_DEFAULTS.lambda);
  });
});

describe('the convergence-lab links of exercise (c)', () => {
  for (const eta of [undefined, 0.5, 3]) {
    it(`η = ${eta ?? 'the default'}: the lab runs the exercise's problem and gradient descent`, () => {
      const { state, notes } = readState(lab.schema, paramsOf(labLink(eta)), 'lab', lab.SWITCHES);
      expect(notes).toEqual([]);
      const p = DIVERGENCE_PRESET;
      expect([state.n, state.d, state.seed, state.scale, state.causal]).toEqual([p.n, p.d, p.seed, p.scale, false]);
      const gd = divergenceGd(eta);
      expect(lab.labGd(state)).toEqual({ lambda: gd.lambda, eta: gd.eta, iters: gd.iters, clip: gd.clip, step: gd.step, score: gd.score });
      expect(state.gdForm).toBe(eta === undefined ? 'paper' : 'custom');
    });
  }
});

describe('CLI lines beside chapter 7’s tables', () => {
  it('the footnote’s solve line carries the paper-form flags the tables used', () => {
    const text = readFileSync('content/head-to-head.mdx', 'utf8');
    expect(gdFlags(GD_PAPER_FORM).join(' ')).toBe('--step fixed --lambda 0.1 --eta 0.05 --iters 300 --score relaxed');
    expect(text).toContain(`solve --problem P.json --method gd --sparsity 0.75 ${gdFlags(GD_PAPER_FORM).join(' ')}`);
    expect(gdFlags(GD_DEFAULTS)).toEqual([]);
  });
});
