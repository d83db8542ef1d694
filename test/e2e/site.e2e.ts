/**
 * The built site in Debian's Chromium, page by page: it loads cleanly, its math
 * renders, every widget on it finishes with numbers, and axe finds no WCAG 2.1 AA
 * violation once the widgets have drawn.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import AxeBuilder from '@axe-core/playwright';
import { serveDist, type SiteServer } from './server.ts';
import { launch, watchedPage } from './browser.ts';
import { builtPages } from './pages.ts';

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

describe('every page', () => {
  it('the site has a home page and chapters', () => {
    expect(pages).toContain('/');
    expect(pages.length).toBeGreaterThan(1);
  });

  for (const path of pages) {
    it(`${path}: loads, renders its math, finishes its widgets, passes axe`, async () => {
      const w = await watchedPage(browser, site.url);
      const { page } = w;
      await page.goto(site.url + path, { waitUntil: 'load' });
      expect(await page.locator('h1').count()).toBe(1);
      expect(await page.locator('.katex-error').count()).toBe(0);

      // Scroll every widget into view (they start lazily) and wait for each to settle. A heavy
      // widget that starts on a click (a whole model to prune) is fine idle, showing what a run
      // costs and its Run button; its own browser test presses Run.
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
        const text = (await widget.textContent()) ?? '';
        expect(text, name).not.toMatch(/\bNaN\b|undefined/);
        expect(await widget.getAttribute('aria-busy')).toBe('false');
        if (await clickStarted()) {
          // The idle line says what a run does and what it will cost (or how the cost is found out).
          expect(await widget.locator('.widget-status').textContent(), name).toMatch(
            /Estimated time on this device: about [\d.]+ s|No time measured on this device yet/,
          );
          continue;
        }
        const status = await widget.getAttribute('data-status');
        expect(status, `${name}: ${await widget.locator('[role=alert]').textContent()}`).toBe('done');
      }

      // WCAG 2.5.3 (label in name): axe's rule is experimental, so it is enabled by name (options
      // first: withTags adds to them); voice-control users say the text they see.
      const axe = await new AxeBuilder({ page })
        .options({ rules: { 'label-content-name-mismatch': { enabled: true } } })
        .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
        .analyze();
      const violations = axe.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.length}× e.g. ${v.nodes[0]?.target.join(' ')})`);
      expect(violations).toEqual([]);

      expect(w.consoleErrors).toEqual([]);
      expect(w.failedRequests).toEqual([]);
      expect(w.offOrigin).toEqual([]);
      await page.context().close();
    });
  }

  it('every internal link and in-page anchor leads somewhere', async () => {
    const broken: string[] = [];
    for (const path of pages) {
      const w = await watchedPage(browser, site.url);
      await w.page.goto(site.url + path);
      const links = await w.page.$$eval('a[href]', (as) => as.map((a) => (a as HTMLAnchorElement).href));
      for (const href of new Set(links)) {
        const url = new URL(href);
        if (url.origin !== site.url) continue;
        if (url.pathname === new URL(site.url + path).pathname && url.hash) {
          const id = decodeURIComponent(url.hash.slice(1));
          if ((await w.page.locator(`[id="${id}"]`).count()) === 0) broken.push(`${path} → ${url.hash}`);
          continue;
        }
        const res = await fetch(site.url + url.pathname);
        if (!res.ok) broken.push(`${path} → ${url.pathname} (${res.status})`);
      }
      await w.page.context().close();
    }
    expect(broken).toEqual([]);
  });

  it('a phone-width page does not scroll sideways', async () => {
    for (const path of pages) {
      const w = await watchedPage(browser, site.url, { width: 375, height: 800 });
      await w.page.goto(site.url + path);
      const overflow = await w.page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow, path).toBeLessThanOrEqual(0);
      await w.page.context().close();
    }
  });
});
