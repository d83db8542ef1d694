/**
 * Limits the page and the CLI share, in a module with no imports: the page's main thread
 * reads them without pulling in the model code (and TensorFlow.js) behind them.
 */

/** Pasted calibration text in the page: at most this many characters. */
export const PAGE_MAX_CALIBRATION_CHARS = 20_000;
