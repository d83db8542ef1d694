/**
 * The widgets open on the examples their chapters discuss: the default state and the
 * presets run (through the worker's very job functions) the problems whose numbers the
 * prose quotes, and reproduce those numbers.
 */
import { describe, expect, it } from 'vitest';
import { runJob } from '../../../src/jobs/jobs.ts';
import { jobContext } from '../../helpers/jobContext.ts';
import { defaults, readState, setItems, setValue, switchValue, type Schema, type StateOf } from '../../../src/ui/state.ts';
import * as h2h from '../../../src/widgets/head-to-head/settings.ts';
import * as lab from '../../../src/widgets/convergence-lab/settings.ts';
import { MODEL_METHOD_IDS, PAGE_DEFAULT_METHODS, PAGE_FAIR_FIGHT, REFIT_IDS, methodInfo } from '../../../src/core/methods.ts';
import type { Preset } from '../../../src/ui/widget-base.ts';
import { gradientCheck, nearOptimalHead, rankAtK } from '../../../src/site/numbers/examples.ts';
import { GD_DEFAULTS, GD_PAPER_FORM } from '../../../src/core/gd.ts';
import * as gc from '../../../src/widgets/gradient-check/settings.ts';
import * as ex from '../../../src/widgets/exhaustive/settings.ts';

function preset<S extends Schema>(presets: readonly Preset<S>[], label: string, schema: S): StateOf<S> {
  const p = presets.find((x) => x.label === label);
  if (!p) throw new Error(`no preset "${label}"`);
  return { ...defaults(schema), ...p.state };
}

describe('gradient check (chapter 4)', () => {
  const prose = gradientCheck();

  it('opens on the example above, and that preset is the same state', () => {
    expect(defaults(gc.schema)).toEqual(gc.EXAMPLE_STATE);
    expect(preset(gc.PRESETS, 'the example above', gc.schema)).toEqual(defaults(gc.schema));
    expect(gc.PRESETS[0].label).toBe('the example above');
  });

  it('the example and the causal preset reproduce the numbers the prose quotes', async () => {
    for (const [label, quoted] of [
      ['the example above', prose.full],
      ['causal', prose.causal],
    ] as const) {
      const r = await runJob(gc.jobOf(preset(gc.PRESETS, label, gc.schema)), jobContext());
      expect(r.maxAbsDiff, label).toBe(quoted.maxDiff);
      expect(r.maxAbsClosed, label).toBe(quoted.maxGrad);
      expect(r.relativeError, label).toBe(quoted.relative);
      expect(r.h).toBe(prose.h);
    }
  });

  it('M = 1 presets: exactly zero with λ = 0, exactly λ in every entry with λ = 0.1', async () => {
    const zero = await runJob(gc.jobOf(preset(gc.PRESETS, 'M = 1, λ = 0', gc.schema)), jobContext());
    expect(zero.exactlyZero).toBe(true);
    const pull = await runJob(gc.jobOf(preset(gc.PRESETS, 'M = 1, λ = 0.1', gc.schema)), jobContext());
    expect(prose.full.atOne).toBe(0);
    for (const g of pull.closedForm) expect(g).toBe(prose.lambda);
  });

  it('h too large and too small are on either side of the best step', async () => {
    const large = await runJob(gc.jobOf(preset(gc.PRESETS, 'h too large', gc.schema)), jobContext());
    const small = await runJob(gc.jobOf(preset(gc.PRESETS, 'h too small', gc.schema)), jobContext());
    expect(large.h).toBeGreaterThan(large.bestH);
    expect(small.h).toBeLessThan(small.bestH);
    expect(large.relativeError!).toBeGreaterThan(1e-6);
    expect(small.relativeError!).toBeGreaterThan(100 * prose.full.relative);
  });
});

