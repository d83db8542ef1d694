/**
 * The gradient check's settings without DOM (the unit tests import them): its fields,
 * the presets, and the job a state runs. It opens on chapter 4's example.
 */
import type { Schema, StateOf } from '../../ui/state.ts';
import type { Preset } from '../../ui/widget-base.ts';
import type { JobOf } from '../../jobs/protocol.ts';
import { PROBLEM_FIELDS, specOf } from '../../ui/fields.ts';
import { GRADIENT_CHECK_EXAMPLE as EXAMPLE } from '../../site/numbers/problems.ts';
import { stepOfExponent } from '../../jobs/gradcheck.ts';

export const schema = {
  n: { kind: 'int', label: 'tokens n', default: EXAMPLE.n, min: 1, max: 64 },
  d: { kind: 'int', label: 'width d', default: EXAMPLE.d, min: 1, max: 6 },
  scale: { ...PROBLEM_FIELDS.scale, default: EXAMPLE.scale },
  seed: { ...PROBLEM_FIELDS.seed, default: EXAMPLE.seed },
  lambda: { kind: 'float', label: 'λ (pull toward 0)', default: EXAMPLE.lambda, min: 0, max: 10, slider: { scale: 'log', zero: 1e-4 } },
  causal: PROBLEM_FIELDS.causal,
  spread: { kind: 'float', label: 'spread of M = 1 + spread·noise', default: EXAMPLE.spread, min: 0, max: 5 },
  logh: { kind: 'float', label: 'step h = 10^k: k', default: EXAMPLE.logh, min: -15, max: -1, slider: { step: 0.5 } },
} as const satisfies Schema;

/** The chapter's example, whole: every preset starts from it, so a preset shows the same head whatever came before. */
export const EXAMPLE_STATE: StateOf<typeof schema> = {
  n: EXAMPLE.n,
  d: EXAMPLE.d,
  scale: EXAMPLE.scale,
  seed: EXAMPLE.seed,
  lambda: EXAMPLE.lambda,
  causal: false,
  spread: EXAMPLE.spread,
  logh: EXAMPLE.logh,
};

export const PRESETS: readonly Preset<typeof schema>[] = [
  {
    label: 'the example above',
    state: EXAMPLE_STATE,
    note: 'The example the chapter quotes: the largest difference and the relative error match the paragraph above.',
  },
  {
    label: 'causal',
    state: { ...EXAMPLE_STATE, causal: true },
    note: 'The same head with causal attention: the chapter’s second number, the largest difference in the causal case.',
  },
  {
    label: 'M = 1, λ = 0',
    state: { ...EXAMPLE_STATE, spread: 0, lambda: 0 },
    note: 'The unpruned mask with no pull toward 0: the closed-form gradient is exactly zero, the stationary point of the next section.',
  },
  {
    label: 'M = 1, λ = 0.1',
    state: { ...EXAMPLE_STATE, spread: 0 },
    note: 'The unpruned mask with λ = 0.1: only the pull toward 0 is left, ∇L(1) = λ·1 exactly.',
  },
  { label: 'h too large', state: { ...EXAMPLE_STATE, logh: -1 }, note: 'h = 10⁻¹: truncation error dominates (it shrinks like h²).' },
  { label: 'h too small', state: { ...EXAMPLE_STATE, logh: -13 }, note: 'h = 10⁻¹³: round-off dominates (it grows like ε·|L|/h).' },
];

/** The worker job for a state. */
export function jobOf(s: StateOf<typeof schema>): JobOf<'gradcheck'> {
  return { kind: 'gradcheck', spec: specOf(s), lambda: s.lambda, spread: s.spread, h: stepOfExponent(s.logh) };
}
