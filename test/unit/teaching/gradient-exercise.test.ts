import { describe, expect, it } from 'vitest';
import { GRADIENT_PROBLEMS, GRADIENT_TOLERANCE } from '../../../src/teaching/presets.ts';
import { closedFormGradient, gradientSteps } from '../../../src/teaching/gradientSolution.ts';
import { judgeMatrix } from '../../../src/teaching/answers.ts';
import { AttentionObjective } from '../../../src/core/objective.ts';
import { fromNested } from '../../../src/core/matrix.ts';
import { finiteDifferenceGradient } from '../../helpers/problems.ts';

describe.each(GRADIENT_PROBLEMS.map((p) => [p.id, p] as const))('gradient exercise, problem %s', (_id, p) => {
  const { gradient, withoutRegulariser } = closedFormGradient(p);

  it('the answer is the closed form, which finite differences confirm', () => {
    const objective = new AttentionObjective(fromNested(p.X), fromNested(p.W), { lambda: p.lambda });
    const fd = finiteDifferenceGradient(objective, fromNested(p.M).data, 1e-6);
    for (let i = 0; i < 4; i++) expect(gradient[i]).toBeCloseTo(fd[i], 8);
  });

  it('every entry is worth computing: none is just λM', () => {
    const m = p.M.flat();
    for (let i = 0; i < 4; i++) {
      expect(Math.abs(gradient[i] - p.lambda * m[i])).toBeGreaterThan(10 * GRADIENT_TOLERANCE);
      expect(withoutRegulariser[i]).toBeCloseTo(gradient[i] - p.lambda * m[i], 14);
    }
  });

  it('the worked solution ends at the same gradient and satisfies its own definitions', () => {
    const s = gradientSteps(p);
    for (let i = 0; i < 4; i++) expect(s.gradient.data[i]).toBeCloseTo(gradient[i], 12);
    // Rows of F are distributions; rows of P sum to zero (the softmax Jacobian kills constants).
    for (let a = 0; a < s.F.rows; a++) {
      expect(s.F.data[2 * a] + s.F.data[2 * a + 1]).toBeCloseTo(1, 14);
      expect(s.P.data[2 * a] + s.P.data[2 * a + 1]).toBeCloseTo(0, 14);
    }
  });

  it('accepts the gradient rounded to three decimals, rejects one entry off by 0.01', () => {
    const rounded = Array.from(gradient, (g) => Math.round(g * 1000) / 1000);
    expect(judgeMatrix(rounded, gradient, 2, GRADIENT_TOLERANCE).allRight).toBe(true);
    const off = rounded.slice();
    off[3] += 0.01;
    const j = judgeMatrix(off, gradient, 2, GRADIENT_TOLERANCE, withoutRegulariser);
    expect(j.allRight).toBe(false);
    expect(j.entries.filter((e) => !e.ok).map((e) => [e.row, e.col])).toEqual([[1, 1]]);
  });
});
