/**
 * Debian's Chromium driven by playwright-core (no browser download), plus a page
 * wrapper that records console errors, failed requests and any request that
 * leaves the site's origin.
 */
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export async function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
}

export interface Watched {
  page: Page;
  consoleErrors: string[];
  failedRequests: string[];
  offOrigin: string[];
}

export async function watchedPage(browser: Browser, origin: string, viewport = { width: 1280, height: 900 }): Promise<Watched> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const w: Watched = { page, consoleErrors: [], failedRequests: [], offOrigin: [] };
  page.on('console', (m) => {
    if (m.type() === 'error') w.consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => w.consoleErrors.push(`pageerror: ${e.message}`));
  page.on('requestfailed', (r) => w.failedRequests.push(`${r.url()} (${r.failure()?.errorText})`));
  page.on('response', (r) => {
    if (r.status() >= 400) w.failedRequests.push(`${r.url()} (${r.status()})`);
  });
  page.on('request', (r) => {
    const url = r.url();
    if (!url.startsWith(origin) && !url.startsWith('data:') && !url.startsWith('blob:')) w.offOrigin.push(url);
  });
  return w;
}

/** Wait until a widget root reports done (or error), and return its status. */
export async function widgetStatus(page: Page, selector: string, timeout = 30_000): Promise<string> {
  const root = page.locator(selector);
  await root.scrollIntoViewIfNeeded();
  await page.waitForFunction(
    (sel) => {
      const s = document.querySelector(sel)?.getAttribute('data-status');
      return s === 'done' || s === 'error';
    },
    selector,
    { timeout },
  );
  return (await root.getAttribute('data-status')) ?? '';
}

/** Press a click-started widget's Run button (heavy widgets wait for it), then wait as widgetStatus does. */
export async function runWidget(page: Page, selector: string, timeout = 30_000): Promise<string> {
  const root = page.locator(selector);
  await root.scrollIntoViewIfNeeded();
  await root.locator('.widget-actions').getByRole('button', { name: 'Run', exact: true }).click();
  await page
    .waitForFunction((sel) => document.querySelector(sel)?.getAttribute('data-status') === 'running', selector, { timeout: 10_000 })
    .catch(() => undefined);
  return widgetStatus(page, selector, timeout);
}
