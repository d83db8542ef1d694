import { describe, expect, it } from 'vitest';
import { niceStep, LOG_MANTISSAS, sliderFor } from '../../../src/ui/slider.ts';
import { GD_FIELDS, PROBLEM_FIELDS } from '../../../src/ui/fields.ts';
import type { FieldSpec } from '../../../src/ui/state.ts';

const sparsity: FieldSpec = { kind: 'float', label: 'sparsity p', default: 0.5, min: 0, max: 0.95 };
const n: FieldSpec = { kind: 'int', label: 'tokens n', default: 64, min: 2, max: 256 };

describe('which fields get a slider', () => {
  it('floats and wide int ranges do; seeds, narrow ints and other kinds do not', () => {
    expect(sliderFor('sparsity', sparsity)?.scale).toBe('linear');
    expect(sliderFor('n', n)?.scale).toBe('linear');
    expect(sliderFor('seed', PROBLEM_FIELDS.seed)).toBeUndefined();
    expect(sliderFor('s', { kind: 'int', label: 'sequence seed', default: 1, min: 0, max: 99 })).toBeUndefined();
    expect(sliderFor('head', { kind: 'int', label: 'head shown', default: 0, min: 0, max: 3 })).toBeUndefined();
    expect(sliderFor('causal', PROBLEM_FIELDS.causal)).toBeUndefined();
    expect(sliderFor('step', GD_FIELDS.step)).toBeUndefined();
  });

  it('a hint overrides the field: false removes the slider, a spec replaces it', () => {
    expect(sliderFor('sparsity', sparsity, false)).toBeUndefined();
    expect(sliderFor('n', n, { scale: 'log' })?.scale).toBe('log');
    expect(sliderFor('seed', PROBLEM_FIELDS.seed, { scale: 'linear' })?.scale).toBe('linear');
  });

  it('λ, η and T are declared logarithmic in the shared fields', () => {
    for (const key of ['lambda', 'eta', 'iters'] as const) expect(sliderFor(key, GD_FIELDS[key])?.scale).toBe('log');
    expect(sliderFor('scale', PROBLEM_FIELDS.scale)?.scale).toBe('linear');
  });
});

describe('linear sliders', () => {
  it('step by a nice 1/100 of the range and return clean decimals', () => {
    expect(niceStep(0.0095)).toBe(0.01);
    expect(niceStep(0.099)).toBe(0.1);
    expect(niceStep(0.05)).toBe(0.05);
    const s = sliderFor('sparsity', sparsity)!;
    expect(s.step).toBe(0.01);
    expect(s.valueAt(0.3)).toBe(0.3);
    expect(s.valueAt(0.1 + 0.2)).toBe(0.3);
    expect(s.valueAt(0.95)).toBe(0.95);
    expect(s.valueAt(2)).toBe(0.95);
    const scale = sliderFor('scale', PROBLEM_FIELDS.scale)!;
    expect([scale.step, scale.valueAt(0.1), scale.valueAt(2.0000001), scale.valueAt(10)]).toEqual([0.1, 0.1, 2, 10]);
  });

  it('int sliders move by whole numbers', () => {
    const s = sliderFor('n', n)!;
    expect(s.step).toBe(1);
    expect(s.valueAt(31.6)).toBe(32);
    expect(s.positionOf(1000)).toBe(256);
  });
});

describe('log sliders', () => {
  it('η: ten positions per decade from 10⁻⁶ to 1000, clean values, decades exact', () => {
    const s = sliderFor('eta', GD_FIELDS.eta)!;
    expect([s.min, s.max, s.step]).toEqual([0, 9 * LOG_MANTISSAS.length, 1]);
    expect(s.valueAt(0)).toBe(1e-6);
    expect(s.valueAt(s.max)).toBe(1000);
    expect(s.valueAt(4 * LOG_MANTISSAS.length)).toBe(0.01);
    for (let p = 0; p <= s.max; p++) {
      const v = s.valueAt(p);
      expect(Number(v.toPrecision(2))).toBe(v);
      expect(s.positionOf(v)).toBe(p);
      if (p > 0) expect(v).toBeGreaterThan(s.valueAt(p - 1));
    }
    // Every default the site uses is on the grid.
    for (const v of [0.05, 0.1, 0.5, 1e-3, 3e-4]) expect(s.valueAt(s.positionOf(v))).toBe(v);
  });

  it('λ starts at exactly 0, then 10⁻⁴ … 10', () => {
    const s = sliderFor('lambda', GD_FIELDS.lambda)!;
    expect(s.valueAt(0)).toBe(0);
    expect(s.valueAt(1)).toBe(1e-4);
    expect(s.valueAt(s.max)).toBe(10);
    expect(s.positionOf(0)).toBe(0);
    expect(s.positionOf(1e-9)).toBe(0);
    expect(s.positionOf(0.9e-4)).toBe(1);
    expect(s.positionOf(0.0013)).toBe(s.positionOf(0.0012));
    for (const v of [0.001, 0.01, 0.1, 1]) expect(s.valueAt(s.positionOf(v))).toBe(v);
  });

  it('T: 0, then whole numbers from 1 to 5000, never repeating a lower value', () => {
    const s = sliderFor('iters', GD_FIELDS.iters)!;
    expect(s.valueAt(0)).toBe(0);
    expect(s.valueAt(1)).toBe(1);
    expect(s.valueAt(s.max)).toBe(5000);
    for (const v of [1, 2, 5, 60, 300, 1000, 2000]) expect(s.valueAt(s.positionOf(v))).toBe(v);
    for (let p = 1; p <= s.max; p++) {
      expect(Number.isInteger(s.valueAt(p))).toBe(true);
      expect(s.valueAt(p)).toBeGreaterThan(s.valueAt(p - 1));
    }
  });
});
