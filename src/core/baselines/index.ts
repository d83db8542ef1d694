/**
 * The published baselines by id (BASELINE_METHOD_IDS of the registry), for code that
 * must run "every baseline" (the swap searches' start rule, the best-baseline rows):
 * a baseline added to the registry without a line here is a compile error.
 */
import type { BaselineMethodId } from '../methods.ts';
import type { Matrix } from '../matrix.ts';
import type { Problem, PruneOptions, PruneResult } from '../problem.ts';
import { magnitudePrune, magnitudeScores } from './magnitude.ts';
import { wandaPrune, wandaScores } from './wanda.ts';
import { sparseGptPrune } from './sparsegpt.ts';
import { riaPrune, riaScores } from './ria.ts';

export interface Baseline {
  prune(problem: Problem, opts: PruneOptions): PruneResult;
  /** The score it keeps the largest of (SparseGPT: |W|, its first-column view), to settle counts. */
  scores(problem: Problem): Matrix;
}

export const BASELINES: { readonly [K in BaselineMethodId]: Baseline } = {
  magnitude: { prune: magnitudePrune, scores: magnitudeScores },
  wanda: { prune: wandaPrune, scores: wandaScores },
  sparsegpt: { prune: sparseGptPrune, scores: magnitudeScores },
  ria: { prune: riaPrune, scores: riaScores },
};