describe('exhaustive search (chapter 6)', () => {
  const paperFour = ['gd', 'magnitude', 'wanda', 'sparsegpt'] as const;

  it('opens on the chapter’s head at k = 8 with gradient descent in the paper’s form', () => {
    expect(defaults(ex.schema)).toEqual(ex.EXAMPLE_STATE);
    expect(preset(ex.PRESETS, 'the example above', ex.schema)).toEqual(defaults(ex.schema));
  });

  it('the example reproduces the first table: optimum, each method’s loss and rank', async () => {
    const head = nearOptimalHead();
    const r = await runJob(ex.jobOf(defaults(ex.schema)), jobContext());
    expect(r.masks).toBe(head.ex.masks);
    expect(r.optimum).toBe(head.ex.optimum);
    expect(Array.from(r.losses)).toEqual(Array.from(head.ex.losses));
    for (const m of paperFour) {
      const mine = r.methods.find((x) => x.method === m)!;
      const quoted = head.rows.find((x) => x.method === m)!;
      expect(mine.attentionLoss, m).toBe(quoted.loss);
      expect(mine.rank, m).toBe(quoted.rank);
    }
  });

  it('“GD: our defaults” and “high sparsity” reproduce their rows of the every-k table', async () => {
    const ours = preset(ex.PRESETS, 'GD: our defaults', ex.schema);
    expect([ours.lambda, ours.eta, ours.iters, ours.step, ours.score]).toEqual([
      GD_DEFAULTS.lambda,
      GD_DEFAULTS.eta,
      GD_DEFAULTS.iters,
      GD_DEFAULTS.step,
      GD_DEFAULTS.score,
    ]);
    const row8 = rankAtK(8);
    const r8 = await runJob(ex.jobOf(ours), jobContext());
    expect(r8.methods.find((x) => x.method === 'gd')!.rank).toBe(row8.gd);
    const high = preset(ex.PRESETS, 'high sparsity', ex.schema);
    const row = rankAtK(high.k);
    const r = await runJob(ex.jobOf(high), jobContext());
    expect(r.masks).toBe(row.masks);
    expect(r.methods.find((x) => x.method === 'gd')!.rank).toBe(row.paper);
    for (const m of ['magnitude', 'wanda', 'sparsegpt', 'swap'] as const) expect(r.methods.find((x) => x.method === m)!.rank, m).toBe(row[m]);
  });
});

describe('the paper’s form / our defaults switch opens on what the fields say', () => {
  it('head to head and the lab open on the paper’s form, the exhaustive search too; each default state is settled', () => {
    for (const [name, w, prefix] of [
      ['head to head', h2h, 'h2h'],
      ['lab', lab, 'lab'],
      ['exhaustive', ex, 'exhaustive'],
    ] as const) {
      const open = readState(w.schema as Schema, new URLSearchParams(), prefix, w.SWITCHES).state as Record<string, unknown>;
      expect(open, name).toEqual(defaults(w.schema as Schema));
      expect(open.gdForm, name).toBe('paper');
      expect([open.lambda, open.eta, open.iters, open.step, open.score], name).toEqual([
        GD_PAPER_FORM.lambda,
        GD_PAPER_FORM.eta,
        GD_PAPER_FORM.iters,
        GD_PAPER_FORM.step,
        GD_PAPER_FORM.score,
      ]);
    }
  });

  it('the exhaustive search’s presets name the form their fields are in', () => {
    for (const p of ex.PRESETS) {
      const state = { ...defaults(ex.schema), ...p.state };
      expect(switchValue(ex.SWITCHES[0], state), p.label).toBe(state.gdForm);
    }
  });
});

describe('the fair fight preset of the model widgets', () => {
  it('is SparseGPT and both swap searches, each with the linear and the attention refit, as set values the controls write', () => {
    expect(setValue(MODEL_METHOD_IDS, setItems(PAGE_FAIR_FIGHT.methods))).toBe(PAGE_FAIR_FIGHT.methods);
    expect(setValue(REFIT_IDS, setItems(PAGE_FAIR_FIGHT.refits))).toBe(PAGE_FAIR_FIGHT.refits);
    expect(new Set(setItems(PAGE_FAIR_FIGHT.methods))).toEqual(new Set(['sparsegpt', 'swap-linear', 'swap']));
    expect(setItems(PAGE_FAIR_FIGHT.refits)).toEqual(['linear', 'attention']);
    // Each twin pair is in it: the objective is the only difference.
    expect(setItems(PAGE_FAIR_FIGHT.methods)).toContain(methodInfo('swap').twin);
    // The defaults stay the paper's four without refit (chapter 8's CPU budget).
    expect(PAGE_DEFAULT_METHODS).toBe('gd,magnitude,wanda,sparsegpt');
  });
});
