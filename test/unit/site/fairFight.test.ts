/**
 * Chapter 9's numbers (src/site/numbers/fairFight.ts and sweeps.ts) over every model of
 * public/data/sweeps.json: brown-word (merged only, issue 19) goes through the same
 * functions as brown-char and induction, and the generated sentences follow the data
 * (signs, a gain in neither place, models without factored sweeps).
 */
import { describe, expect, it } from 'vitest';
import {
  type Verdict,
  SPARSITIES,
  SWEEP_MODELS,
  fairFight,
  fairFightVerdict,
  gainText,
  hasNM,
  modesOf,
  recipeCell,
  splitRows,
  whereSentence,
} from '../../../src/site/numbers/fairFight.ts';
import { reproduction, sweepTable } from '../../../src/site/numbers/sweeps.ts';

describe('the models of the sweeps file', () => {
  it('opens on brown-word, swept merged (with 2:4) only; brown-char and induction in both modes', () => {
    expect(SWEEP_MODELS).toEqual(['brown-word', 'brown-char', 'induction']);
    expect(modesOf('brown-word')).toEqual(['merged']);
    expect(modesOf('brown-char')).toEqual(['merged', 'factored']);
    expect(modesOf('induction')).toEqual(['merged', 'factored']);
    for (const m of SWEEP_MODELS) expect(hasNM(m), m).toBe(true);
  });

  it("splits brown-word's gain from the file's cells: SparseGPT, the linear twin, ours", () => {
    const rows = splitRows('brown-word', 'merged');
    expect(rows.map((r) => r.setting)).toEqual([...SPARSITIES]);
    for (const r of rows) {
      const p = r.setting as number;
      expect(r.baseline).toBe(recipeCell('brown-word', 'merged', 'sparsegpt', 'none', p).metric);
      expect(r.twin).toBe(recipeCell('brown-word', 'merged', 'swap-linear', 'linear', p).metric);
      expect(r.ours).toBe(recipeCell('brown-word', 'merged', 'swap', 'attention', p).metric);
      // Perplexity: a gain is a fall.
      expect(r.split.total).toBeCloseTo(r.baseline - r.ours, 12);
      expect(r.split.searchRefit + r.split.objective).toBeCloseTo(r.split.total, 12);
    }
  });

  it('has no factored split or sentence for brown-word, and both for the other models', () => {
    const ff = fairFight();
    expect(Object.keys(ff)).toEqual([...SWEEP_MODELS]);
    expect(ff['brown-word'].splitFactored).toEqual([]);
    expect(ff['brown-word'].sentenceFactored).toBeNull();
    for (const m of ['brown-char', 'induction'] as const) {
      expect(ff[m].splitFactored).toHaveLength(SPARSITIES.length);
      expect(ff[m].sentenceFactored).toMatch(/ at 90\u00a0%$/);
    }
    expect(ff['brown-word'].chance.map((c) => c.refit)).toEqual(['none', 'linear', 'attention']);
  });

  it("reads brown-word's tables and findings through the same functions, merged only", () => {
    const t = sweepTable('brown-word', 'merged', true);
    expect(t.metric).toBe('perplexity');
    expect(t.rows.map((r) => r.label)).toEqual(['30\u00a0%', '50\u00a0%', '70\u00a0%', '90\u00a0%', '2:4']);
    const r = reproduction();
    expect(r.findings.map((f) => `${f.model} ${f.mode}`)).toEqual([
      'brown-word merged',
      'brown-char merged',
      'brown-char factored',
      'induction merged',
      'induction factored',
    ]);
    expect(r.findings[0].sentence).toMatch(/^On brown-word, merged: /);
    expect(r.atTop.map((x) => x.model)).toEqual(['brown-word', 'brown-char']);
    expect(r.evaluation['brown-word']).toMatch(/^the first 128 validation windows of \d+ tokens$/);
  });
});

describe('the generated sentences', () => {
  const base: Verdict = fairFightVerdict()['brown-word'];

  it('say where the objective acts, where it does harm, and "neither" when both changes hurt', () => {
    expect(whereSentence({ ...base, maskAtTop: 0.1, refitAtTop: 0.5, actsAtTop: 'the refit' })).toMatch(
      /moves the perplexity by −0\.10 on average, changing the refit's by −0\.50: the objective acts in both places, mainly through the refit\.$/,
    );
    expect(whereSentence({ ...base, maskAtTop: -0.2, refitAtTop: 0.5, actsAtTop: 'the refit' })).toMatch(
      /: the objective acts only through the refit; in the mask search it does harm\.$/,
    );
    expect(whereSentence({ ...base, maskAtTop: 0.3, refitAtTop: 0, actsAtTop: 'the mask search' })).toMatch(
      /: the objective acts only through the mask search\.$/,
    );
    expect(whereSentence({ ...base, maskAtTop: -0.1, refitAtTop: -0.2, actsAtTop: null })).toMatch(
      /by \+0\.10 on average, changing the refit's by \+0\.20: the attention objective helps in neither place\.$/,
    );
  });

  it('give each verdict a place only where the objective helps there', () => {
    for (const v of Object.values(fairFightVerdict())) {
      if (v.actsAtTop === null) expect(Math.max(v.maskAtTop, v.refitAtTop)).toBeLessThanOrEqual(0);
      else expect(Math.max(v.maskAtTop, v.refitAtTop)).toBeGreaterThan(0);
    }
  });

  it('sign a gain the way the metric improves', () => {
    expect(gainText('brown-word', 0.25)).toBe('−0.25');
    expect(gainText('brown-word', -0.25)).toBe('+0.25');
    expect(gainText('induction', 0.012)).toBe('+1.2 pt');
  });
});
