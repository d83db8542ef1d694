/**
 * The teacher's answer key (/handout-answers/) in the built site: it renders with its
 * three exercises, and the answers it printed at build time are the ones the core gives
 * here in Node: the winner of every preset by solve(), the gradient entries by the
 * closed form. The page computes them through the widgets' code paths, so an agreement
 * here means the key and the checks cannot have drifted apart.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { serveDist, type SiteServer } from './server.ts';
import { launch, watchedPage } from './browser.ts';
import { WINNER_PRESETS, GRADIENT_PROBLEMS, winnerSpec } from '../../src/teaching/presets.ts';
import { syntheticProblem } from '../../src/core/synthetic.ts';
import { solve } from '../../src/core/solve.ts';
import { PAPER_METHOD_IDS } from '../../src/core/methods.ts';
import { GD_PAPER_FORM } from '../../src/core/gd.ts';
import { AttentionObjective } from '../../src/core/objective.ts';
import { fromNested } from '../../src/core/matrix.ts';

let site: SiteServer;
let browser: Browser;
let page: Page;
let consoleErrors: string[];

beforeAll(async () => {
  site = await serveDist();
  browser = await launch();
  ({ page, consoleErrors } = await watchedPage(browser, site.url));
  await page.goto(`${site.url}/handout-answers/`);
});
afterAll(async () => {
  await page?.context().close();
  await browser?.close();
  await site?.close();
});

/** A number as the page prints it (typographic minus). */
const read = (s: string | null): number => Number((s ?? '').trim().replace('\u2212', '-'));

describe('the answer key', () => {
  it('renders the three exercises; the teachers’ chapter links to it, the students’ handout does not', async () => {
    expect(await page.locator('h1').textContent()).toBe('Pruning attention: answer key');
    expect(await page.locator('section.key-exercise h2').allTextContents()).toEqual([
      '(a) Predict the winner',
      '(b) A 2×2 gradient by hand',
      '(c) Find a diverging step',
    ]);
    expect(await page.locator('.katex').count()).toBeGreaterThan(10);
    expect(await page.locator('[data-key="threshold"]').textContent()).toMatch(/η\* ≈ [0-9.]+/);
    expect(await page.locator('[data-key="safe-eta"]').textContent()).toMatch(/^1\/β = /);
    expect(consoleErrors).toEqual([]);

    // The students' handout does not lead to the teachers' answer key (issue 12); the teachers' chapter does.
    const handout = (await watchedPage(browser, site.url)).page;
    await handout.goto(`${site.url}/handout/`);
    expect(await handout.locator('a[href*="handout-answers"]').count()).toBe(0);
    await handout.goto(`${site.url}/chapters/for-teachers/`);
    expect(await handout.locator('a[href="/handout-answers/"]').count()).toBeGreaterThan(0);
    await handout.context().close();
  });

  it('names, for every preset, the winner solve() gives in Node', async () => {
    for (const p of WINNER_PRESETS) {
      const problem = syntheticProblem(winnerSpec(p));
      const ranked = PAPER_METHOD_IDS.map((method) => ({
        method,
        error: solve(problem, method, { sparsity: p.sparsity, granularity: { kind: 'unstructured' }, gd: { ...GD_PAPER_FORM } }).metrics.attentionError,
      })).sort((a, b) => a.error - b.error);
      const named = await page.locator(`.winner[data-preset="${p.id}"]`).getAttribute('data-winner');
      expect(named, `problem ${p.id}`).toBe(ranked[0].method);
      // The table lists the methods in the same order, with the same errors.
      const rows = page.locator(`table:has(#key-a-${p.id}-caption) tbody tr`);
      expect(await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-method')))).toEqual(ranked.map((r) => r.method));
      for (const [i, r] of ranked.entries()) expect(Math.abs(read(await rows.nth(i).locator('td').first().textContent()) - r.error)).toBeLessThanOrEqual(1e-4);
    }
  });

  it('every exercise link opens its widget on the answer key’s numbers (the link carries every setting)', async () => {
    const widget = (await watchedPage(browser, site.url)).page;
    for (const p of WINNER_PRESETS) {
      // The key's printed errors, and the link it prints beside them.
      const rows = page.locator(`table:has(#key-a-${p.id}-caption) tbody tr`);
      const key = await rows.evaluateAll((trs) => trs.map((tr) => [tr.getAttribute('data-method') ?? '', tr.querySelector('td')?.textContent ?? ''] as const));
      const href = await page.locator(`a:has-text("Problem ${p.id} in the head-to-head widget")`).first().getAttribute('href');
      await widget.goto(`${site.url}${href}`);
      const h2h = widget.locator('head-to-head');
      await h2h.scrollIntoViewIfNeeded();
      await expect.poll(() => h2h.getAttribute('data-status'), { timeout: 120_000, interval: 200 }).toBe('done');
      for (const [method, printed] of key) {
        const shown = await h2h.locator(`.h2h-card[data-method="${method}"]`).getAttribute('data-attention-error');
        expect(Number(shown).toFixed(4), `problem ${p.id}, ${method}`).toBe(printed.trim());
      }
    }
    await widget.context().close();
  });

  it('prints each gradient entry within 1e-4 of the core closed form', async () => {
    for (const p of GRADIENT_PROBLEMS) {
      const g = new Float64Array(4);
      new AttentionObjective(fromNested(p.X), fromNested(p.W), { lambda: p.lambda }).evaluate(fromNested(p.M).data, g);
      const table = page.locator(`table.gradient-answer[data-problem="${p.id}"]`);
      for (let k = 0; k < 4; k++) {
        const cell = table.locator(`td[data-entry="${Math.floor(k / 2)},${k % 2}"]`);
        expect(Math.abs(read(await cell.textContent()) - g[k]), `problem ${p.id}, entry ${k}`).toBeLessThanOrEqual(1e-4);
      }
    }
  });

  it('prints on A4 and on Letter without the site navigation', async () => {
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('.site-header').isVisible()).toBe(false);
    expect(await page.getByRole('button', { name: 'Print this answer key' }).isVisible()).toBe(false);
    for (const format of ['A4', 'Letter'] as const) {
      const pdf = (await page.pdf({ format, printBackground: false })).toString('latin1');
      const pages = pdf.match(/\/Type\s*\/Page\b/g)?.length ?? 0;
      // One exercise per page at least; (a) with its four tables may take two.
      expect(pages, format).toBeGreaterThanOrEqual(3);
      expect(pages, format).toBeLessThanOrEqual(7);
    }
    await page.emulateMedia({ media: 'screen' });
  });
});
