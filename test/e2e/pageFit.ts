/**
 * Whether every figure fits its column, and how to bring a page to the state where that
 * can be measured: every view-started widget scrolled to and finished, every
 * click-started (model) widget run once with its cheapest setting (one method,
 * magnitude), so that result figures are measured too. site.e2e.ts uses these on every
 * page at 1280, 1024, 768 and 390 px.
 */
import type { Page } from 'playwright-core';

/** The widths a reader meets: a laptop, a small laptop, a tablet, a phone. */
export const WIDTHS = [1280, 1024, 768, 390] as const;
/** The cheapest run of a click-started model widget: one fast method. */
const CHEAPEST = { methods: 'magnitude' } as const;

export interface Misfit {
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
export function misfits(page: Page): Promise<Misfit[]> {
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
export async function runEverything(page: Page): Promise<void> {
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
export async function settled(page: Page, timeout: number): Promise<void> {
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

/** The page's address with the cheapest setting for each click-started widget it holds. */
export async function cheapest(page: Page, url: string): Promise<string> {
  const prefixes = await page.evaluate(() => [...document.querySelectorAll<HTMLElement>('[data-start="click"]')].map((w) => w.id || w.localName));
  const q = new URLSearchParams();
  for (const p of prefixes) for (const [k, v] of Object.entries(CHEAPEST)) q.set(`${p}.${k}`, v);
  return prefixes.length ? `${url}?${q}` : url;
}
