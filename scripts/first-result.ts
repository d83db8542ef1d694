/**
 * Issue 11's target: each synthetic widget's first result ≤ 300 ms after it scrolls into
 * view. `npx tsx scripts/first-result.ts` against the built site (SITE_DIST=<dir> for
 * another build); RUNS (default 3) and SETTLE (ms between the load event and the scroll,
 * default 1500: a reader looks at the page first, and the workers load meanwhile).
 * Two ways to arrive, each timed from the moment the widget's top enters the viewport
 * to the first chart or table in its output (0 when it was there already):
 * - jump: scrollIntoView at once, as a link to the widget does (the worst case);
 * - read: 300 px every 100 ms, a quick reader's scroll (the start one screen ahead,
 *   widget-base.ts's rootMargin, then has the result ready).
 * Prints JSON: per widget and mode, the median and every run, and the time to done.
 */
import { serveDist } from '../test/e2e/server.ts';
import { launch } from '../test/e2e/browser.ts';
import { pageWith } from '../test/e2e/pages.ts';

const TAGS = ['linear-vs-attention', 'gradient-check', 'convergence-lab', 'exhaustive-search', 'head-to-head'];
const RUNS = Number(process.env.RUNS ?? 3);
const SETTLE = Number(process.env.SETTLE ?? 1500);
const MODES = ['jump', 'read'] as const;

function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

const site = await serveDist();
const browser = await launch();
const out: Record<string, Record<string, { first_ms: number; runs_ms: number[]; done_ms: number[] }>> = {};
try {
  for (const tag of TAGS) {
    out[tag] = {};
    for (const mode of MODES) {
      const first: number[] = [];
      const done: number[] = [];
      for (let r = 0; r < RUNS; r++) {
        const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
        const page = await context.newPage();
        await page.goto(site.url + pageWith(tag), { waitUntil: 'load' });
        await page.waitForTimeout(SETTLE);
        const t = await page.evaluate(
          async ({ tag, mode }) => {
            const el = document.querySelector(tag) as HTMLElement;
            // No named helpers in here: tsx would wrap them in a __name the page does not have.
            const chart = '.widget-output figure, .widget-output table, .widget-output svg';
            if (mode === 'jump') el.scrollIntoView({ block: 'start' });
            else {
              while (el.getBoundingClientRect().top > innerHeight) {
                window.scrollBy(0, 300);
                await new Promise((r) => setTimeout(r, 100));
              }
            }
            const t0 = performance.now();
            let first = el.querySelector(chart) ? 0 : -1;
            while (performance.now() - t0 < 60_000) {
              if (first < 0 && el.querySelector(chart)) first = performance.now() - t0;
              if (/done|error/.test(el.dataset.status ?? '')) return { first: first < 0 ? performance.now() - t0 : first, done: performance.now() - t0 };
              await new Promise((r) => requestAnimationFrame(r));
            }
            return { first, done: -1 };
          },
          { tag, mode },
        );
        first.push(Math.round(t.first));
        done.push(Math.round(t.done));
        await context.close();
      }
      out[tag][mode] = { first_ms: median(first), runs_ms: first, done_ms: done };
    }
  }
} finally {
  await browser.close();
  await site.close();
}
console.log(JSON.stringify(out, null, 2));
