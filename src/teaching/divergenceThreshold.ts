/**
 * Where does gradient descent start to diverge? Given a test `diverges(η)` (run T steps,
 * report a DivergenceError) and a step known to be safe (the smoothness bound 1/β), find
 * the smallest diverging step:
 *
 *   1. double η from the safe step until a run diverges: [lo, hi] with hi = 2·lo;
 *   2. scan [lo, hi] on a fine geometric grid for the first diverging step, which
 *      shrinks the bracket to one grid cell whose every smaller grid point converged;
 *   3. bisect that cell (geometric midpoints) to a relative width `relTol`.
 *
 * Bisection alone would find *a* boundary; the doubling and the fine scan make it the
 * lowest one at that resolution. The set of diverging steps need not be an interval
 * (a run that ends just above its starting loss counts as diverged, and once the iterates
 * oscillate, whether the last one lands high flips back and forth as η grows), so
 * `convergingAbove` probes the steps above the threshold for converging ones, and
 * `bisectBoundary` serves a test that is monotone, such as "the loss blows up".
 */

export type DivergenceTest = (eta: number) => Promise<boolean>;

export interface ThresholdOptions {
  /** A step that does not diverge (for Algorithm 1: the smoothness bound 1/β). */
  safe: number;
  /** Give up (no divergence) above this step. */
  limit: number;
  /** Grid points per doubling in the fine scan. */
  fineSteps?: number;
  /** Stop bisecting when hi/lo − 1 ≤ relTol. */
  relTol?: number;
}

export interface Threshold {
  /** The smallest step found to diverge. */
  eta: number;
  /** The largest step below it found not to diverge (the bracket is [below, eta]). */
  below: number;
  /** Gradient-descent runs the search made. */
  runs: number;
}

/** The smallest diverging step, or undefined when nothing up to `limit` diverges. */
export async function smallestDivergingStep(diverges: DivergenceTest, options: ThresholdOptions): Promise<Threshold | undefined> {
  const { safe, limit, fineSteps = 32, relTol = 1e-3 } = options;
  if (!(safe > 0 && Number.isFinite(safe))) throw new Error(`the safe step must be a positive number (got ${safe})`);
  let runs = 0;
  const test = async (eta: number): Promise<boolean> => {
    runs++;
    return diverges(eta);
  };
  if (await test(safe)) return { eta: safe, below: 0, runs };

  let lo = safe;
  let hi = 2 * safe;
  while (!(await test(hi))) {
    lo = hi;
    hi *= 2;
    if (hi > limit) return undefined;
  }

  const ratio = (hi / lo) ** (1 / fineSteps);
  for (let k = 1; k < fineSteps; k++) {
    const eta = lo * ratio;
    if (await test(eta)) {
      hi = eta;
      break;
    }
    lo = eta;
  }

  const bracket = await bisectBoundary(test, lo, hi, relTol);
  return { eta: bracket.hi, below: bracket.lo, runs };
}

/**
 * Bisect [lo, hi], where `test(lo)` is false and `test(hi)` true, at geometric
 * midpoints until hi/lo − 1 ≤ relTol. For a test that is monotone in η this is its
 * threshold; otherwise it is one place where the answer changes.
 */
export async function bisectBoundary(test: DivergenceTest, lo: number, hi: number, relTol = 1e-3): Promise<{ lo: number; hi: number }> {
  if (!(lo > 0 && hi > lo)) throw new Error(`bisection needs 0 < lo < hi (got ${lo}, ${hi})`);
  while (hi / lo - 1 > relTol) {
    const mid = Math.sqrt(lo * hi);
    if (await test(mid)) hi = mid;
    else lo = mid;
  }
  return { lo, hi };
}

/** Steps in (eta, factor·eta] on a geometric grid that did not diverge, smallest first. */
export async function convergingAbove(diverges: DivergenceTest, eta: number, factor = 3, steps = 12): Promise<{ converging: number[]; tried: number }> {
  const converging: number[] = [];
  const ratio = factor ** (1 / steps);
  for (let k = 1; k <= steps; k++) {
    const e = eta * ratio ** k;
    if (!(await diverges(e))) converging.push(e);
  }
  return { converging, tried: steps };
}
