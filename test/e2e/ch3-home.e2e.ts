/**
 * Chapter 3's clickable example and the home page's live figure, one page load each:
 * pressing an entry of W changes F′ and the errors; the home figure's first result comes
 * within 300 ms of it scrolling into view (its own performance marks) and follows its slider.
 */
import { describe, expect, it } from 'vitest';
import { siteSession } from './siteSession.ts';
import { watchedPage } from './browser.ts';

const session = siteSession();

describe('ch3 and home figures', () => {
  it('chapter 3: pressing an entry of W changes F′ and both errors at once', async () => {
    const w = await watchedPage(session.browser, session.site.url);
    const { page } = w;
    await page.goto(`${session.site.url}/chapters/where-linear-breaks/`);
    const fig = page.locator('tiny-pruner');
    await fig.scrollIntoViewIfNeeded();
    await expect.poll(() => fig.getAttribute('data-status')).toBe('done');
    const fText = () => fig.locator('.tiny-matrix').nth(1).locator('tbody').textContent();
    const errors = () => fig.locator('.tiny-errors').textContent();
    // Opens with W₁₂ pruned: a column-2 entry, so F′ equals F₀ and the attention error is 0.
    expect(await errors()).toMatch(/relative attention error 0\.000/);
    const before = await fText();
    const w21 = fig.locator('button[data-entry="2"]');
    expect(await w21.getAttribute('aria-pressed')).toBe('false');
    await w21.click();
    expect(await w21.getAttribute('aria-pressed')).toBe('true');
    expect(await fText()).not.toBe(before);
    expect(await errors()).not.toMatch(/relative attention error 0\.000/);
    // By keyboard: restore W₂₁ with Space, and F′ is back where it was.
    await w21.focus();
    await page.keyboard.press('Space');
    expect(await w21.getAttribute('aria-pressed')).toBe('false');
    expect(await fText()).toBe(before);
    expect(w.consoleErrors).toEqual([]);
    await page.context().close();
  });

  it('home: the live figure answers within 300 ms of coming into view and follows its slider', async () => {
    const w = await watchedPage(session.browser, session.site.url);
    const { page } = w;
    await page.goto(`${session.site.url}/`);
    const fig = page.locator('home-figure');
    await fig.scrollIntoViewIfNeeded();
    await expect.poll(() => fig.getAttribute('data-status'), { timeout: 20_000 }).toBe('done');
    const ms = await page.evaluate(() => performance.getEntriesByName('home-figure:first', 'measure')[0]?.duration ?? Number.NaN);
    expect(ms).toBeLessThanOrEqual(300);
    const status = () => fig.locator('.hf-status').textContent();
    const readout = () => fig.locator('output').textContent();
    const first = await status();
    expect(await readout()).toMatch(/^32 of 64/);
    await fig.locator('input[type=range]').focus();
    await page.keyboard.press('End');
    await expect.poll(readout).toMatch(/^63 of 64/);
    await expect.poll(status).not.toBe(first);
    expect(await status()).toMatch(/Wanda \d/);
    expect(w.consoleErrors).toEqual([]);
    await page.context().close();
  });
});
