/** Small seeded problems shared by the tests. */
import { syntheticProblem } from '../../src/core/synthetic.ts';
import type { Problem } from '../../src/core/problem.ts';
import { gaussian, mulberry32 } from '../../src/core/random.ts';

export function problem(n: number, d: number, seed: number, causal = false, scale = 1): Problem {
  return syntheticProblem({ n, d, seed, scale, causal });
}

/** A mask near 1 with some spread, so the attention term's gradient is not zero. */
export function randomMask(d: number, seed: number, spread = 0.3): Float64Array {
  const normal = gaussian(mulberry32(seed));
  return Float64Array.from({ length: d * d }, () => 1 + spread * normal());
}

export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let diff = 0;
  let ref = 0;
  for (let i = 0; i < a.length; i++) {
    diff += (a[i] - b[i]) ** 2;
    ref += b[i] ** 2;
  }
  return Math.sqrt(diff) / Math.max(Math.sqrt(ref), 1e-300);
}

/** Central finite differences of L(M), entry by entry, for any objective. */
export function finiteDifferenceGradient(obj: { evaluate(m: Float64Array): { loss: number } }, m: Float64Array, h = 1e-5): Float64Array {
  const g = new Float64Array(m.length);
  const probe = m.slice();
  for (let i = 0; i < m.length; i++) {
    probe[i] = m[i] + h;
    const up = obj.evaluate(probe).loss;
    probe[i] = m[i] - h;
    const down = obj.evaluate(probe).loss;
    probe[i] = m[i];
    g[i] = (up - down) / (2 * h);
  }
  return g;
}
