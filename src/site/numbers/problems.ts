/**
 * The problems the chapters' prose discusses, named once: the build-time numbers
 * (examples.ts) compute on them and the widgets open on them ("the example above"), so
 * the text and the figure beside it show the same head. A light module (no solver code),
 * because the widgets' bundles import it.
 */

/** Chapter 4's gradient check: the tiny head, the point M = 1 + spread·noise and the step h = 10^logh. */
export const GRADIENT_CHECK_EXAMPLE = { n: 6, d: 3, seed: 1, scale: 2, lambda: 0.1, spread: 0.5, logh: -4 } as const;

/** Chapter 6's head, small enough to enumerate every mask (d = 4: 16 weights), at k = 8 of 16 pruned. */
export const EXHAUSTIVE_PROBLEM = { n: 32, d: 4, seed: 1, scale: 1 } as const;
export const EXHAUSTIVE_K = 8;
