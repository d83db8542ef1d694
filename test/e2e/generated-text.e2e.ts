/**
 * The generated-text widget in the built page: with the reader's default settings it
 * writes exactly the texts the command line writes (`cli -- generate`, and
 * `cli -- model-prune … --out R.json` then `cli -- generate … --prune R.json`), and a
 * prompt with a character the model does not know is explained in words, never left
 * blank.
 *
 * Tolerances: the texts must be equal, character for character; perplexities agree to
 * 1e-6 relative. The worker runs the models' forward passes on TensorFlow.js's wasm
 * backend first, as the CLI does in Node, so the float32 logits normally agree bit for
 * bit. Were a page to fall back to another backend (webgl), the last bits could differ:
 * a perplexity would still move by far less than 1e-6 relative, but a sampled
 * character whose random draw falls that close to a boundary could flip; a test
 * against such a backend should use temperature 0, where only a near-tie of two
 * logits could flip a character.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { serveDist, type SiteServer } from './server.ts';
import { launch, watchedPage, widgetStatus } from './browser.ts';
import { pageWith } from './pages.ts';
import { cliAsync } from '../helpers/cli.ts';
import { PAGE_DEFAULT_METHODS } from '../../src/core/methods.ts';

let site: SiteServer;
let browser: Browser;
let path: string;
const TMP = mkdtempSync(join(tmpdir(), 'generated-text-e2e-'));
const GEN = 'generated-text';

beforeAll(async () => {
  site = await serveDist();
  browser = await launch();
  path = pageWith(GEN);
});
afterAll(async () => {
  await browser?.close();
  await site?.close();
  rmSync(TMP, { recursive: true, force: true });
});

/** The widget's defaults, as the command line's flags. */
const SETTINGS = { prompt: 'The jury said', tokens: 120, seed: 1, temperature: 0.8, sparsity: 0.5, methods: PAGE_DEFAULT_METHODS.split(',') };

/**
 * The command line's texts and perplexities for SETTINGS. The calls run one after
 * another (one core for the CLI, the other for the browser, which is timed meanwhile).
 */
async function cliTexts(): Promise<Map<string, { text: string; perplexity: number }>> {
  const gen = [
    'generate',
    '--model',
    'brown-char',
    '--prompt',
    SETTINGS.prompt,
    '--tokens',
    String(SETTINGS.tokens),
    '--seed',
    String(SETTINGS.seed),
    '--temperature',
    String(SETTINGS.temperature),
  ];
  const out = new Map<string, { text: string; perplexity: number }>();
  const dense = await cliAsync(...gen);
  for (const method of SETTINGS.methods) {
    const file = join(TMP, `${method}.json`);
    await cliAsync(
      'model-prune',
      '--model',
      'brown-char',
      '--method',
      method,
      '--sparsity',
      String(SETTINGS.sparsity),
      '--mode',
      'merged',
      '--eval-seqs',
      '32',
      '--out',
      file,
    );
    const report = JSON.parse(readFileSync(file, 'utf8'));
    out.set('dense', { text: dense, perplexity: report.dense.perplexity });
    out.set(method, { text: await cliAsync(...gen, '--prune', file), perplexity: report.pruned.perplexity });
  }
  return out;
}

const card = (page: Page, method: string) => page.locator(`${GEN} figure.gen-card[data-method="${method}"]`);

