/**
 * The exhaustive search's settings without DOM (the unit tests import them): its fields,
 * the presets, and the job a state runs. It opens on chapter 6's head.
 */
import type { Schema, StateOf } from '../../ui/state.ts';
import type { Preset } from '../../ui/widget-base.ts';
import type { JobOf } from '../../jobs/protocol.ts';
import { PROBLEM_FIELDS, GD_FIELDS } from '../../ui/fields.ts';
import { GD_DEFAULTS, GD_PAPER_FORM } from '../../core/gd.ts';
import { binomial } from '../../core/exhaustive.ts';
import { count } from '../../ui/format.ts';
import { gdFormField, gdSwitch } from '../../ui/gdForm.ts';
import { EXHAUSTIVE_K, EXHAUSTIVE_PROBLEM } from '../../site/numbers/problems.ts';

/** The width is fixed: 16 entries keep every C(16, k) ≤ 12 870 masks evaluable in well under a second. */
export const D = 4;
export const ENTRIES = D * D;

/** The gradient-descent settings of a run, as the widget's fields. */
const gdState = (o: typeof GD_PAPER_FORM) => ({ lambda: o.lambda, eta: o.eta, iters: o.iters, step: o.step, score: o.score });
const PAPER = gdState(GD_PAPER_FORM);

export const schema = {
  n: { kind: 'int', label: 'tokens n', default: EXHAUSTIVE_PROBLEM.n, min: 2, max: 64 },
  scale: { ...PROBLEM_FIELDS.scale, default: EXHAUSTIVE_PROBLEM.scale },
  seed: { ...PROBLEM_FIELDS.seed, default: EXHAUSTIVE_PROBLEM.seed },
  causal: PROBLEM_FIELDS.causal,
  k: { kind: 'int', label: 'pruned entries k (of 16)', default: EXHAUSTIVE_K, min: 1, max: 15 },
  // The chapter's tables run gradient descent in the paper's form: so does the widget, until the reader changes it.
  gdForm: gdFormField('paper'),
  lambda: { ...GD_FIELDS.lambda, default: PAPER.lambda },
  eta: { ...GD_FIELDS.eta, default: PAPER.eta },
  iters: { ...GD_FIELDS.iters, default: PAPER.iters },
  step: { ...GD_FIELDS.step, default: PAPER.step },
  score: { ...GD_FIELDS.score, default: PAPER.score },
} as const satisfies Schema;

/** The chapter's example, whole: every preset starts from it. */
export const EXAMPLE_STATE: StateOf<typeof schema> = {
  n: EXHAUSTIVE_PROBLEM.n,
  scale: EXHAUSTIVE_PROBLEM.scale,
  seed: EXHAUSTIVE_PROBLEM.seed,
  causal: false,
  k: EXHAUSTIVE_K,
  gdForm: 'paper',
  ...PAPER,
};

/** The paper's form / our defaults switch over the GD fields. */
export const SWITCHES = [gdSwitch()];

export const PRESETS: readonly Preset<typeof schema>[] = [
  {
    label: 'the example above',
    state: EXAMPLE_STATE,
    note: 'The head of the chapter’s first table (n = 32, seed 1, weight scale 1, k = 8, gradient descent in the paper’s form): the same losses and ranks.',
  },
  {
    label: 'GD: our defaults',
    state: { ...EXAMPLE_STATE, gdForm: 'ours', ...gdState(GD_DEFAULTS) },
    note: `Gradient descent with the defaults of chapter 10 (${GD_DEFAULTS.step === 'armijo' ? 'Armijo' : 'fixed'} steps, λ = ${GD_DEFAULTS.lambda}, T = ${GD_DEFAULTS.iters}, ${GD_DEFAULTS.score} rounding): the table’s “GD, our defaults” column at k = ${EXHAUSTIVE_K}.`,
  },
  { label: 'low sparsity', state: { ...EXAMPLE_STATE, k: 4 }, note: `k = 4 of 16 pruned: C(16, 4) = ${count(binomial(ENTRIES, 4))} masks.` },
  { label: 'high sparsity', state: { ...EXAMPLE_STATE, k: 12 }, note: `k = 12 of 16 pruned: C(16, 12) = ${count(binomial(ENTRIES, 12))} masks.` },
  {
    label: 'peaked attention',
    state: { ...EXAMPLE_STATE, scale: 3 },
    note: 'Weight scale 3: more peaked attention rows (chapter 7 compares the two scales).',
  },
];

/** The worker job for a state. */
export function jobOf(s: StateOf<typeof schema>): JobOf<'exhaustive'> {
  return {
    kind: 'exhaustive',
    spec: { n: s.n, d: D, seed: s.seed, scale: s.scale, causal: s.causal },
    sparsity: s.k / ENTRIES,
    gd: { lambda: s.lambda, eta: s.eta, iters: s.iters, step: s.step, score: s.score },
  };
}
