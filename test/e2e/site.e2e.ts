/**
 * The built site in Debian's Chromium, page by page, one load each: it loads cleanly,
 * its math renders, every widget on it finishes with numbers (click-started model
 * widgets once with their cheapest setting), axe finds no WCAG 2.1 AA violation once
 * the widgets have drawn, every figure fits its column at 1280, 1024, 768 and 390 px
 * and the page never scrolls sideways. The links each page holds are checked at the
 * end against the pages and anchors seen.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import AxeBuilder from '@axe-core/playwright';
import { serveDist, type SiteServer } from './server.ts';
import { launch, watchedPage } from './browser.ts';
import { builtPages } from './pages.ts';
import { cheapest, misfits, runEverything, settled, WIDTHS } from './pageFit.ts';

let site: SiteServer;
let browser: Browser;

beforeAll(async () => {
  site = await serveDist();
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
  await site?.close();
});

const pages = builtPages();
/** What each page's test saw: the element ids it holds and the same-origin links it makes. */
const seen = new Map<string, { ids: Set<string>; links: string[] }>();

describe('every page', () => {
  it('the site has a home page and chapters', () => {
    expect(pages).toContain('/');
    expect(pages.length).toBeGreaterThan(1);
  });

  for (const path of pages) {
    it(`${path}: loads, renders its math, finishes its widgets, passes axe, fits 1280 to 390 px`, async () => {
      const w = await watchedPage(browser, site.url);
      const { page } = w;
      await page.goto(site.url + path, { waitUntil: 'load' });
      // Click-started widgets will run once, with their cheapest setting (from the link).
      const url = await cheapest(page, site.url + path);
      if (url !== site.url + path) {
        // Nothing in flight to abort (the worker's warm-up fetch), so every failed request is real.
        await page.waitForLoadState('networkidle');
        await page.goto(url, { waitUntil: 'load' });
      }
      expect(await page.locator('h1').count()).toBe(1);
      expect(await page.locator('.katex-error').count()).toBe(0);

      // Scroll every widget into view (they start lazily) and wait for each to settle. A heavy
      // widget that starts on a click (a whole model to prune) waits idle, showing what a run
      // costs and its Run button.
      const widgets = page.locator('[data-status]');
      const count = await widgets.count();
      for (let i = 0; i < count; i++) {
        const widget = widgets.nth(i);
        await widget.scrollIntoViewIfNeeded();
        const name = await widget.evaluate((e) => e.localName);
        const clickStarted = async (): Promise<boolean> =>
          (await widget.getAttribute('data-status')) === 'idle' &&
          (await widget.locator('.widget-actions').getByRole('button', { name: 'Run', exact: true }).count()) === 1 &&
          /^Press Run\b/.test((await widget.locator('.widget-status').textContent()) ?? '');
        await expect
          .poll(async () => (await clickStarted()) || /^(done|error)$/.test((await widget.getAttribute('data-status')) ?? ''), {
            timeout: 60_000,
            interval: 200,
          })
          .toBe(true);
        expect((await widget.textContent()) ?? '', name).not.toMatch(/\bNaN\b|undefined/);
        expect(await widget.getAttribute('aria-busy')).toBe('false');
        if (await clickStarted()) {
          // The idle line says what a run does and what it will cost (or how the cost is found out).
          expect(await widget.locator('.widget-status').textContent(), name).toMatch(
            /Estimated time on this device: about [\d.]+ s|No time measured on this device yet/,
          );
        }
      }
      // Now every widget runs (click-started ones by their Run button) and finishes with numbers.
      await runEverything(page);
      const unfinished = await page.evaluate(() =>
        [...document.querySelectorAll<HTMLElement>('[data-status]')]
          .filter((e) => e.dataset.status !== 'done' || /\bNaN\b|undefined/.test(e.textContent ?? ''))
          .map((e) => `${e.localName}: ${e.dataset.status} ${e.querySelector('[role=alert]')?.textContent ?? ''}`),
      );
      expect(unfinished).toEqual([]);

      // WCAG 2.5.3 (label in name): axe's rule is experimental, so it is enabled by name (options
      // first: withTags adds to them); voice-control users say the text they see.
      const axe = await new AxeBuilder({ page })
        .options({ rules: { 'label-content-name-mismatch': { enabled: true } } })
        .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
        .analyze();
      const violations = axe.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.length}× e.g. ${v.nodes[0]?.target.join(' ')})`);
      expect(violations).toEqual([]);

      const held = await page.evaluate((origin) => {
        const links = [...document.querySelectorAll<HTMLAnchorElement>('a[href]')].map((a) => a.href).filter((h) => h.startsWith(origin));
        return { ids: [...document.querySelectorAll('[id]')].map((e) => e.id), links: [...new Set(links)] };
      }, site.url);
      seen.set(path, { ids: new Set(held.ids), links: held.links });

      // Every figure fits its column, and nothing scrolls sideways, as a reader narrows the window.
      const found: string[] = [];
      for (const width of WIDTHS) {
        await page.setViewportSize({ width, height: 900 });
        await settled(page, 60_000);
        for (const m of await misfits(page)) found.push(`${width} px: ${m.what} is ${m.width} px wide, ${m.overflow} px beyond ${m.container} (${m.room} px)`);
        const sideways = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        if (sideways > 0) found.push(`${width} px: the page scrolls sideways by ${sideways} px`);
      }
      expect(found, found.join('\n')).toEqual([]);

      expect(w.consoleErrors).toEqual([]);
      expect(w.failedRequests).toEqual([]);
      expect(w.offOrigin).toEqual([]);
      await page.context().close();
    }, 240_000);
  }

  it('every internal link and in-page anchor leads somewhere (from what each page held)', async () => {
    expect([...seen.keys()], 'every page was seen by its own test').toEqual(pages);
    const broken: string[] = [];
    const status = new Map<string, number>();
    for (const [path, { links }] of seen) {
      for (const href of links) {
        const url = new URL(href);
        const target = seen.get(url.pathname);
        if (target) {
          const id = decodeURIComponent(url.hash.slice(1));
          if (id && !target.ids.has(id)) broken.push(`${path} → ${url.pathname}${url.hash}`);
          continue;
        }
        if (!status.has(url.pathname)) status.set(url.pathname, (await fetch(site.url + url.pathname)).status);
        if (status.get(url.pathname) !== 200) broken.push(`${path} → ${url.pathname} (${status.get(url.pathname)})`);
      }
    }
    expect(broken).toEqual([]);
  });
});
