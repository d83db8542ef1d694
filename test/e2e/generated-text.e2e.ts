/**
 * The generated-text widget in the built page: a prompt with a character the model
 * does not know is explained in words when Run is pressed, before anything runs, never
 * left blank; fixed, the widget runs and Stop stops it. Its default run, whose texts
 * equal the command line's (`cli -- generate`, and `cli -- model-prune … --out R.json`
 * then `cli -- generate … --prune R.json`), is checked in chapter8.e2e.ts, on one page
 * with the chapter's other model widgets (it reuses the pruner's models).
 *
 * Tolerances there: the texts must be equal, character for character; perplexities
 * agree to 1e-6 relative. The worker runs the models' forward passes on TensorFlow.js's
 * wasm backend first, as the CLI does in Node, so the float32 logits normally agree bit
 * for bit. Were a page to fall back to another backend (webgl), the last bits could
 * differ: a perplexity would still move by far less than 1e-6 relative, but a sampled
 * character whose random draw falls that close to a boundary could flip; a test
 * against such a backend should use temperature 0, where only a near-tie of two
 * logits could flip a character.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { serveDist, type SiteServer } from './server.ts';
import { launch, runWidget, watchedPage } from './browser.ts';
import { pageWith } from './pages.ts';

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
    await page.goto(`${site.url}${path}?gen.prompt=${encodeURIComponent('The jury €')}&gen.methods=magnitude`);
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
});
