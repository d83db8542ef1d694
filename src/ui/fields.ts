/**
 * State fields several widgets share, defined once: the synthetic problem's seed,
 * weight scale and causal flag, and gradient descent's λ, η and T (whose defaults
 * are the core's GD_DEFAULTS, so the page and the CLI start from the same run).
 */
import { GD_DEFAULTS } from '../core/gd.ts';
import type { SyntheticSpec } from '../core/synthetic.ts';

export const PROBLEM_FIELDS = {
  scale: { kind: 'float', label: 'weight scale', default: 3, min: 0.1, max: 10 },
  seed: { kind: 'int', label: 'seed', default: 1, min: 0, max: 999999 },
  causal: { kind: 'bool', label: 'causal', default: false },
} as const;

export const GD_FIELDS = {
  lambda: { kind: 'float', label: 'λ (pull toward 0)', default: GD_DEFAULTS.lambda, min: 0, max: 10 },
  eta: { kind: 'float', label: 'step η', default: GD_DEFAULTS.eta, min: 1e-6, max: 1000 },
  iters: { kind: 'int', label: 'iterations T', default: GD_DEFAULTS.iters, min: 0, max: 5000 },
} as const;

/** The seeded recipe of a widget's synthetic problem. */
export function specOf(s: { n: number; d: number; seed: number; scale: number; causal: boolean }): SyntheticSpec {
  return { n: s.n, d: s.d, seed: s.seed, scale: s.scale, causal: s.causal };
}