describe('generated text', () => {
  it('with the default settings writes the same texts as the command line (the default methods, sparsity 0.5, sampled), and offers them as a download', async () => {
    // The CLI runs in child processes while the browser works.
    const reference = cliTexts();
    const { page, consoleErrors, offOrigin } = await watchedPage(browser, site.url);
    const t0 = Date.now();
    await page.goto(site.url + path);
    await page.locator(GEN).scrollIntoViewIfNeeded();
    const tVisible = Date.now();
    expect(await widgetStatus(page, GEN, 110_000)).toBe('done');
    const pageSeconds = (Date.now() - tVisible) / 1000;
    const widgetMs = Number(await page.locator(`${GEN} .gen-result`).getAttribute('data-elapsed-ms'));
    console.log(
      `generated-text: done ${pageSeconds.toFixed(1)} s after scrolling into view (${((Date.now() - t0) / 1000).toFixed(1)} s after navigation); the widget measured ${(widgetMs / 1000).toFixed(1)} s for its job; backend ${await page.locator(`${GEN} dt:has-text("TensorFlow.js backend") + dd`).textContent()}`,
    );

    const ref = await reference;
    let worst = 0;
    for (const method of ['dense', ...SETTINGS.methods]) {
      const text = await card(page, method).locator('pre.gen-text').textContent();
      expect(text, method).toBe(ref.get(method)!.text);
      const perplexity = Number(await card(page, method).getAttribute('data-perplexity'));
      const diff = Math.abs(perplexity - ref.get(method)!.perplexity) / ref.get(method)!.perplexity;
      expect(diff, method).toBeLessThan(1e-6);
      worst = Math.max(worst, diff);
    }
    console.log(`generated-text: texts equal; largest relative perplexity difference page vs CLI ${worst.toExponential(2)}`);
    // "First differs at character k" is where the pruned text parts from the dense one.
    const dense = ref.get('dense')!.text.slice(SETTINGS.prompt.length);
    for (const method of SETTINGS.methods) {
      const k = Number(await card(page, method).getAttribute('data-first-difference'));
      const text = ref.get(method)!.text.slice(SETTINGS.prompt.length);
      if (k === 0) expect(text).toBe(dense);
      else {
        expect(text.slice(0, k - 1)).toBe(dense.slice(0, k - 1));
        expect(text[k - 1]).not.toBe(dense[k - 1]);
        expect(await card(page, method).locator('mark').textContent()).toBe(text[k - 1]);
      }
    }
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator(GEN).getByRole('button', { name: 'table (.csv)' }).click()]);
    const csv = await readFile((await download.path())!, 'utf8');
    expect(csv.split('\n')[0]).toBe('model,method,perplexity,first_difference,text');
    for (const method of SETTINGS.methods) expect(csv).toContain(`pruned,${method},`);
    expect(download.suggestedFilename()).toBe('generated-text-p0.5-merged-seed1-t0.8.csv');
    expect(await page.locator(GEN).textContent()).not.toMatch(/NaN|undefined/);
    expect(consoleErrors).toEqual([]);
    expect(offOrigin).toEqual([]);
    await page.context().close();
  }, 120_000);

  it('names a character the model does not know, before anything runs; once it is removed the widget runs, and Stop stops it', async () => {
    const { page, consoleErrors } = await watchedPage(browser, site.url);
    await page.goto(`${site.url}${path}?gen.prompt=${encodeURIComponent('The jury €')}&gen.methods=magnitude`);
    expect(await widgetStatus(page, GEN, 30_000)).toBe('error');
    const alert = (await page.locator(`${GEN} [role=alert]`).textContent()) ?? '';
    expect(alert).toMatch(/does not know: "€" \(U\+20AC\) at character 10\./);
    expect(alert).toMatch(/remove or replace it/);
    expect(await page.locator(`${GEN} .widget-status`).textContent()).toMatch(/see the message below/);
    // Typed into the field, an unknown character is refused the same way.
    const prompt = page.locator(`${GEN} input[name=prompt]`);
    await prompt.fill('naïve');
    await prompt.press('Tab');
    await expect
      .poll(async () => (await page.locator(`${GEN} [role=alert]`).textContent()) ?? '', { timeout: 30_000 })
      .toMatch(/"ï" \(U\+00EF\) at character 3/);
    expect(await page.locator(GEN).getAttribute('data-status')).toBe('error');
    // The reader fixes the prompt: the message goes, the job starts and reports its stage…
    await prompt.fill('The jury ');
    await prompt.press('Tab');
    await expect.poll(() => page.locator(`${GEN} .widget-status`).textContent(), { timeout: 30_000 }).toMatch(/\(step \d+ of \d+\)|Running/);
    expect(await page.locator(GEN).getAttribute('data-status')).toBe('running');
    expect(await page.locator(`${GEN} [role=alert]`).textContent()).toBe('');
    expect(await page.evaluate(() => location.search)).toContain('gen.prompt=The+jury+');
    // …and Stop stops it (the whole run is covered by the first test).
    await page.locator(GEN).getByRole('button', { name: 'Stop' }).click();
    expect(await page.locator(GEN).getAttribute('data-status')).toBe('idle');
    expect(await page.locator(`${GEN} .widget-status`).textContent()).toMatch(/^Stopped\./);
    expect(await page.locator(GEN).textContent()).not.toMatch(/NaN|undefined/);
    expect(consoleErrors).toEqual([]);
    await page.context().close();
  }, 60_000);
});
