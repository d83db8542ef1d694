/**
 * The slider beside a numeric field: which fields get one, and how a slider position
 * maps to a value. Pure (no DOM), so the mapping is unit-tested and the widget base only
 * wires it to an `<input type="range">`.
 *
 * A linear slider's positions are the values themselves (min…max by a "nice" step).
 * A log slider's positions are the values 1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8 times each power
 * of ten (LOG_MANTISSAS); when the field's minimum is 0 (λ, T), the first position is 0
 * and the next one is `zero`.
 */
import type { FieldSpec } from './state.ts';

export interface SliderSpec {
  /** 'log' for parameters that matter by their order of magnitude (λ, η, T). */
  scale?: 'linear' | 'log';
  /** Linear: the distance between positions (default: a nice step, about 1/100 of the range). */
  step?: number;
  /** Log, with min 0: the smallest non-zero value (default max·10⁻⁴). */
  zero?: number;
}

/** A field's slider, resolved: the range input's attributes and the two maps. */
export interface Slider {
  scale: 'linear' | 'log';
  /** Attributes of the range input. */
  min: number;
  max: number;
  step: number;
  /** The value at a position of the range input. */
  valueAt(position: number): number;
  /** The position that shows a value (the nearest one, clamped to the range). */
  positionOf(value: number): number;
}

/** The log sliders' values within each factor of ten (about ×1.25 apart: common settings such as 0.05, 3, 60 and 300 are on it). */
export const LOG_MANTISSAS: readonly number[] = [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8];

type NumericSpec = Extract<FieldSpec, { kind: 'int' | 'float' }>;

/**
 * Whether a field gets a slider, and which. A field or a widget's hint can say
 * `slider: false` or `slider: {…}`; otherwise every float field gets a linear slider,
 * and an int field one when its range has at least 5 values and it is not a seed
 * (a seed's neighbours are unrelated problems: it stays a number box).
 */
export function sliderFor(key: string, spec: FieldSpec, hint?: SliderSpec | false): Slider | undefined {
  if (spec.kind !== 'int' && spec.kind !== 'float') return undefined;
  const declared = hint ?? spec.slider;
  if (declared === false) return undefined;
  if (declared === undefined) {
    const isSeed = /seed/i.test(key) || /seed/i.test(spec.label);
    if (spec.kind === 'int' && (isSeed || spec.max - spec.min < 4)) return undefined;
  }
  if (!(Number.isFinite(spec.min) && Number.isFinite(spec.max) && spec.max > spec.min)) return undefined;
  return declared?.scale === 'log' ? logSlider(spec, declared.zero) : linearSlider(spec, declared?.step);
}

/** 1, 2 or 5 times a power of ten, near `x`. */
export function niceStep(x: number): number {
  const e = Math.floor(Math.log10(x));
  const f = x / 10 ** e;
  const m = f < 1.5 ? 1 : f < 3.5 ? 2 : f < 7.5 ? 5 : 10;
  return roundTo(m * 10 ** e, 15);
}

/** x rounded to the decimals of `step` (a range input's value, without binary noise). */
function roundToStep(x: number, step: number): number {
  const decimals = Math.max(0, Math.ceil(-Math.log10(step) + 1e-9));
  return roundTo(x, Math.min(15, decimals + 1));
}

function roundTo(x: number, decimals: number): number {
  return Number(x.toFixed(decimals));
}

function clamp(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}

function linearSlider(spec: NumericSpec, declaredStep?: number): Slider {
  const step = spec.kind === 'int' ? Math.max(1, Math.round(declaredStep ?? 1)) : (declaredStep ?? niceStep((spec.max - spec.min) / 100));
  return {
    scale: 'linear',
    min: spec.min,
    max: spec.max,
    step,
    valueAt: (p) => {
      const v = clamp(spec.min + Math.round((p - spec.min) / step) * step, spec.min, spec.max);
      return spec.kind === 'int' ? Math.round(v) : roundToStep(v, step);
    },
    positionOf: (v) => clamp(v, spec.min, spec.max),
  };
}

function logSlider(spec: NumericSpec, zero?: number): Slider {
  const values = logGrid(spec, zero);
  return {
    scale: 'log',
    min: 0,
    max: values.length - 1,
    step: 1,
    valueAt: (p) => values[clamp(Math.round(p), 0, values.length - 1)],
    positionOf: (v) => {
      // The nearest grid value on a log axis; 0 for values below half the first non-zero one.
      if (values[0] === 0 && v < values[1]) return v < values[1] / 2 ? 0 : 1;
      let best = values[0] === 0 ? 1 : 0;
      for (let i = best; i < values.length; i++) if (Math.abs(Math.log(v / values[i])) < Math.abs(Math.log(v / values[best]))) best = i;
      return best;
    },
  };
}

/**
 * The values of a log slider: 1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8 times each power of ten
 * from the smallest non-zero value to the maximum (both included), 0 first when the field
 * allows it; whole numbers only for an int field.
 */
function logGrid(spec: NumericSpec, zero?: number): number[] {
  const hasZero = spec.min <= 0;
  const lo = hasZero ? (zero ?? (spec.kind === 'int' ? 1 : spec.max * 1e-4)) : spec.min;
  const out: number[] = hasZero ? [0, lo] : [lo];
  for (let e = Math.floor(Math.log10(lo)); 10 ** e <= spec.max; e++) {
    for (const m of LOG_MANTISSAS) {
      let v = Number((m * 10 ** e).toPrecision(3));
      if (spec.kind === 'int') v = Math.round(v);
      if (v > out[out.length - 1] * (1 + 1e-12) && v < spec.max * (1 - 1e-12)) out.push(v);
    }
  }
  if (spec.max > out[out.length - 1]) out.push(spec.max);
  return out;
}
