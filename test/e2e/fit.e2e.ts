/**
 * Every figure fits its column: on every built page, at 1280, 1024, 768 and 390 px, each
 * chart (svg, canvas, img, figure) inside a chapter or a widget lies within every box
 * around it and within the viewport, so nothing is cut off, scrolls on its own or spills
 * into its neighbour. Widgets that start on view are scrolled to and run; click-started
 * (model) widgets run once with their cheapest setting (one method, magnitude), so their
 * result figures are measured too. One browser and one page per site page: the viewport
 * is resized, as a reader turns a phone or narrows a window, and the widgets redraw.
 */
import { appendFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { watchedPage } from './browser.ts';
import { siteSession } from './siteSession.ts';
import { builtPages } from './pages.ts';

const WIDTHS = [1280, 1024, 768, 390] as const;
/** The cheapest run of a click-started model widget: one fast method. */
const CHEAPEST = { methods: 'magnitude' } as const;

const ctx = siteSession();

interface Misfit {
  what: string;
  width: number;
  container: string;
  room: number;
  overflow: number;
}

/**
 * In the page: every visible figure whose box leaves one of the boxes around it (or the
 * viewport) by more than 1 px. "what" names it by its figure's caption or its label.
 */
function misfits(page: Page): Promise<Misfit[]> {
  return page.evaluate(() => {
    const out: Misfit[] = [];
    const name = (el: Element): string => {
      const fig = el.closest('.widget-figure');
      const said = el instanceof SVGTextElement ? `the words "${el.textContent?.slice(0, 40)}" of ` : '';
      const caption = fig?.querySelector('figcaption')?.textContent?.trim().slice(0, 70);
      const host = el.closest('[data-status]');
      const label = el.getAttribute('aria-label')?.slice(0, 50);
      return `${host ? `${host.localName}: ` : ''}${said}${caption ?? label ?? el.localName}`;
    };
    const describe = (el: Element): string =>
      `${el.localName}${el.className && typeof el.className === 'string' ? `.${el.className.split(/\s+/).join('.')}` : ''}`;
    const viewport = document.documentElement.clientWidth;
    const figures = [...document.querySelectorAll('main :is(svg, canvas, img, figure)')].filter(
      (el) => !el.parentElement?.closest('svg') && !el.closest('.katex, button, summary, .widget-actions, .figure-tools'),
    );
    // A chart's words too (axis labels, legend titles): a label cut at the edge is clipped.
    const words = [...document.querySelectorAll('main svg text')].filter((t) => !t.closest('.katex, button'));
    for (const el of [...figures, ...words]) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.height === 0) continue;
      if (r.right > viewport + 1 || r.left < -1) {
        out.push({
          what: name(el),
          width: Math.round(r.width),
          container: 'viewport',
          room: viewport,
          overflow: Math.round(Math.max(r.right - viewport, -r.left)),
        });
        continue;
      }
      // Words are measured against the boxes around their chart (Plot draws them outside its svg at times).
      const svg = el instanceof SVGTextElement ? el.closest('svg') : null;
      if (svg && getComputedStyle(svg).overflow !== 'visible') {
        const box = svg.getBoundingClientRect();
        const over = Math.max(r.right - box.right, box.left - r.left);
        if (over > 1) {
          out.push({ what: name(el), width: Math.round(r.width), container: 'its svg', room: Math.round(box.width), overflow: Math.round(over) });
          continue;
        }
      }
      const start = svg ? svg.parentElement : el.parentElement;
      for (let a = start; a && a !== document.body; a = a.parentElement) {
        const style = getComputedStyle(a);
        if (style.display === 'inline' || style.display === 'contents') continue;
        const box = a.getBoundingClientRect();
        // The box's inside: its border box less its borders and any vertical scroll bar.
        const left = box.left + a.clientLeft;
        const right = left + (a.clientWidth || box.width);
        const over = Math.max(r.right - right, left - r.left);
        if (over > 1) {
          out.push({ what: name(el), width: Math.round(r.width), container: describe(a), room: Math.round(right - left), overflow: Math.round(over) });
          break;
        }
      }
    }
    return out;
  });
}

