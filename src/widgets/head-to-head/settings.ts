/**
 * Head to head's settings without DOM (the unit tests import them): its fields, the
 * paper's form / our defaults switch, and the comparison job a state runs. It opens on
 * Algorithm 1 in the paper's form, as chapter 7's tables and exercise (a) use it.
 */
import type { Schema, StateOf } from '../../ui/state.ts';
import type { JobOf } from '../../jobs/protocol.ts';
import type { Granularity } from '../../core/mask.ts';
import type { MethodId } from '../../core/methods.ts';
import { REFIT_IDS } from '../../core/methods.ts';
import { PROBLEM_FIELDS, specOf } from '../../ui/fields.ts';
import { gdFieldsOpeningOn, gdFormField, gdSwitch } from '../../ui/gdForm.ts';

export const SWEEP_SPARSITIES = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];
export const PATTERNS = ['unstructured', '2:4', '4:8'] as const;

export const schema = {
  n: { kind: 'int', label: 'tokens n', default: 64, min: 2, max: 256 },
  d: { kind: 'int', label: 'width d', default: 16, min: 2, max: 64 },
  ...PROBLEM_FIELDS,
  sparsity: { kind: 'float', label: 'sparsity p', default: 0.5, min: 0, max: 0.95 },
  pattern: { kind: 'enum', label: 'pattern', default: 'unstructured', options: PATTERNS },
  // After every method's mask (the CLI's solve --refit): one refit for all, so the methods stay comparable.
  refit: { kind: 'enum', label: 'refit', default: 'none', options: REFIT_IDS },
  // Chapter 7's tables run Algorithm 1 in the paper's form: the widget opens on it.
  gdForm: gdFormField('paper'),
  ...gdFieldsOpeningOn('paper'),
} as const satisfies Schema;

export const SWITCHES = [gdSwitch()];

/** "2:4" → {n: 2, m: 4}; undefined for unstructured. */
export function nm(pattern: string): { n: number; m: number } | undefined {
  const match = /^(\d+):(\d+)$/.exec(pattern);
  return match ? { n: Number(match[1]), m: Number(match[2]) } : undefined;
}

export function granularity(pattern: string): Granularity {
  const g = nm(pattern);
  return g ? { kind: 'nm', n: g.n, m: g.m } : { kind: 'unstructured' };
}

/** Gradient descent's options in a state. */
export function gdOf(s: StateOf<typeof schema>): JobOf<'compare'>['gd'] {
  return { lambda: s.lambda, eta: s.eta, iters: s.iters, step: s.step, score: s.score };
}

/** The comparison job of a state for some methods (the widget runs one per method). */
export function compareJob(s: StateOf<typeof schema>, methods: MethodId[]): JobOf<'compare'> {
  return { kind: 'compare', spec: specOf(s), sparsity: s.sparsity, granularity: granularity(s.pattern), methods, gd: gdOf(s), refit: s.refit };
}
