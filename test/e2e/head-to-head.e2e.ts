/**
 * Head to head and the wide layout, in two page loads: at 1280 px its figures use the
 * room beside the prose, its first method is drawn while the others still run (and how
 * soon is logged), its maps share fixed scales, show their entries on hover and wear
 * their method's registry colour; at 390 px every map keeps ≥ 2 px a column and the
 * page does not scroll sideways once the maps are drawn. (site.e2e.ts runs the widget to
 * the end and through axe.)
 */
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { siteSession } from './siteSession.ts';
import { watchedPage } from './browser.ts';
import { methodColour, PRUNING_METHOD_IDS } from '../../src/core/methods.ts';

const session = siteSession('head-to-head');

const H2H = 'head-to-head';

/** Jump to the widget and time its first method's maps; also count the cards drawn by then. */
async function firstResult(page: Page): Promise<{ ms: number; cardsDrawn: number; status: string }> {
  return page.evaluate(async (tag) => {
    const el = document.querySelector(tag) as HTMLElement;
    const t0 = performance.now();
    el.scrollIntoView({ block: 'start' });
    while (performance.now() - t0 < 30_000) {
      await new Promise((r) => requestAnimationFrame(r));
      const drawn = el.querySelectorAll('.h2h-card[data-method] figure svg').length;
      if (drawn > 0) return { ms: performance.now() - t0, cardsDrawn: drawn / 2, status: el.dataset.status ?? '' };
    }
    return { ms: Number.POSITIVE_INFINITY, cardsDrawn: 0, status: el.dataset.status ?? '' };
  }, H2H);
}

const hexToRgb = (hex: string): string => {
  const v = Number.parseInt(hex.slice(1), 16);
  return `rgb(${(v >> 16) & 255}, ${(v >> 8) & 255}, ${v & 255})`;
};

describe('head to head and the wide layout', () => {
  it('1280 px: wide figures, the fastest method first, shared scales, hover, registry colours', async () => {
    const w = await watchedPage(session.browser, session.site.url, { width: 1280, height: 900 });
    const { page } = w;
    await page.goto(session.site.url + session.path, { waitUntil: 'load' });
    await page.waitForTimeout(500);
    const first = await firstResult(page);
    console.log(`head to head: first method drawn ${Math.round(first.ms)} ms after the jump into view`);
    // Progressive: the first maps come while the slower methods still run.
    expect(first.status).toBe('running');
    expect(first.cardsDrawn).toBeLessThan(PRUNING_METHOD_IDS.length);

    // The widget and its maps use the room beside the prose column.
    const prose = await page.locator('.prose > p').first().boundingBox();
    const widget = await page.locator(H2H).boundingBox();
    const maps = await page.locator(`${H2H} .h2h-maps`).boundingBox();
    expect(widget!.width).toBeGreaterThan(prose!.width + 150);
    expect(maps!.width).toBeGreaterThan(prose!.width + 150);

    // Every method has a card edged in its registry colour; the first one drawn has its F′ and |F′ − F₀|.
    for (const m of PRUNING_METHOD_IDS) {
      const card = page.locator(`${H2H} .h2h-card[data-method="${m}"]`);
      expect(await card.evaluate((e) => getComputedStyle(e).borderLeftColor), m).toBe(hexToRgb(methodColour(m)));
    }
    const drawn = page.locator(`${H2H} .h2h-card[data-method]:has(figure)`).first();
    expect(await drawn.locator('figure svg image').count()).toBe(2);
    // One legend per kind of map (the scales are fixed and shared).
    expect(await page.locator(`${H2H} .h2h-legends svg`).count()).toBe(2);

    // Hover over a difference map: the tip names the cell and its values.
    const map = drawn.locator('figure svg image').nth(1);
    await map.scrollIntoViewIfNeeded();
    const box = (await map.boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.6, { steps: 3 });
    await expect.poll(() => drawn.textContent()).toMatch(/query i\s*\d+[\s\S]*\|F′ − F₀\|\s*\d/);
    expect(w.consoleErrors).toEqual([]);
    await page.context().close();
  });

  it('390 px: maps keep ≥ 2 px a column and the page never scrolls sideways', async () => {
    const w = await watchedPage(session.browser, session.site.url, { width: 390, height: 844 });
    const { page } = w;
    await page.goto(session.site.url + session.path, { waitUntil: 'load' });
    await page.locator(H2H).scrollIntoViewIfNeeded();
    // F₀ and the first method's maps drawn (every card shares their size, chosen from the width).
    const maps = page.locator(`${H2H} .h2h-maps figure svg image`);
    await expect.poll(() => maps.count(), { timeout: 60_000 }).toBeGreaterThanOrEqual(3);
    const n = Number(await page.locator(`${H2H} input[name="n"]`).inputValue());
    const widths = await maps.evaluateAll((imgs) => imgs.map((i) => i.getBoundingClientRect().width));
    for (const px of widths) expect(px / n).toBeGreaterThanOrEqual(2);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    expect(w.consoleErrors).toEqual([]);
    await page.context().close();
  });
});
