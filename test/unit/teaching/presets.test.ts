import { describe, expect, it } from 'vitest';
import { WINNER_PRESETS, winnerSpec } from '../../../src/teaching/presets.ts';
import { judgeWinner } from '../../../src/teaching/answers.ts';
import { syntheticProblem } from '../../../src/core/synthetic.ts';
import { solve } from '../../../src/core/solve.ts';
import { PAPER_METHOD_IDS } from '../../../src/core/methods.ts';
import { GD_PAPER_FORM } from '../../../src/core/gd.ts';

describe('the heads of "predict the winner"', () => {
  const results = WINNER_PRESETS.map((p) => {
    const problem = syntheticProblem(winnerSpec(p));
    const scores = PAPER_METHOD_IDS.map((method) => ({
      method,
      error: solve(problem, method, { sparsity: p.sparsity, granularity: { kind: 'unstructured' }, gd: { ...GD_PAPER_FORM } }).metrics.attentionError,
    }));
    return { id: p.id, judged: judgeWinner(scores[0].method, scores) };
  });

  it('do not all have the same winner (the chapter says so)', () => {
    const winners = new Set(results.map((r) => r.judged.winners.join('+')));
    expect(winners.size).toBeGreaterThanOrEqual(3);
  });

  it('each has a clear winner, so rounding in another engine cannot change the verdict', () => {
    for (const r of results) {
      const [best, second] = r.judged.ranking;
      expect(second.error / best.error, `problem ${r.id}`).toBeGreaterThan(1.05);
    }
  });
});
