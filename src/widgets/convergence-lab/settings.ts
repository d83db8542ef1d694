/**
 * The convergence lab's settings without DOM (the unit tests import them): its fields,
 * the paper's form / our defaults switch, and the gradient-descent options a state runs.
 * It opens on Algorithm 1 in the paper's form (LAB_EXAMPLE).
 */
import type { Schema, StateOf } from '../../ui/state.ts';
import type { GdOptions } from '../../core/gd.ts';
import { PROBLEM_FIELDS, GD_FIELDS } from '../../ui/fields.ts';
import { gdFormField, gdSwitch } from '../../ui/gdForm.ts';
import { LAB_EXAMPLE } from './widget.ts';

export const schema = {
  n: { kind: 'int', label: 'tokens n', default: LAB_EXAMPLE.n, min: 2, max: 256 },
  d: { kind: 'int', label: 'width d', default: LAB_EXAMPLE.d, min: 2, max: 64 },
  ...PROBLEM_FIELDS,
  seed: { ...PROBLEM_FIELDS.seed, default: LAB_EXAMPLE.seed },
  scale: { ...PROBLEM_FIELDS.scale, default: LAB_EXAMPLE.scale },
  sparsity: { kind: 'float', label: 'sparsity p', default: LAB_EXAMPLE.sparsity, min: 0, max: 0.95 },
  // The paper's form (LAB_EXAMPLE): the switch shows it, and "custom" once a field is edited.
  gdForm: gdFormField('paper'),
  ...GD_FIELDS,
  lambda: { ...GD_FIELDS.lambda, default: LAB_EXAMPLE.lambda },
  eta: { ...GD_FIELDS.eta, default: LAB_EXAMPLE.eta },
  iters: { ...GD_FIELDS.iters, default: LAB_EXAMPLE.iters },
  step: { ...GD_FIELDS.step, default: LAB_EXAMPLE.step },
  score: { ...GD_FIELDS.score, default: LAB_EXAMPLE.score },
  clip: { kind: 'bool', label: 'clip M to [0, 1]', default: false },
  engine: { kind: 'enum', label: 'arithmetic', default: 'f64', options: ['f64', 'tfjs'] },
} as const satisfies Schema;

export const SWITCHES = [gdSwitch(['lambda', 'eta', 'iters', 'step', 'score', 'clip'])];

/** Gradient descent's options in a state (the lab job's `gd`). */
export function labGd(s: StateOf<typeof schema>): GdOptions {
  return { lambda: s.lambda, eta: s.eta, iters: s.iters, clip: s.clip, step: s.step, score: s.score };
}
