/**
 * The induction-heads widget in the built site: it finishes, the accuracies in its
 * table are those of `cli -- model-prune --model induction` on the same settings
 * (the page scores the first 32 evaluation sequences: --eval-seqs 32), its
 * induction scores are numbers, and choosing another head to draw redraws from
 * the kept result without a new worker job.
 *
 * Tolerance on the accuracies: 1e-3 absolute. The page runs the forward passes in
 * TensorFlow.js float32 on webgl or wasm, the CLI on Node's wasm backend; an
 * accuracy over 720 predictions moves in steps of 1/720 ≈ 1.4e-3, so 1e-3 demands
 * the same predictions (the table shows 2 decimals of a percentage, 1e-4).
 */
import { describe, expect, it } from 'vitest';
import { runWidget, watchedPage } from './browser.ts';
import { accuracyOf, shownTable } from './modelChecks.ts';
import { siteSession } from './siteSession.ts';
import { methodLabel } from '../../src/core/methods.ts';
import { cliJson } from '../helpers/cli.ts';

const TAG = 'induction-heads';
const ctx = siteSession(TAG);

describe('induction heads under pruning', () => {
  // The default run (the page's methods at sparsity 0.9, checked against the CLI, redrawing another head without a new job) is in chapter8.e2e.ts.
  it('from a shared link waits for Run, then prunes to 2:4 as cli model-prune --nm 2:4 does (the sparsity field plays no part)', async () => {
    const ref = cliJson('model-prune', '--model', 'induction', '--method', 'magnitude', '--nm', '2:4', '--eval-seqs', '32');
    const { page, consoleErrors } = await watchedPage(ctx.browser, ctx.site.url);
    await page.goto(`${ctx.site.url}${ctx.path}?induction.methods=magnitude&induction.pattern=2%3A4&induction.sparsity=0.3#induction`);
    const root = page.locator(TAG);
    await root.scrollIntoViewIfNeeded();
    expect(await root.getAttribute('data-status')).toBe('idle');
    expect(await root.locator('.widget-status').textContent()).toMatch(/^Press Run to prune the 8 heads of the induction model with one method \(magnitude\)/);
    expect(await runWidget(page, TAG, 60_000)).toBe('done');
    const { rows } = await shownTable(page);
    expect(rows.map((r) => r.model)).toEqual(['Dense', methodLabel('magnitude'), 'Uniform attention']);
    expect(Math.abs(accuracyOf(rows[1].accuracy) - (await ref).pruned.accuracy)).toBeLessThanOrEqual(1e-3);
    expect(await root.locator('.induction-scores .widget-table-caption').textContent()).toContain('2:4');
    expect(consoleErrors).toEqual([]);
    await page.context().close();
  }, 120_000);
});
