/**
 * State fields several widgets share, defined once: the synthetic problem's seed,
 * weight scale and causal flag, and gradient descent's λ, η, T, step rule and rounding (whose defaults
 * are the core's GD_DEFAULTS, so the page and the CLI start from the same run).
 */
import { GD_DEFAULTS } from '../core/gd.ts';
import { BINARISE_SCORES } from '../core/binarise.ts';
import type { SyntheticSpec } from '../core/synthetic.ts';

export const PROBLEM_FIELDS = {
  scale: { kind: 'float', label: 'weight scale', default: 3, min: 0.1, max: 10 },
  seed: { kind: 'int', label: 'seed', default: 1, min: 0, max: 999999 },
  causal: { kind: 'bool', label: 'causal', default: false },
} as const;

export const GD_FIELDS = {
  // λ, η and T matter by their order of magnitude: their sliders are logarithmic.
  lambda: { kind: 'float', label: 'λ (pull toward 0)', default: GD_DEFAULTS.lambda, min: 0, max: 10, slider: { scale: 'log', zero: 1e-4 } },
  eta: { kind: 'float', label: 'step η', default: GD_DEFAULTS.eta, min: 1e-6, max: 1000, slider: { scale: 'log' } },
  iters: { kind: 'int', label: 'iterations T', default: GD_DEFAULTS.iters, min: 0, max: 5000, slider: { scale: 'log' } },
  step: { kind: 'enum', label: 'step rule', default: GD_DEFAULTS.step, options: ['armijo', 'fixed'] },
  score: { kind: 'enum', label: 'rounding keeps the largest', default: GD_DEFAULTS.score, options: BINARISE_SCORES },
} as const;

/** Hints for the step rule and the rounding score, shared by the widgets that show them. */
export const GD_HINTS = {
  step: {
    help: 'armijo: each step is halved until L falls (inside the convergence guarantee; η is only the first trial step). fixed: the paper’s M − η∇L, which can raise L or diverge.',
  },
  score: { help: 'relaxed: M_T, the paper’s rounding. magnitude-weighted: |M_T ∘ W|. wanda-weighted: |M_T ∘ W|·‖X_i‖ (our default, chosen by an ablation).' },
} as const;

/** The seeded recipe of a widget's synthetic problem. */
export function specOf(s: { n: number; d: number; seed: number; scale: number; causal: boolean }): SyntheticSpec {
  return { n: s.n, d: s.d, seed: s.seed, scale: s.scale, causal: s.causal };
}
