/**
 * Two small rules every comparison on the site follows, kept apart from the data so
 * they can be tested on their own (test/unit/site/compare.test.ts):
 *
 * - where a value stands among others, with ties handled: when every method has the
 *   same value (induction's accuracy at low sparsity) none of them is "best" or "worst";
 * - the split of a gain over a baseline into two steps, baseline → twin → ours (for the
 *   fair fight: SparseGPT → the same search and refit on the linear objective → the
 *   attention objective).
 */

/** Where one value stands among a row's values. */
export type Place = 'best' | 'worst' | 'all-tied' | 'between';

/**
 * The place of `values[i]`: 'all-tied' when every value is equal (then it is neither
 * best nor worst), 'best' when it equals the best (shared bests are all best), 'worst'
 * when it equals the worst, else 'between'.
 */
export function placeOf(values: readonly number[], i: number, higherIsBetter: boolean): Place {
  if (values.length === 0 || i < 0 || i >= values.length) throw new Error(`placeOf: no value ${i} among ${values.length}`);
  if (values.some((v) => !Number.isFinite(v))) throw new Error('placeOf: every value must be a finite number');
  const hi = Math.max(...values);
  const lo = Math.min(...values);
  if (hi === lo) return 'all-tied';
  const best = higherIsBetter ? hi : lo;
  const worst = higherIsBetter ? lo : hi;
  if (values[i] === best) return 'best';
  if (values[i] === worst) return 'worst';
  return 'between';
}

/** Which entries of `values` are the best (none when they are all equal: nothing stands out). */
export function bestIndices(values: readonly number[], higherIsBetter: boolean): number[] {
  return values.flatMap((_, i) => (placeOf(values, i, higherIsBetter) === 'best' ? [i] : []));
}

export interface GainSplit {
  /** Gain of `ours` over the baseline, in the metric's units (positive = better). */
  total: number;
  /** Gain of the twin over the baseline: what the search and the refit bring on the linear objective. */
  searchRefit: number;
  /** Gain of ours over the twin: what changing only the objective brings. */
  objective: number;
  /** objective / total, when the total gain is positive (else null: there is nothing to share). */
  objectiveShare: number | null;
}

/** Splits baseline → ours into baseline → twin ("search + refit") and twin → ours ("objective"). */
export function gainSplit(baseline: number, twin: number, ours: number, higherIsBetter: boolean): GainSplit {
  const gain = (from: number, to: number) => (higherIsBetter ? to - from : from - to);
  const total = gain(baseline, ours);
  const objective = gain(twin, ours);
  return { total, searchRefit: gain(baseline, twin), objective, objectiveShare: total > 0 ? objective / total : null };
}
