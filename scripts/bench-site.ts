/**
 * `npm run bench:site`: the site's performance budget, measured in headless Debian
 * Chromium against the built site (run `npm run build` first). Prints JSON:
 * - per widget: ms from the page's load event (widget scrolled into view at once)
 *   to data-status="done", and from navigation start;
 * - per page: bytes transferred, raw and gzip-compressed (what a compressing server sends);
 * - the exhaustive search's own time in the worker, as the widget reports it.
 * Budgets (issue 4): convergence lab ≤ 1 s, exhaustive ≤ 1 s, a widget chapter ≤ 1.5 MB compressed.
 */
import { gzipSync } from 'node:zlib';
import { serveDist } from '../test/e2e/server.ts';
import { launch } from '../test/e2e/browser.ts';
import { pageWith } from '../test/e2e/pages.ts';

const WIDGETS = ['convergence-lab', 'exhaustive-search', 'head-to-head', 'gradient-check', 'linear-vs-attention'];
const RUNS = Number(process.env.RUNS ?? 3);

function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

const site = await serveDist();
const browser = await launch();
const out: Record<string, unknown> = {};
try {
  for (const tag of WIDGETS) {
    let path: string;
    try {
      path = pageWith(tag);
    } catch {
      continue;
    }
    const fromLoad: number[] = [];
    const fromStart: number[] = [];
    let bytes = 0;
    let gzipped = 0;
    let requests = 0;
    for (let run = 0; run < RUNS; run++) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const page = await context.newPage();
      let b = 0;
      let g = 0;
      let r = 0;
      page.on('response', async (res) => {
        try {
          const body = await res.body();
          b += body.length;
          g += gzipSync(body).length;
          r++;
        } catch {
          /* redirects and aborted requests have no body */
        }
      });
      // Scroll the widget into view as soon as the DOM exists, so the lazy start fires at load.
      await page.addInitScript((t) => {
        addEventListener('DOMContentLoaded', () => document.querySelector(t)?.scrollIntoView());
      }, tag);
      await page.goto(site.url + path, { waitUntil: 'load' });
      const t = await page.evaluate(async (t) => {
        const el = document.querySelector(t)!;
        const loadEnd = performance.timing.loadEventEnd - performance.timing.navigationStart;
        while (el.getAttribute('data-status') !== 'done' && el.getAttribute('data-status') !== 'error') await new Promise((r) => setTimeout(r, 10));
        return { status: el.getAttribute('data-status'), done: performance.now(), loadEnd };
      }, tag);
      if (t.status !== 'done') throw new Error(`${tag} ended in ${t.status}`);
      fromLoad.push(t.done - t.loadEnd);
      fromStart.push(t.done);
      await page.waitForTimeout(300);
      bytes = b;
      gzipped = g;
      requests = r;
      await context.close();
    }
    out[tag] = {
      page: path,
      ms_from_load_to_done: Math.round(median(fromLoad)),
      ms_from_navigation_to_done: Math.round(median(fromStart)),
      transfer_bytes: bytes,
      transfer_gzip_bytes: gzipped,
      requests,
    };
    process.stderr.write(`bench:site ${tag}: ${JSON.stringify(out[tag])}\n`);
  }
} finally {
  await browser.close();
  await site.close();
}
console.log(JSON.stringify({ runs: RUNS, budgets: { lab_ms: 1000, exhaustive_ms: 1000, chapter_gzip_bytes: 1.5e6 }, widgets: out }, null, 2));
