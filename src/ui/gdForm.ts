/**
 * One switch for gradient descent's settings (issue 17): the paper's form of Algorithm 1
 * (fixed step η 0.05, λ 0.1, T 300, rounding by M_T: the CLI's `--step fixed --lambda 0.1
 * --eta 0.05 --iters 300 --score relaxed`) or our defaults (GD_DEFAULTS, chosen by the
 * ablation). Every widget that runs gradient descent carries it in its URL; editing one
 * of the fields afterwards makes it "custom".
 */
import { GD_DEFAULTS, GD_PAPER_FORM, type GdOptions } from '../core/gd.ts';
import type { FieldSwitch } from './state.ts';
import { GD_FIELDS, GD_HINTS } from './fields.ts';

/** The gradient-descent fields a widget can show (the names of GD_FIELDS, and the lab's clip). */
export type GdFieldKey = 'lambda' | 'eta' | 'iters' | 'step' | 'score' | 'clip';
const ALL_KEYS: readonly GdFieldKey[] = ['lambda', 'eta', 'iters', 'step', 'score', 'clip'];

export type GdForm = 'paper' | 'ours';

/** The two named forms, in full (every option the solver reads). */
export const GD_FORMS: Readonly<Record<GdForm, Readonly<Required<GdOptions>>>> = { paper: GD_PAPER_FORM, ours: GD_DEFAULTS };

const LABELS = { paper: 'the paper’s form', ours: 'our defaults', custom: 'custom' } as const;

/** The switch's field, for a widget whose GD fields can also be edited one by one. */
export function gdFormField(initial: GdForm) {
  return {
    kind: 'enum',
    label: 'gradient descent settings',
    default: initial,
    options: ['paper', 'ours', 'custom'],
    labels: LABELS,
  } as const;
}

/** The switch alone, for a widget that shows no GD fields (its runs use exactly one of the forms). */
export function gdFormOnlyField(initial: GdForm) {
  return { kind: 'enum', label: 'gradient descent settings', default: initial, options: ['paper', 'ours'], labels: LABELS } as const;
}

/** The switch over the GD fields a widget shows (`keys`), under the switch's key `gdForm`. */
export function gdSwitch(keys: readonly GdFieldKey[] = ['lambda', 'eta', 'iters', 'step', 'score']): FieldSwitch {
  const pick = (o: Required<GdOptions>): Record<string, unknown> => Object.fromEntries(keys.filter((k) => ALL_KEYS.includes(k)).map((k) => [k, o[k]]));
  return { key: 'gdForm', forms: { paper: pick(GD_FORMS.paper), ours: pick(GD_FORMS.ours) }, custom: 'custom' };
}

/** The GD field defaults of a widget that opens on `form` (to spread over GD_FIELDS' defaults). */
export function gdDefaults(form: GdForm): { lambda: number; eta: number; iters: number; step: 'armijo' | 'fixed'; score: Required<GdOptions>['score'] } {
  const f = GD_FORMS[form];
  return { lambda: f.lambda, eta: f.eta, iters: f.iters, step: f.step, score: f.score };
}

/** Help text for the switch. */
export const GD_FORM_HELP =
  'the paper’s form: Algorithm 1 as published (fixed step η 0.05, λ 0.1, T 300, rounding by M_T). our defaults: Armijo steps, λ 0.001, T 60, rounding by |M_T ∘ W|·‖X_i‖ (chosen by our ablation). Editing a field below makes it custom.';

/** GD_FIELDS with the defaults of `form`: a widget that opens on the paper's form (chapter 7, the lab). */
export function gdFieldsOpeningOn(form: GdForm) {
  const d = gdDefaults(form);
  return {
    lambda: { ...GD_FIELDS.lambda, default: d.lambda },
    eta: { ...GD_FIELDS.eta, default: d.eta },
    iters: { ...GD_FIELDS.iters, default: d.iters },
    step: { ...GD_FIELDS.step, default: d.step },
    score: { ...GD_FIELDS.score, default: d.score },
  } as const;
}

/** The model widgets' gradient-descent fields (the switch on our defaults, then λ, η, T, step rule, rounding), labelled "(gd)": only gd reads them. */
export const MODEL_GD_FIELDS = {
  gdForm: gdFormField('ours'),
  lambda: { ...GD_FIELDS.lambda, label: 'λ (gd)' },
  eta: { ...GD_FIELDS.eta, label: 'step η (gd)' },
  iters: { ...GD_FIELDS.iters, label: 'iterations T (gd)', max: 2000 },
  step: { ...GD_FIELDS.step, label: 'step rule (gd)' },
  score: { ...GD_FIELDS.score, label: 'rounding (gd)' },
} as const;

/** Their hints. */
export const MODEL_GD_HINTS = { gdForm: { help: GD_FORM_HELP }, step: GD_HINTS.step, score: GD_HINTS.score } as const;
