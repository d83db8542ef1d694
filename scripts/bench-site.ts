/**
 * `npm run bench:site`: the site's performance budget, measured in headless Debian
 * Chromium against the built site (run `npm run build` first). Prints JSON:
 * - per widget: ms from the page's load event (widget scrolled into view at once)
 *   to data-status="done", and from navigation start;
 * - per page: bytes transferred, raw and gzip-compressed (what a compressing server sends);
 * - the exhaustive search's own time in the worker, as the widget reports it.
 * Budgets (issue 4): convergence lab ≤ 1 s, exhaustive ≤ 1 s, a widget chapter ≤ 1.5 MB compressed.
 * Issue 5: pruning every head with gd ≤ 10 s (worker_ms.prune), a model ≤ 2 MB,
 * downloaded once (second_visit_weight_bytes = 0). Issues 10 and 19: the whole model with our
 * best recipe (swap + attention refit) ≤ 10 s from the load event; brown-word's weights ≤ 4 MB gzip.
 */
import { gzipSync } from 'node:zlib';
import { serveDist } from '../test/e2e/server.ts';
import { launch } from '../test/e2e/browser.ts';
import { pageWith } from '../test/e2e/pages.ts';

/** Widgets to time: the tag, and optionally a query string (its URL state) and a name for the entry. */
const WIDGETS: { tag: string; query?: string; name?: string }[] = [
  { tag: 'convergence-lab' },
  { tag: 'exhaustive-search' },
  { tag: 'head-to-head' },
  { tag: 'gradient-check' },
  { tag: 'linear-vs-attention' },
  // Issue 5's budget: pruning every head with gd in the page ≤ 10 s (the pruner opens on brown-word).
  { tag: 'model-pruner', query: '?pruner.methods=gd', name: 'model-pruner (brown-word, gd)' },
  // Issues 10 and 19: our best recipe (the swap search with the attention refit, chapters 9–10) on the whole model ≤ 10 s from the load event.
  { tag: 'model-pruner', query: '?pruner.methods=swap&pruner.refits=attention', name: 'model-pruner (brown-word, swap + attention refit)' },
  {
    tag: 'model-pruner',
    query: '?pruner.model=brown-char&pruner.methods=swap&pruner.refits=attention',
    name: 'model-pruner (brown-char, swap + attention refit)',
  },
  { tag: 'model-pruner', name: 'model-pruner (brown-word, the default methods)' },
  { tag: 'generated-text', name: 'generated-text (brown-word, the defaults)' },
];
const RUNS = Number(process.env.RUNS ?? 3);

function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

const site = await serveDist();
const browser = await launch();
const out: Record<string, unknown> = {};
try {
  for (const { tag, query = '', name = tag } of WIDGETS) {
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
    const workerMs: unknown[] = [];
    let cachedVisitWeightBytes = -1;
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
      await page.goto(site.url + path + query, { waitUntil: 'load' });
      const t = await page.evaluate(async (t) => {
        const el = document.querySelector(t)!;
        const loadEnd = performance.timing.loadEventEnd - performance.timing.navigationStart;
        // Heavy widgets start on the reader's Run: press it, as a reader would.
        if ((el as HTMLElement).dataset.start === 'click') el.querySelector<HTMLButtonElement>('.widget-stop')?.click();
        while (el.getAttribute('data-status') !== 'done' && el.getAttribute('data-status') !== 'error') await new Promise((r) => setTimeout(r, 10));
        return { status: el.getAttribute('data-status'), done: performance.now(), loadEnd };
      }, tag);
      if (t.status !== 'done') throw new Error(`${tag} ended in ${t.status}`);
      const result = await page.locator(tag).getAttribute('data-result');
      if (result) workerMs.push(JSON.parse(result).timeMs);
      fromLoad.push(t.done - t.loadEnd);
      fromStart.push(t.done);
      await page.waitForTimeout(300);
      bytes = b;
      gzipped = g;
      requests = r;
      if (tag === 'model-pruner' && run === 0) {
        // A second visit in the same browser: the model's weights must come from the cache.
        let w = 0;
        page.on('response', async (res) => {
          if (res.url().includes('weights.bin')) w += (await res.body().catch(() => Buffer.alloc(0))).length;
        });
        await page.reload({ waitUntil: 'load' });
        await page.locator(`${tag} .widget-stop`).click();
        await page.waitForFunction((t) => document.querySelector(t)?.getAttribute('data-status') === 'done', tag, { timeout: 120_000 });
        cachedVisitWeightBytes = w;
      }
      await context.close();
    }
    out[name] = {
      page: path + query,
      ms_from_load_to_done: Math.round(median(fromLoad)),
      ms_from_navigation_to_done: Math.round(median(fromStart)),
      transfer_bytes: bytes,
      transfer_gzip_bytes: gzipped,
      requests,
      ...(workerMs.length ? { worker_ms: workerMs } : {}),
      ...(cachedVisitWeightBytes >= 0 ? { second_visit_weight_bytes: cachedVisitWeightBytes } : {}),
    };
    process.stderr.write(`bench:site ${name}: ${JSON.stringify(out[name])}\n`);
  }
} finally {
  await browser.close();
  await site.close();
}
console.log(
  JSON.stringify(
    { runs: RUNS, budgets: { lab_ms: 1000, exhaustive_ms: 1000, chapter_gzip_bytes: 1.5e6, model_gd_prune_ms: 10000, model_bytes: 2e6 }, widgets: out },
    null,
    2,
  ),
);
