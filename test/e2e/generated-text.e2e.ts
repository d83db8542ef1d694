/**
 * The generated-text widget in the built page: a prompt with a character the model
 * does not know is explained in words when Run is pressed, before anything runs, never
 * left blank; fixed, the widget runs and Stop stops it. At sparsity 0.7 (where the
 * methods' texts part) its texts, first departures and top-1 agreements equal the
 * command line's (`cli -- model-prune … --out R.json` then `cli -- generate … --prune
 * R.json --compare`). Its default run is checked the same way in chapter8.e2e.ts, on one
 * page with the chapter's other model widgets (it reuses the pruner's models).
 *
 * Tolerances: the texts and first departures must be equal, character for character;
 * top-1 agreement to 1e-12 (the same arg-max tokens counted); perplexities to 1e-6 relative. The worker runs the models' forward passes on TensorFlow.js's
 * wasm backend first, as the CLI does in Node, so the float32 logits normally agree bit
 * for bit. Were a page to fall back to another backend (webgl), the last bits could
 * differ: a perplexity would still move by far less than 1e-6 relative, but a sampled
 * character whose random draw falls that close to a boundary could flip; a test
 * against such a backend should use temperature 0, where only a near-tie of two
 * logits could flip a character.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { serveDist, type SiteServer } from './server.ts';
import { launch, runWidget, watchedPage } from './browser.ts';
import { pageWith } from './pages.ts';
import { cliPrune, cliTexts, expectTextsAgree } from './modelChecks.ts';

let site: SiteServer;
let browser: Browser;
let path: string;
const GEN = 'generated-text';

beforeAll(async () => {
  site = await serveDist();
  browser = await launch();
  path = pageWith(GEN);
});
afterAll(async () => {
  await browser?.close();
  await site?.close();
});

describe('generated text', () => {
  it('names a character the model does not know, before anything runs; once it is removed the widget runs, and Stop stops it', async () => {
    const { page, consoleErrors } = await watchedPage(browser, site.url);
    await page.goto(`${site.url}${path}?gen.model=brown-char&gen.chars=80&gen.prompt=${encodeURIComponent('The jury €')}&gen.methods=magnitude`);
    expect(await runWidget(page, GEN, 30_000)).toBe('error');
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

  it('at sparsity 0.7, greedy: each method’s text, first departure (marked) and top-1 agreement are the CLI’s', async () => {
    const SETTINGS = { prompt: 'The jury said', tokens: 80, seed: 1, temperature: 0, methods: ['magnitude', 'wanda'] };
    const dir = mkdtempSync(join(tmpdir(), 'generated-text-e2e-'));
    // The command line's references run meanwhile, in child processes.
    const refs = cliPrune(dir, 'brown-char', SETTINGS.methods, 0.7).then(() => cliTexts(dir, SETTINGS));
    refs.catch(() => undefined);
    try {
      const { page, consoleErrors } = await watchedPage(browser, site.url);
      await page.goto(
        `${site.url}${path}?gen.model=brown-char&gen.prompt=${encodeURIComponent(SETTINGS.prompt)}&gen.chars=80&gen.methods=${SETTINGS.methods.join(',')}&gen.sparsity=0.7`,
      );
      expect(await runWidget(page, GEN, 120_000)).toBe('done');
      await expectTextsAgree(page, await refs, SETTINGS);
      // The table says it in words, the numbers through the formatting module.
      const rows = await page.locator(`${GEN} .gen-result table tbody tr`).allTextContents();
      expect(rows).toHaveLength(1 + SETTINGS.methods.length);
      for (const row of rows.slice(1)) expect(row).toMatch(/^pruned with \w+(\d+|never)\d+\.\d\u00a0%/);
      expect(await page.locator(GEN).textContent()).not.toMatch(/NaN|undefined|null/);
      expect(consoleErrors).toEqual([]);
      await page.context().close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);
});
