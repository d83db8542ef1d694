/**
 * The generated controls as a reader uses them, on one cheap live widget (chapter 4's
 * gradient check), in one page load: a slider moved by keyboard and dragged by pointer
 * keeps its number box and the URL in step and reruns the widget (while dragging: it is
 * live), and the preset "the example above" brings back the number the prose quotes.
 */
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { siteSession } from './siteSession.ts';
import { watchedPage } from './browser.ts';
import { pageWith } from './pages.ts';
import { gradientCheck } from '../../src/site/numbers/examples.ts';
import { num, sci } from '../../src/ui/format.ts';

const session = siteSession('gradient-check');

const TAG = 'gradient-check';
/** Poll often: the widget answers within tens of milliseconds. */
const FAST = { intervals: [50], timeout: 30_000 };

/** The status line once the widget is done with the current state. */
async function settled(page: Page): Promise<string> {
  await page.waitForFunction((tag) => document.querySelector(tag)?.getAttribute('data-status') === 'done', TAG, { timeout: 30_000 });
  return (await page.locator(`${TAG} .widget-status`).textContent()) ?? '';
}

describe('sliders and presets', () => {
  it('keyboard and pointer move a slider, its number box, the URL and the result; a preset restores the prose’s example', async () => {
    const prose = gradientCheck();
    const w = await watchedPage(session.browser, session.site.url);
    const { page } = w;
    await page.goto(session.site.url + pageWith(TAG));
    const root = page.locator(TAG);
    await root.scrollIntoViewIfNeeded();
    // It opens on the prose's example: the chapter's relative error, in the paragraph and in the widget.
    const first = await settled(page);
    expect(first).toContain(`relative error ${num(prose.full.relative)}`);
    expect(await page.locator('main').textContent()).toContain(sci(prose.full.relative));
    expect(await root.getByRole('button', { name: 'the example above' }).getAttribute('aria-current')).toBe('true');

    // Keyboard: one ArrowRight on the n slider.
    const nSlider = root.getByRole('slider', { name: 'tokens n' });
    const nBox = root.getByRole('spinbutton', { name: 'tokens n' });
    await nSlider.focus();
    await page.keyboard.press('ArrowRight');
    expect(await nBox.inputValue()).toBe(String(prose.n + 1));
    await expect.poll(() => page.evaluate(() => location.search), FAST).toContain(`gradcheck.n=${prose.n + 1}`);
    await expect.poll(() => settled(page), FAST).not.toBe(first);
    const afterKey = await settled(page);
    expect(await root.getByRole('button', { name: 'the example above' }).getAttribute('aria-current')).toBeNull();

    // Pointer: drag the λ slider (logarithmic) to the right in small moves, counting the runs that finish meanwhile.
    await page.evaluate((tag) => {
      const el = document.querySelector(tag)!;
      (window as unknown as { __done: number }).__done = 0;
      new MutationObserver(() => {
        if (el.getAttribute('data-status') === 'done') (window as unknown as { __done: number }).__done++;
      }).observe(el, { attributes: true, attributeFilter: ['data-status'] });
    }, TAG);
    const lambdaSlider = root.getByRole('slider', { name: 'λ (pull toward 0)' });
    const lambdaBox = root.getByRole('spinbutton', { name: 'λ (pull toward 0)' });
    const box = (await lambdaSlider.boundingBox())!;
    const at = async (): Promise<number> => {
      const [v, lo, hi] = await lambdaSlider.evaluate((e: HTMLInputElement) => [e.valueAsNumber, Number(e.min), Number(e.max)]);
      return (v - lo) / (hi - lo);
    };
    const y = box.y + box.height / 2;
    const x0 = box.x + 8 + (box.width - 16) * (await at());
    await page.mouse.move(x0, y);
    await page.mouse.down();
    const x1 = box.x + box.width * 0.9;
    for (let i = 1; i <= 8; i++) {
      await page.mouse.move(x0 + ((x1 - x0) * i) / 8, y);
      await page.waitForTimeout(60);
    }
    const lambda = Number(await lambdaBox.inputValue());
    expect(lambda).toBeGreaterThan(prose.lambda);
    expect(await lambdaSlider.getAttribute('aria-valuetext')).toBe(String(lambda));
    // Live: runs finished while the button was still down.
    await expect.poll(() => page.evaluate(() => (window as unknown as { __done: number }).__done), FAST).toBeGreaterThan(0);
    await page.mouse.up();
    await expect.poll(() => page.evaluate(() => new URLSearchParams(location.search).get('gradcheck.lambda')), FAST).toBe(String(lambda));
    await expect.poll(() => settled(page), FAST).not.toBe(afterKey);

    // The preset brings back the prose's example: the same number, and a clean URL.
    await root.getByRole('button', { name: 'the example above' }).click();
    await expect.poll(() => settled(page), FAST).toBe(first);
    expect(await nBox.inputValue()).toBe(String(prose.n));
    expect(Number(await lambdaBox.inputValue())).toBe(prose.lambda);
    expect(await page.evaluate(() => location.search)).not.toContain('gradcheck.');
    expect(w.consoleErrors).toEqual([]);
    await page.context().close();
  });

  it('390 px: a Run button pressed near the bottom of the screen starts the run (nothing covers it between press and release)', async () => {
    const w = await watchedPage(session.browser, session.site.url, { width: 390, height: 900 });
    const { page } = w;
    await page.goto(`${session.site.url}/embed/generated-text/?gen.methods=magnitude`);
    const run = page.locator('generated-text .widget-actions').getByRole('button', { name: 'Run', exact: true });
    await run.scrollIntoViewIfNeeded();
    // Bring the button to the bottom of the screen, where the status line would stick while a control has focus.
    await page.evaluate(() => {
      const b = [...document.querySelectorAll<HTMLButtonElement>('generated-text .widget-actions button')].find((x) => x.textContent === 'Run')!;
      window.scrollBy(0, b.getBoundingClientRect().bottom - window.innerHeight + 8);
    });
    await run.click();
    await page.waitForFunction(() => document.querySelector('generated-text')?.getAttribute('data-status') !== 'idle', undefined, { timeout: 10_000 });
    await page.waitForFunction(() => ['done', 'error'].includes(document.querySelector('generated-text')?.getAttribute('data-status') ?? ''), undefined, {
      timeout: 60_000,
    });
    expect(await page.locator('generated-text').getAttribute('data-status')).toBe('done');
    expect(w.consoleErrors).toEqual([]);
    await page.context().close();
  }, 90_000);
});