/** Scroll through the page so every view-started widget starts, then wait for all of them. */
async function runEverything(page: Page): Promise<void> {
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  for (let y = 0; y < height; y += 800) await page.evaluate((top) => window.scrollTo(0, top), y);
  // Widgets above may have grown while we scrolled and pushed a view-started one below the
  // last scroll position: bring every one still waiting into view itself, one at a time.
  await page.evaluate(async () => {
    const frame = () => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
    for (let round = 0; round < 5; round++) {
      const waiting = [...document.querySelectorAll<HTMLElement>('[data-status="idle"]')].filter((w) => w.dataset.start !== 'click');
      if (!waiting.length) return;
      for (const w of waiting) {
        w.scrollIntoView({ block: 'center' });
        await frame();
      }
    }
  });
  // A click-started widget shows its Run button once its element is defined: a click before
  // that would be lost and the widget would stay idle (the test would then wait in vain).
  await page.waitForFunction(
    () =>
      [...document.querySelectorAll<HTMLElement>('[data-start="click"]')].every(
        (w) => w.dataset.status !== 'idle' || [...w.querySelectorAll('.widget-actions button')].some((b) => b.textContent === 'Run'),
      ),
    undefined,
    { timeout: 30_000, polling: 50 },
  );
  const clicked = await page.evaluate(() => {
    const run: string[] = [];
    for (const w of document.querySelectorAll<HTMLElement>('[data-start="click"]')) {
      const button = [...w.querySelectorAll<HTMLButtonElement>('.widget-actions button')].find((b) => b.textContent === 'Run');
      if (w.dataset.status === 'idle' && button) {
        button.click();
        run.push(w.localName);
      }
    }
    return run;
  });
  await settled(page, clicked.length ? 120_000 : 60_000);
}

/** Every widget done (or failed) and no redraw pending (widget-base marks one with data-redraw). */
async function settled(page: Page, timeout: number): Promise<void> {
  // A resize reaches the widgets' ResizeObservers at the next frame.
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
  try {
    await page.waitForFunction(
      () =>
        [...document.querySelectorAll('[data-status]')].every(
          (w) => ['done', 'error'].includes(w.getAttribute('data-status') ?? '') && !w.hasAttribute('data-redraw'),
        ) &&
        // A part drawn after its widget is done (the lab's gap chart) is busy until then.
        document.querySelector('main [data-status] [aria-busy="true"]') === null,
      undefined,
      { timeout, polling: 50 },
    );
  } catch (e) {
    // Say which widget did not settle, so a failure explains itself.
    const pending = await page.evaluate(() =>
      [...document.querySelectorAll<HTMLElement>('[data-status]')]
        .filter((w) => !['done', 'error'].includes(w.dataset.status ?? '') || w.hasAttribute('data-redraw') || w.querySelector('[aria-busy="true"]'))
        .map(
          (w) =>
            `${w.localName}#${w.id} status=${w.dataset.status}${w.hasAttribute('data-redraw') ? ' redraw pending' : ''}: ${w.querySelector('.widget-status')?.textContent?.slice(0, 160) ?? ''}`,
        ),
    );
    throw new Error(`${page.url()}: widgets did not settle in ${timeout} ms: ${pending.join(' | ')} (${(e as Error).message.split('\n')[0]})`);
  }
}

/*
 * FIT_LOG=<file>: one line per page and width (misfits, seconds so far), to see where
 * the time goes and what fails before the test ends.
 */

/** The page's address with the cheapest setting for each click-started widget it holds. */
async function cheapest(page: Page, url: string): Promise<string> {
  const prefixes = await page.evaluate(() => [...document.querySelectorAll<HTMLElement>('[data-start="click"]')].map((w) => w.id || w.localName));
  const q = new URLSearchParams();
  for (const p of prefixes) for (const [k, v] of Object.entries(CHEAPEST)) q.set(`${p}.${k}`, v);
  return prefixes.length ? `${url}?${q}` : url;
}

describe('figures fit their column', () => {
  it('on every page at 1280, 1024, 768 and 390 px, no figure overflows or is clipped', async () => {
    const { page, consoleErrors } = await watchedPage(ctx.browser, ctx.site.url, { width: WIDTHS[0], height: 900 });
    const found: string[] = [];
    const t0 = Date.now();
    for (const path of builtPages()) {
      await page.setViewportSize({ width: WIDTHS[0], height: 900 });
      await page.goto(ctx.site.url + path);
      const url = await cheapest(page, ctx.site.url + path);
      if (url !== ctx.site.url + path) await page.goto(url);
      await runEverything(page);
      for (const width of WIDTHS) {
        await page.setViewportSize({ width, height: 900 });
        await settled(page, 60_000);
        const here = await misfits(page);
        if (process.env.FIT_LOG)
          appendFileSync(
            process.env.FIT_LOG,
            `${path} at ${width} px: ${here.length} misfits${here.length ? `, widest ${Math.max(...here.map((m) => m.width))} px, worst ${Math.max(...here.map((m) => m.overflow))} px over` : ''} (${((Date.now() - t0) / 1000).toFixed(1)} s)\n`,
          );
        for (const m of here) found.push(`${path} at ${width} px: ${m.what} is ${m.width} px wide, ${m.overflow} px beyond ${m.container} (${m.room} px)`);
      }
    }
    console.log(`fit: ${builtPages().length} pages × ${WIDTHS.length} widths in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    expect(found, found.join('\n')).toEqual([]);
    expect(consoleErrors).toEqual([]);
    // 26 pages × 4 widths with every widget run: about 100 s on a quiet machine, several
    // minutes when other work shares the 2 cores.
  }, 600_000);
});
