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
import type { Page } from 'playwright-core';
import { watchedPage, widgetStatus } from './browser.ts';
import { siteSession } from './siteSession.ts';
import { type ModelMethodId, methodLabel, PAGE_DEFAULT_METHODS } from '../../src/core/methods.ts';
import { cliJson } from '../helpers/cli.ts';

const TAG = 'induction-heads';
const METHODS = PAGE_DEFAULT_METHODS.split(',') as ModelMethodId[];
const LABEL = (m: ModelMethodId): string => methodLabel(m);

interface ShownRow {
  model: string;
  accuracy: string;
  scores: string[];
}

/** The induction table as the reader sees it: model name, accuracy text, one score text per layer-1 head. */
async function shownTable(page: Page): Promise<{ head: string[]; rows: ShownRow[] }> {
  return page.locator(`${TAG} .induction-scores table`).evaluate((t) => {
    const head = [...t.querySelectorAll('thead th')].map((th) => th.textContent ?? '');
    const rows = [...t.querySelectorAll('tbody tr')].map((tr) => {
      const cells = [...tr.children].map((c) => c.textContent ?? '');
      return { model: cells[0], accuracy: cells[1], scores: cells.slice(2, -1) };
    });
    return { head, rows };
  });
}

/** "89.31 %" → 0.8931. */
function accuracyOf(text: string): number {
  const m = /^(\d+(?:\.\d+)?) %$/.exec(text);
  if (!m) throw new Error(`not an accuracy: "${text}"`);
  return Number(m[1]) / 100;
}

const ctx = siteSession(TAG);

describe('induction heads under pruning', () => {
  it('by default prunes with the page’s default methods at sparsity 0.9, agrees with cli model-prune, and redraws another head without a new job', async () => {
    const refs = Promise.all(METHODS.map((m) => cliJson('model-prune', '--model', 'induction', '--method', m, '--sparsity', '0.9', '--eval-seqs', '32')));
    const { page, consoleErrors, offOrigin } = await watchedPage(ctx.browser, ctx.site.url);
    await page.goto(ctx.site.url + ctx.path);
    const root = page.locator(TAG);
    const t0 = Date.now();
    // Changing only what is drawn while the job runs waits for that job: no second one.
    await root.scrollIntoViewIfNeeded();
    await expect.poll(() => root.getAttribute('data-status'), { timeout: 30_000 }).toBe('running');
    const layer = root.getByLabel('layer shown');
    for (const value of ['0', '1']) {
      await layer.fill(value);
      await layer.press('Tab');
      await page.waitForTimeout(300);
    }
    expect(await widgetStatus(page, TAG, 120_000)).toBe('done');
    console.log(`induction-heads: default run done in ${((Date.now() - t0) / 1000).toFixed(1)} s in the browser`);
    expect(await root.getAttribute('data-jobs')).toBe('1');

    const { head, rows } = await shownTable(page);
    expect(head.slice(2, 6).map((h) => h.replace(' (shown)', ''))).toEqual(['L1 H0', 'L1 H1', 'L1 H2', 'L1 H3']);
    expect(rows.map((r) => r.model)).toEqual(['Dense', ...METHODS.map((m) => LABEL(m)), 'Uniform attention']);
    const ref = await refs;
    expect(Math.abs(accuracyOf(rows[0].accuracy) - ref[0].dense.accuracy)).toBeLessThanOrEqual(1e-3);
    METHODS.forEach((m, i) => expect(Math.abs(accuracyOf(rows[1 + i].accuracy) - ref[i].pruned.accuracy), m).toBeLessThanOrEqual(1e-3));
    // The full-precision numbers on the rows agree too.
    const precise = await root.locator('.induction-scores tbody tr[data-method]').evaluateAll((trs) =>
      trs.map((tr) => ({
        method: (tr as HTMLElement).dataset.method,
        accuracy: Number((tr as HTMLElement).dataset.accuracy),
        scores: ((tr as HTMLElement).dataset.inductionScores ?? '').split(',').map(Number),
      })),
    );
    expect(precise.map((p) => p.method)).toEqual(['dense', ...METHODS]);
    METHODS.forEach((m, i) => expect(Math.abs(precise[1 + i].accuracy - ref[i].pruned.accuracy), m).toBeLessThanOrEqual(1e-3));

    // Every induction score shown is a number in [0, 1]; the dense layer-1 heads are induction heads.
    for (const r of rows) {
      expect(r.scores).toHaveLength(4);
      for (const s of r.scores) {
        expect(s, `${r.model}`).toMatch(/^\d\.\d{3}$/);
        expect(Number(s)).toBeGreaterThanOrEqual(0);
        expect(Number(s)).toBeLessThanOrEqual(1);
      }
    }
    for (const p of precise) for (const s of p.scores) expect(Number.isFinite(s)).toBe(true);
    expect(Math.max(...precise[0].scores)).toBeGreaterThan(0.9);

    // Default: layer 1 and its most induction-like dense head, drawn dense and per method.
    const best = precise[0].scores.indexOf(Math.max(...precise[0].scores));
    expect(await root.getAttribute('data-shown')).toBe(`1,${best}`);
    expect(await root.locator('.induction-maps figure.widget-figure').count()).toBe(1 + METHODS.length);
    expect(await root.locator('.induction-maps [role="img"]').first().getAttribute('aria-label')).toMatch(/induction score 0\.\d{3}/);

    // Another head: redrawn from the kept result, no new job.
    const other = (best + 1) % 4;
    await root.getByLabel('head shown').selectOption(String(other));
    await expect.poll(() => root.getAttribute('data-shown')).toBe(`1,${other}`);
    expect(await root.getAttribute('data-status')).toBe('done');
    expect(await root.getAttribute('data-jobs')).toBe('1');
    expect(await root.locator('.widget-status').textContent()).toMatch(/no new job/);
    expect(await root.locator('h4').textContent()).toContain(`layer 1, head ${other}`);
    expect(page.url()).toContain(`induction.head=${other}`);
    // Another layer: likewise.
    await layer.fill('0');
    await layer.press('Tab');
    await expect.poll(() => root.getAttribute('data-shown')).toBe(`0,${other}`);
    expect(await root.getAttribute('data-jobs')).toBe('1');
    expect(await root.getAttribute('data-status')).toBe('done');

    // A new sequence is a new job.
    await root.getByLabel('sequence seed').fill('2');
    await root.getByLabel('sequence seed').press('Tab');
    await expect.poll(() => root.getAttribute('data-jobs')).toBe('2');
    expect(await widgetStatus(page, TAG, 120_000)).toBe('done');
    expect(await root.locator('.induction-tokens').textContent()).toContain('seed 2');

    expect(consoleErrors).toEqual([]);
    expect(offOrigin).toEqual([]);
    await page.context().close();
  }, 300_000);
});
