/**
 * The two ways a run can fail that are not bugs, as types: the CLI's exit codes
 * (1 bad input, 2 the numbers failed, 3 anything else: a bug) and the worker's error
 * kinds come from `instanceof`, never from matching message text.
 */

/** The input is at fault (a shape, a sparsity, an N:M pattern, a file): exit 1. */
export class InputError extends Error {
  override name = 'InputError';
}

/** The input was valid but the numbers failed (divergence, a Cholesky that failed, a search too large): exit 2. */
export class NumericalError extends Error {
  override name = 'NumericalError';
}
