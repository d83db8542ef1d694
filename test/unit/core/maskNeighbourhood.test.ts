import { describe, expect, it } from 'vitest';
import { neighbourMasks, swapNeighbour } from '../../../src/core/maskNeighbourhood.ts';
import { mulberry32 } from '../../../src/core/random.ts';
import { nearCloud, agreement, maskErrors } from '../../../src/jobs/nearCloud.ts';
import { syntheticProblem } from '../../../src/core/synthetic.ts';
import { solve } from '../../../src/core/solve.ts';

const base = Float64Array.from({ length: 16 }, (_, i) => (i % 2 ? 1 : 0));
const distance = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] !== b[i] ? 1 : 0;
  return s;
};

describe('mask neighbourhoods', () => {
  it('a neighbour at s swaps keeps the pruned count and differs in exactly 2s entries', () => {
    const rng = mulberry32(3);
    for (let s = 1; s <= 4; s++) {
      const m = swapNeighbour(base, s, rng);
      expect(m.reduce((a, v) => a + v, 0)).toBe(8);
      expect(distance(m, base)).toBe(2 * s);
    }
  });

  it('neighbourMasks covers every distance from 1 to maxSwaps equally', () => {
    const out = neighbourMasks([base], 12, 4, mulberry32(1));
    expect(out.map((n) => n.swaps)).toEqual([1, 2, 3, 4, 1, 2, 3, 4, 1, 2, 3, 4]);
  });

  it('nearCloud marks a neighbour as disagreeing exactly when it is better by one error and worse by the other', () => {
    const problem = syntheticProblem({ n: 32, d: 8, seed: 1, scale: 2 });
    const r = solve(problem, 'magnitude', { sparsity: 0.5, granularity: { kind: 'unstructured' } });
    const near = nearCloud(problem, [{ method: 'magnitude', mask: r.mask.data }], { perMethod: 60, seed: 1 });
    expect(near).toHaveLength(60);
    const centre = maskErrors(problem, r.mask.data);
    // Magnitude does not update weights, so its own attention error is the centre's.
    expect(centre.attention).toBeCloseTo(r.metrics.attentionError, 14);
    for (const p of near) expect(p.disagrees).toBe((p.linear - centre.linear) * (p.attention - centre.attention) < 0);
    expect(near.some((p) => p.disagrees)).toBe(true);
    expect(near.some((p) => !p.disagrees)).toBe(true);
    const again = nearCloud(problem, [{ method: 'magnitude', mask: r.mask.data }], { perMethod: 60, seed: 1 });
    expect(again).toEqual(near);
  });

  it('agreement: identical orders are concordant, reversed ones fully discordant', () => {
    expect(agreement([1, 2, 3], [4, 5, 6])).toMatchObject({ spearman: 1, discordant: 0, pairs: 3 });
    expect(agreement([1, 2, 3], [6, 5, 4])).toMatchObject({ spearman: -1, discordant: 1, pairs: 3 });
  });
});
