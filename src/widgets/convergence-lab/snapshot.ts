/** What the lab derives from one snapshot on the page: F′ with its rounded mask, and the rounding's words. */
import { attention } from '../../core/attention.ts';
import type { BinariseScore } from '../../core/binarise.ts';
import type { LabResult } from '../../jobs/protocol.ts';
import { num } from '../../ui/format.ts';

/**
 * F′ = Softmax(X (B ∘ W) Xᵀ) for a rounded mask B, with the core's own attention (the
 * function the worker and the CLI use): O(n²d) per snapshot, cached by the caller.
 */
export function attentionAt(r: Pick<LabResult, 'n' | 'd' | 'x' | 'w' | 'causal'>, rounded: ArrayLike<number>): Float64Array {
  const w = new Float64Array(r.d * r.d);
  for (let i = 0; i < w.length; i++) w[i] = rounded[i] ? r.w[i] : 0;
  return attention({ rows: r.n, cols: r.d, data: r.x }, { rows: r.d, cols: r.d, data: w }, r.causal).data;
}

/** The score the rounding ranks, in the page's notation. */
export function scoreWords(score: string): string {
  const words: Record<BinariseScore, string> = {
    relaxed: 'M_t (ties broken by index order)',
    'magnitude-weighted': '|M_t ∘ W|',
    'wanda-weighted': '|M_t ∘ W|·‖X_i‖',
  };
  return words[score as BinariseScore] ?? score;
}

/** What the rounding does when every entry of M is 1 (λ = 0): the score alone decides. */
export function stationaryRounding(score: string): string {
  if (score === 'relaxed') return 'Every entry of M_T is 1, so they all tie and index order decides: the first k entries, row by row, are pruned.';
  if (score === 'magnitude-weighted') return 'With every entry of M_T equal to 1 the rounding ranks |W| alone: it is magnitude pruning.';
  return 'With every entry of M_T equal to 1 the rounding ranks |W|·‖X_i‖ alone: Wanda’s score, compared over the whole matrix.';
}

/** The solver's message (the CLI's text) with its long decimals shown as the page shows numbers: L = 17.99, not 17.98704203721617. */
export function readableNumbers(message: string): string {
  return message.replace(/-?\d+\.\d{5,}(e[+-]?\d+)?/g, (m) => num(Number(m), 4));
}
