/**
 * The sparsity sweep on the model (chapter 8) in the built page: it opens on the
 * sweep the command line precomputed (public/data/page-sweeps.json), at once and
 * number for number, and "Rerun in your browser" recomputes it with the worker and
 * agrees with the file to MATCH_TOLERANCE (1e-4 relative: the page's forward passes
 * run TensorFlow.js float32 on wasm, or webgl where wasm cannot start; the CLI's on wasm in Node).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { watchedPage, widgetStatus } from './browser.ts';
import { siteSession } from './siteSession.ts';
import { DIST } from './pages.ts';
import { MODEL_METHOD_IDS, RETIRED_METHOD_IDS, type MethodId, type RefitId } from '../../src/core/methods.ts';
import { recipeKey } from '../../src/ui/recipes.ts';

const TAG = 'model-sweep';
const TOLERANCE = 1e-4;
/**
 * The live rerun below (induction, 2 methods) took 15 s with the worker's wasm backend on the
 * shared 2-core machine at a load average of 8–10; the margin covers a busier machine, or
 * a browser whose TensorFlow.js falls back to a slower backend.
 */
const LIVE_TIMEOUT = 240_000;

interface FileSweep {
  model: string;
  mode: string;
  metric: 'perplexity' | 'accuracy';
  rows: Record<string, string | number>[];
}
// The file the built site serves (astro copies public/ into the build).
const data = JSON.parse(readFileSync(`${DIST}data/page-sweeps.json`, 'utf8')) as { sparsities: number[]; sweeps: FileSweep[] };

const ctx = siteSession(TAG);

/** Every numeric cell of the widget's tables: quantity, method, sparsity and exact value. */
async function cells(page: Page): Promise<{ quantity: string; method: string; sparsity: number; value: number }[]> {
  return page.locator(`${TAG} table[data-quantity] td[data-value]`).evaluateAll((tds) =>
    tds.map((td) => ({
      quantity: (td.closest('table') as HTMLElement).dataset.quantity ?? '',
      method: (td as HTMLElement).dataset.method ?? '',
      sparsity: Number((td as HTMLElement).dataset.sparsity),
      value: Number((td as HTMLElement).dataset.value),
    })),
  );
}

function saved(model: string, mode: string): FileSweep {
  const s = data.sweeps.find((x) => x.model === model && x.mode === mode);
  if (!s) throw new Error(`no sweep ${model} ${mode}`);
  return s;
}

/** A file row's recipe key as the page's cells carry it ("swap", "swap+attention"; an old file's swap-recon is swap + attention refit). */
function rowKey(r: Record<string, string | number>): string {
  const retired = RETIRED_METHOD_IDS[String(r.method)];
  return retired ? recipeKey(retired.method, retired.refit) : recipeKey(String(r.method) as MethodId, (r.refit ?? 'none') as RefitId);
}

/**
 * The largest relative difference between the page's table and the file: every cell the
 * file has for these methods (without refit, the widget's default) must be shown.
 */
function worstDifference(shown: Awaited<ReturnType<typeof cells>>, sweep: FileSweep, methods: string[]): number {
  const inFile = sweep.rows.filter((r) => r.method !== 'dense' && methods.includes(rowKey(r)));
  expect(inFile.length).toBeGreaterThan(0);
  expect(shown).toHaveLength(2 * inFile.length);
  let worst = 0;
  for (const c of shown) {
    expect(methods).toContain(c.method);
    const row = inFile.find((r) => rowKey(r) === c.method && r.sparsity === c.sparsity)!;
    const want = Number(c.quantity === 'metric' ? row[sweep.metric] : row.mean_attention_error);
    expect(Number.isFinite(c.value)).toBe(true);
    worst = Math.max(worst, Math.abs(c.value - want) / Math.abs(want));
  }
  return worst;
}

