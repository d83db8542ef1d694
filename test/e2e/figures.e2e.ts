/**
 * Figures as a reader uses them, in one page load of the convergence lab: hovering a
 * chart shows the value under the pointer, and the downloads are the whole figure
 * (title, legend, plot and caption), the PNG at slide resolution.
 */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import { siteSession } from './siteSession.ts';
import { watchedPage, widgetStatus } from './browser.ts';
import { pageWith } from './pages.ts';

const session = siteSession('convergence-lab');

const LAB = 'convergence-lab';

/** The downloaded file behind a click on the figure's button. */
async function download(page: Page, figure: Locator, button: 'SVG' | 'PNG'): Promise<Buffer> {
  const [file] = await Promise.all([page.waitForEvent('download'), figure.locator('.figure-tools button', { hasText: button }).click()]);
  const path = await file.path();
  return readFile(path);
}

/** Hover at a fraction of the chart's plot area and return the tip's text. */
async function tipAt(page: Page, svg: Locator, fx: number, fy: number): Promise<string> {
  await svg.scrollIntoViewIfNeeded();
  const box = await svg.boundingBox();
  if (!box) throw new Error('chart not on screen');
  await page.mouse.move(box.x + box.width * fx, box.y + box.height * fy, { steps: 3 });
  const tip = svg.locator('g[aria-label="tip"] text');
  await expect.poll(async () => (await tip.count()) > 0, { timeout: 5000 }).toBe(true);
  // Plot separates the tip's lines with zero-width spaces.
  return ((await tip.first().textContent()) ?? '').replace(/\u200b/g, '\n').trim();
}

describe('figures', () => {
  it('hover shows the value; SVG and PNG downloads are the whole figure, PNG ≥ 1600 px wide', async () => {
    const { page, consoleErrors } = await watchedPage(session.browser, session.site.url);
    await page.goto(session.site.url + pageWith(LAB));
    expect(await widgetStatus(page, LAB)).toBe('done');
    const figures = page.locator(`${LAB} figure.widget-figure`);
    const loss = figures.filter({ hasText: 'Loss during gradient descent' });
    const mask = figures.filter({ hasText: 'Dense attention F₀' });

    // Hover: the loss chart gives t and both losses; the attention map names query, key and value.
    const lossSvg = loss.locator('svg[viewBox]').last();
    expect(await tipAt(page, lossSvg, 0.5, 0.5)).toMatch(/t = \d+\s+L = [\d.]+\s+attention term = [\d.]/);
    const maskSvg = mask.locator('svg[viewBox]').last();
    expect(await tipAt(page, maskSvg, 0.5, 0.6)).toMatch(/query i \d+, key j \d+\s*attention: [\d.]/);
    await page.mouse.move(0, 0);

    // SVG: one file with the title, the legend, the plotted line and the caption.
    const svg = (await download(page, loss, 'SVG')).toString('utf8');
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg).toContain('Loss during gradient descent');
    expect(svg).toContain('L(M_t)'); // the line's label
    expect(svg).toMatch(/<path[^>]* d="M[\d.]+,[\d.]+(L[\d.]+,[\d.]+){20}/); // the loss line itself
    expect(svg).toMatch(/went from/); // the caption
    const maskSvgFile = (await download(page, mask, 'SVG')).toString('utf8');
    expect(maskSvgFile).toMatch(/<image[^>]+href="data:image\/png/); // the raster, not only its colour bar

    // PNG: the whole figure rasterised, at least 1600 px wide and taller than a legend.
    for (const figure of [loss, mask]) {
      const png = await download(page, figure, 'PNG');
      expect(png.subarray(1, 4).toString('ascii')).toBe('PNG');
      const width = png.readUInt32BE(16);
      const height = png.readUInt32BE(20);
      expect(width).toBeGreaterThanOrEqual(1600);
      expect(height).toBeGreaterThan(width / 3);
    }
    expect(consoleErrors).toEqual([]);
    await page.context().close();
  });
});
