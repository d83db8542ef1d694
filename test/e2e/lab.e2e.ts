/**
 * The convergence lab as a reader uses it: from the keyboard, through a shared link,
 * with a garbled link, and into divergence.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { serveDist, type SiteServer } from './server.ts';
import { launch, watchedPage, widgetStatus } from './browser.ts';
import { pageWith } from './pages.ts';
import { GD_DEFAULTS } from '../../src/core/gd.ts';

let site: SiteServer;
let browser: Browser;
let path: string;

beforeAll(async () => {
  site = await serveDist();
  browser = await launch();
  path = pageWith('convergence-lab');
});
afterAll(async () => {
  await browser?.close();
  await site?.close();
});

const LAB = 'convergence-lab';

async function number(page: Page, label: string): Promise<number> {
  const text = await page.locator(`${LAB} dt:has-text("${label}") + dd`).textContent();
  return Number(text);
}

describe('convergence lab', () => {
  it('runs by default and reports a plausible error', async () => {
    const { page, consoleErrors } = await watchedPage(browser, site.url);
    await page.goto(site.url + path);
    expect(await widgetStatus(page, LAB)).toBe('done');
    const err = await number(page, 'Relative attention error');
    expect(err).toBeGreaterThan(0);
    expect(err).toBeLessThan(1.5);
    expect(await page.locator(`${LAB} figure`).count()).toBeGreaterThanOrEqual(5);
    expect(consoleErrors).toEqual([]);
    await page.context().close();
  });

  it('keyboard: typing a new seed and pressing Enter reruns, and the URL records it', async () => {
    const { page } = await watchedPage(browser, site.url);
    await page.goto(site.url + path);
    await widgetStatus(page, LAB);
    const before = await number(page, 'Relative attention error');
    const seed = page.getByLabel('seed', { exact: true });
    await seed.focus();
    await page.keyboard.press('Control+A');
    await page.keyboard.type('7');
    await page.keyboard.press('Tab');
    await expect.poll(() => page.evaluate(() => location.search)).toContain('lab.seed=7');
    await expect
      .poll(async () => (await page.locator(LAB).getAttribute('data-status')) === 'done' && (await number(page, 'Relative attention error')) !== before, {
        timeout: 30_000,
      })
      .toBe(true);
    // ArrowUp on a number input steps it: the widget follows.
    const iters = page.getByLabel('iterations T');
    await iters.focus();
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('Tab');
    await expect.poll(() => page.evaluate(() => location.search)).toContain(`lab.iters=${GD_DEFAULTS.iters + 1}`);
    await page.context().close();
  });

  it('the TensorFlow.js engine runs, names its backend, and finds the same mask', async () => {
    const { page, consoleErrors } = await watchedPage(browser, site.url);
    await page.goto(`${site.url}${path}?lab.engine=tfjs`);
    expect(await widgetStatus(page, LAB, 60_000)).toBe('done');
    expect(await page.locator(`${LAB} dt:has-text("Arithmetic") + dd`).textContent()).toMatch(/^TensorFlow\.js float32 \((webgl|wasm|cpu)\)$/);
    const tfjsError = await number(page, 'Relative attention error');
    await page.goto(site.url + path);
    await widgetStatus(page, LAB);
    expect(await number(page, 'Relative attention error')).toBeCloseTo(tfjsError, 3);
    expect(consoleErrors).toEqual([]);
    await page.context().close();
  });

  it('downloads the data behind a chart as CSV', async () => {
    const { page } = await watchedPage(browser, site.url);
    await page.goto(site.url + path);
    await widgetStatus(page, LAB);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download the data as CSV: Loss during gradient descent' }).click(),
    ]);
    const text = await (await import('node:fs/promises')).readFile((await download.path())!, 'utf8');
    const lines = text.trim().split('\n');
    expect(lines[0]).toBe('iteration,loss,attention_loss');
    expect(lines).toHaveLength(GD_DEFAULTS.iters + 2);
    expect(download.suggestedFilename()).toBe('convergence-loss.csv');
    await page.context().close();
  });

  it('a shared link reproduces the state and the numbers', async () => {
    const a = await watchedPage(browser, site.url);
    await a.page.goto(`${site.url}${path}?lab.seed=5&lab.d=8&lab.sparsity=0.7&lab.causal=1`);
    await widgetStatus(a.page, LAB);
    const err = await number(a.page, 'Relative attention error');
    expect(await a.page.getByLabel('width d').inputValue()).toBe('8');
    expect(await a.page.getByLabel('causal', { exact: true }).isChecked()).toBe(true);
    const b = await watchedPage(browser, site.url);
    await b.page.goto(a.page.url());
    await widgetStatus(b.page, LAB);
    expect(await number(b.page, 'Relative attention error')).toBe(err);
    await a.page.context().close();
    await b.page.context().close();
  });

  it('garbage in the URL falls back to defaults with a visible note', async () => {
    const { page, consoleErrors } = await watchedPage(browser, site.url);
    await page.goto(`${site.url}${path}?lab.n=-3&lab.eta=banana&lab.engine=%3Cimg%20src%3Dx%3E&lab.causal=perhaps`);
    expect(await widgetStatus(page, LAB)).toBe('done');
    const notes = await page.locator(`${LAB} .widget-notes`).textContent();
    expect(notes).toMatch(/Ignored tokens n/);
    expect(notes).toMatch(/Ignored step η/);
    expect(await page.getByLabel('tokens n').inputValue()).toBe('64');
    expect(consoleErrors).toEqual([]);
    await page.context().close();
  });

  it('a step that is far too large is explained, not drawn as NaN', async () => {
    const { page } = await watchedPage(browser, site.url);
    await page.goto(`${site.url}${path}?lab.step=fixed&lab.eta=900`);
    expect(await widgetStatus(page, LAB)).toBe('error');
    const alert = await page.locator(`${LAB} [role=alert]`).textContent();
    expect(alert).toMatch(/diverged/);
    expect(alert).toMatch(/eta <= /);
    expect(await page.locator(LAB).textContent()).not.toMatch(/NaN/);
    // Reset brings it back.
    await page.locator(LAB).getByRole('button', { name: 'Reset' }).click();
    await expect.poll(() => page.locator(LAB).getAttribute('data-status'), { timeout: 30_000 }).toBe('done');
    expect(await page.evaluate(() => location.search)).not.toContain('lab.eta');
    expect(await page.evaluate(() => location.search)).not.toContain('lab.step');
    await page.context().close();
  });
});