describe('sparsity sweep on the model', () => {
  it('shows the precomputed sweep at once, equal to the file', async () => {
    const { page, consoleErrors, failedRequests } = await watchedPage(ctx.browser, ctx.site.url);
    await page.goto(ctx.site.url + ctx.path);
    const t0 = Date.now();
    // A short timeout: no model is pruned for this, the numbers are read from the file.
    expect(await widgetStatus(page, TAG, 10_000)).toBe('done');
    const elapsed = Date.now() - t0;
    expect(elapsed).toBeLessThan(10_000);
    const root = page.locator(TAG);
    expect(await root.getAttribute('data-source')).toBe('precomputed');
    // The widget opens on brown-word, the chapter's model.
    const sweep = saved('brown-word', 'merged');
    expect(worstDifference(await cells(page), sweep, [...MODEL_METHOD_IDS])).toBe(0);
    expect(Number(await root.locator('table[data-quantity=metric]').getAttribute('data-dense'))).toBe(sweep.rows[0].perplexity);
    expect(await root.locator('.widget-footnote code').textContent()).toContain('cli -- sweep --model brown-word');
    expect(await root.locator('figure svg').count()).toBeGreaterThan(0);
    expect(await root.textContent()).not.toMatch(/\bNaN\b|undefined/);
    expect(consoleErrors).toEqual([]);
    expect(failedRequests).toEqual([]);
    await page.context().close();
  });

  it('another model, mode and methods from the link: still from the file, at once', async () => {
    const { page, consoleErrors } = await watchedPage(ctx.browser, ctx.site.url);
    await page.goto(`${ctx.site.url}${ctx.path}?msweep.model=induction&msweep.mode=factored&msweep.methods=gd,wanda`);
    expect(await widgetStatus(page, TAG, 10_000)).toBe('done');
    const root = page.locator(TAG);
    expect(await root.getAttribute('data-source')).toBe('precomputed');
    expect(await root.getByLabel('model', { exact: true }).inputValue()).toBe('induction');
    expect(worstDifference(await cells(page), saved('induction', 'factored'), ['gd', 'wanda'])).toBe(0);
    // Changing a control shows that setting's precomputed sweep, without a run.
    await root.getByLabel('mask on').selectOption('merged');
    await expect.poll(() => page.evaluate(() => location.search)).not.toContain('msweep.mode=');
    await expect
      .poll(
        async () =>
          (await root.getAttribute('data-status')) === 'done' && (await root.locator('.widget-footnote code').textContent())?.includes('--mode merged'),
        { timeout: 10_000 },
      )
      .toBe(true);
    expect(worstDifference(await cells(page), saved('induction', 'merged'), ['gd', 'wanda'])).toBe(0);
    expect(consoleErrors).toEqual([]);
    await page.context().close();
  });

  it(
    '"Rerun in your browser" recomputes induction, merged, and says it matches the file',
    async () => {
      const { page, consoleErrors } = await watchedPage(ctx.browser, ctx.site.url);
      // Two methods keep it short: the paper's gradient descent and magnitude.
      const methods = ['gd', 'magnitude'];
      await page.goto(`${ctx.site.url}${ctx.path}?msweep.model=induction&msweep.methods=${methods.join(',')}`);
      expect(await widgetStatus(page, TAG, 10_000)).toBe('done');
      const root = page.locator(TAG);
      const t0 = Date.now();
      await root.getByRole('button', { name: 'Rerun in your browser' }).click();
      await expect.poll(() => root.getAttribute('data-status'), { timeout: 5_000, interval: 50 }).toBe('running');
      await expect
        .poll(async () => (await root.getAttribute('data-status')) !== 'running' && (await root.getAttribute('data-source')) === 'live', {
          timeout: LIVE_TIMEOUT,
          interval: 250,
        })
        .toBe(true);
      const seconds = (Date.now() - t0) / 1000;
      expect(await root.getAttribute('data-status'), (await root.locator('[role=alert]').textContent()) ?? '').toBe('done');
      const verdict = root.locator('.msweep-verdict');
      expect(await verdict.getAttribute('data-match')).toBe('true');
      const words = (await verdict.textContent()) ?? '';
      expect(words).toMatch(new RegExp(`^All ${methods.length * data.sparsities.length} accuracies match the precomputed ones to within 10⁻⁴ relative`));
      const worst = worstDifference(await cells(page), saved('induction', 'merged'), methods);
      expect(worst).toBeLessThanOrEqual(TOLERANCE);
      expect(await root.locator('.widget-footnote').textContent()).toMatch(/^Recomputed in your browser in [0-9.]+ s/);
      console.log(
        `model-sweep: live rerun of induction, merged, ${methods.join('+')}: ${seconds.toFixed(1)} s in the test; largest relative difference from the file ${worst.toExponential(1)}; ${await root.locator('.widget-footnote').textContent()}`,
      );
      expect(consoleErrors).toEqual([]);
      await page.context().close();
    },
    LIVE_TIMEOUT + 30_000,
  );

  it('Stop ends a live rerun and leaves the precomputed numbers', async () => {
    const { page } = await watchedPage(ctx.browser, ctx.site.url);
    await page.goto(`${ctx.site.url}${ctx.path}`);
    expect(await widgetStatus(page, TAG, 10_000)).toBe('done');
    const root = page.locator(TAG);
    await root.getByRole('button', { name: 'Rerun in your browser' }).click();
    const stop = root.getByRole('button', { name: 'Stop' });
    await stop.waitFor({ state: 'visible', timeout: 5_000 });
    await stop.click();
    await expect.poll(() => root.getAttribute('data-status'), { timeout: 5_000 }).toBe('idle');
    expect(await root.locator('.widget-status').textContent()).toMatch(/^Stopped/);
    expect(await root.getAttribute('data-source')).toBe('precomputed');
    expect(await root.getByRole('button', { name: 'Rerun in your browser' }).isEnabled()).toBe(true);
    await page.context().close();
  });
});
