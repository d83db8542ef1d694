/**
 * `npm run bench:gpt2:page [-- --quick] [--dtype F32|F16|BF16] [--checkpoint F [--config C]] [--keep]`: Chapter 8's
 * "Your own model" widget given a GPT-2-small-shaped checkpoint in headless Chromium (issue 18's
 * targets are for Node and headless Chromium; `npm run bench:gpt2` is Node's side). Needs the built
 * site: run `npm run build` first (or `npx astro build --outDir D` and SITE_DIST=D).
 *
 * It writes the same random GPT-2 small as bench:gpt2 (its writeCheckpoint: 124 M parameters,
 * 548 MB in F32) to a temporary directory (never committed; `--checkpoint F` uses F instead, with
 * its config.json if `--config C`), serves
 * the built site, and in one browser context:
 *
 *  1. runs the demo checkpoint (Run with no file chosen), as a reader would first: that records the
 *     device's costs (costs.ts, localStorage) from which the widget estimates the next runs;
 *  2. sets the checkpoint on the file input (playwright setInputFiles, by path) and reads the
 *     estimate the idle line shows; Run with layer 0, factored, sparsity 0.5, magnitude + Wanda +
 *     SparseGPT (the widget's defaults), to done;
 *  3. a changed setting (sparsity 0.6), which reruns the widget with the model open and calibrated:
 *     its estimate comes from this model's own costs, measured by step 2 (costs.ts does not scale
 *     the demo's to a model this much larger);
 *  4. unless `--quick`: Algorithm 1 (method `gd`, our defaults) alone on layer 0 at sparsity 0.5,
 *     the model still open (switching the methods reruns the widget), to done.
 *
 * Measured (the widget's data-result, and the status line's progress lines timestamped in the page):
 *   load_s        from choosing the file to the summary shown (the header check on the main thread)
 *                 plus the worker opening the model at Run (`timeMs.load`: read, validate, convert)
 *   perplexity_s  the dense cross-entropy on the shipped evaluation text (about 1 075 tokens, two
 *                 windows), in the worker (`prepareMs.dense`); calibration is reported beside it
 *   prune_*_s     the layer's 12 heads on the page's pool of workers, summed over the methods
 *                 (`runs[].pruneMs`); run_s is the whole run from Run to done (scoring, maps and
 *                 generation with every pruned model included)
 *   estimate_*    the widget's estimate before the run (`estimateMs`) against run_s
 *   peak_rss_mb   the largest sum, sampled every 200 ms, of VmRSS over Chromium's renderer
 *                 processes (the tab: its dedicated workers are threads of its renderer); Pss and the
 *                 other processes (browser, GPU, utility, zygote) are reported beside it
 *
 * and prints one JSON object with the targets of bench:gpt2 and met flags. A benchmark, not a test.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { launch, runWidget, watchedPage } from '../test/e2e/browser.ts';
import { pageWith } from '../test/e2e/pages.ts';
import { serveDist } from '../test/e2e/server.ts';
import { GPT2_SMALL, TARGETS, writeCheckpoint } from './bench-gpt2.ts';

const TAG = 'own-model';
const LINEAR = 'magnitude,wanda,sparsegpt';
const ATTENTION = 'gd';
/** Generous: on a shared 2-core machine a run is minutes of forward passes; Algorithm 1 more. */
const RUN_TIMEOUT_MS = 60 * 60_000;
const SAMPLE_MS = 200;
/** The setting changed for the rerun whose estimate comes from the model's own costs. */
const RERUN_SPARSITY = 0.6;

/** A page script: the sparsity box set and its change dispatched (as the reader's edit; strings, see watchStatus). */
const setSparsity = (p: number): string =>
  `(() => { const box = document.querySelector('#own-sparsity'); box.value = '${p}'; box.dispatchEvent(new Event('change')); })()`;

const seconds = (ms: number): number => Math.round(ms) / 1000;
const load = (): number[] => loadavg().map((x) => Math.round(x * 100) / 100);

/** The peak memory of Chromium's processes (descendants of this process), sampled every SAMPLE_MS. */
class ChromiumMemory {
  private readonly kinds = new Map<number, string>();
  private readonly timer: ReturnType<typeof setInterval>;
  private phase = 'start';
  readonly peaks: Record<string, { renderer_rss_mb: number; renderer_pss_mb: number; all_pss_mb: number; largest_renderer_rss_mb: number }> = {};
  readonly byKind: Record<string, number> = {};
  samples = 0;

  constructor() {
    this.timer = setInterval(() => this.sample(), SAMPLE_MS);
  }

  mark(phase: string): void {
    this.sample();
    this.phase = phase;
  }

  stop(): void {
    this.sample();
    clearInterval(this.timer);
  }

  /** Each process's parent, from /proc/<pid>/stat (the field after the command's closing parenthesis). */
  private descendants(root: number): number[] {
    const children = new Map<number, number[]>();
    for (const name of readdirSync('/proc')) {
      if (!/^\d+$/.test(name)) continue;
      try {
        const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        children.set(ppid, [...(children.get(ppid) ?? []), Number(name)]);
      } catch {
        /* the process ended meanwhile */
      }
    }
    const out: number[] = [];
    const queue = [root];
    while (queue.length) {
      for (const c of children.get(queue.pop()!) ?? []) {
        out.push(c);
        queue.push(c);
      }
    }
    return out;
  }

  /** Chromium's --type= (renderer, gpu-process, utility, zygote), "browser" without one; undefined: not Chromium. */
  private kind(pid: number): string | undefined {
    if (!this.kinds.has(pid)) {
      // Chromium rewrites its children's command lines into one space-separated string.
      const line = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
      if (!/chrom/i.test(basename(line.split(' ')[0]))) return undefined;
      this.kinds.set(pid, /--type=(\S+)/.exec(line)?.[1] ?? 'browser');
    }
    return this.kinds.get(pid);
  }

  private sample(): void {
    let rendererRss = 0;
    let rendererPss = 0;
    let allPss = 0;
    let largest = 0;
    for (const pid of this.descendants(process.pid)) {
      try {
        const kind = this.kind(pid);
        if (kind === undefined) continue;
        const rss = Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
        const pss = Number(/^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1] ?? 0) / 1024;
        allPss += pss;
        this.byKind[kind] = Math.max(this.byKind[kind] ?? 0, Math.round(rss));
        if (kind === 'renderer') {
          rendererRss += rss;
          rendererPss += pss;
          largest = Math.max(largest, rss);
        }
      } catch {
        /* the process ended meanwhile */
      }
    }
    this.samples++;
    this.peaks[this.phase] ??= { renderer_rss_mb: 0, renderer_pss_mb: 0, all_pss_mb: 0, largest_renderer_rss_mb: 0 };
    const p = this.peaks[this.phase];
    p.renderer_rss_mb = Math.max(p.renderer_rss_mb, Math.round(rendererRss));
    p.renderer_pss_mb = Math.max(p.renderer_pss_mb, Math.round(rendererPss));
    p.all_pss_mb = Math.max(p.all_pss_mb, Math.round(allPss));
    p.largest_renderer_rss_mb = Math.max(p.largest_renderer_rss_mb, Math.round(largest));
  }

  peak(key: 'renderer_rss_mb' | 'renderer_pss_mb' | 'all_pss_mb' | 'largest_renderer_rss_mb'): number {
    return Math.max(0, ...Object.values(this.peaks).map((p) => p[key]));
  }
}

/** Timestamp (the page's performance.now()) every change of the widget's status line and data-status. */
async function watchStatus(page: Page): Promise<void> {
  // A string, not a function: tsx's esbuild wraps named functions in a helper (__name) the page lacks.
  await page.evaluate(`(() => {
    const el = document.querySelector(${JSON.stringify(TAG)});
    const line = el.querySelector('.widget-status');
    const log = (window.__benchLog = []);
    const note = () => {
      const last = log[log.length - 1];
      const entry = [performance.now(), el.dataset.status ?? '', line.textContent ?? ''];
      if (!last || last[1] !== entry[1] || last[2] !== entry[2]) log.push(entry);
    };
    new MutationObserver(note).observe(line, { childList: true, characterData: true, subtree: true });
    new MutationObserver(note).observe(el, { attributes: true, attributeFilter: ['data-status'] });
  })()`);
}

/**
 * The run's steps from its progress lines since `since` (page ms): each step ("Pruning layer 0 with
 * wanda", the head numbers dropped) from its first line to the next step's. A pruning step's first
 * line comes when its first head is done, so data-result's pruneMs, not these, times the pruning.
 */
async function steps(page: Page, since: number): Promise<{ step: string; s: number }[]> {
  const log = await page.evaluate(() => (window as unknown as { __benchLog: [number, string, string][] }).__benchLog);
  const out: { step: string; at: number }[] = [];
  for (const [t, status, text] of log) {
    if (t < since) continue;
    const step = status === 'running' ? text.replace(/: head \d+ done.*$/, '').replace(/…$/, '') : `(${status})`;
    if (out[out.length - 1]?.step !== step) out.push({ step, at: t });
  }
  return out.slice(0, -1).map((x, i) => ({ step: x.step, s: seconds(out[i + 1].at - x.at) }));
}

interface RunResult {
  status: string;
  run_s: number;
  message?: string;
  result?: {
    dense: { tokens: number; text_tokens: number; cross_entropy: number; perplexity: number };
    prepareMs: { calibration: number; dense: number };
    runs: { method: string; refit: string; pruneMs: number; crossEntropy: number; agreement: number }[];
    workers: number;
    timeMs: { total: number; prune: number; load?: number };
    estimateMs: number | null;
  };
  steps: { step: string; s: number }[];
}

/** Press Run (or, with `start`, whatever starts the run) and wait for done or error: the widget's result or its words. */
async function run(page: Page, start?: () => Promise<void>): Promise<RunResult> {
  const root = page.locator(TAG);
  const since = await page.evaluate(() => performance.now());
  const t0 = performance.now();
  let status: string;
  if (start) {
    await start();
    await page.waitForFunction((tag) => document.querySelector(tag)?.getAttribute('data-status') === 'running', TAG, { timeout: 10_000 });
    await page.waitForFunction((tag) => ['done', 'error'].includes(document.querySelector(tag)?.getAttribute('data-status') ?? ''), TAG, {
      timeout: RUN_TIMEOUT_MS,
      polling: 100,
    });
    status = (await root.getAttribute('data-status')) ?? '';
  } else status = await runWidget(page, TAG, RUN_TIMEOUT_MS);
  const runS = seconds(performance.now() - t0);
  const out: RunResult = { status, run_s: runS, steps: await steps(page, since) };
  if (status === 'done') out.result = JSON.parse((await root.getAttribute('data-result')) ?? 'null');
  else out.message = `${await root.locator('.widget-status').textContent()} ${await root.locator('.widget-error').textContent()}`.trim();
  return out;
}

/** A finished run's numbers for the report: per method its pruning time and cross-entropy; the estimate against Run-to-done. */
function summarize(r: RunResult): Record<string, unknown> {
  if (!r.result) return { status: r.status, message: r.message, run_s: r.run_s, steps: r.steps };
  const x = r.result;
  return {
    status: r.status,
    run_s: r.run_s,
    worker_total_s: seconds(x.timeMs.total),
    prune_s: seconds(x.timeMs.prune),
    methods: Object.fromEntries(x.runs.map((m) => [m.method, { prune_s: seconds(m.pruneMs), cross_entropy: m.crossEntropy, agreement: m.agreement }])),
    ...(x.estimateMs !== null
      ? { estimate_s: seconds(x.estimateMs), estimate_error: Math.round((x.estimateMs / x.timeMs.total - 1) * 1000) / 1000 }
      : { estimate_s: 'none: the widget had no cost measured on this device for this run' }),
    steps: r.steps,
  };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const quick = args.includes('--quick');
  const dtype = args.includes('--dtype') ? args[args.indexOf('--dtype') + 1] : 'F32';
  if (dtype !== 'F32' && dtype !== 'F16' && dtype !== 'BF16') throw new Error(`--dtype must be F32, F16 or BF16 (got ${dtype})`);
  const given = args.includes('--checkpoint') ? resolve(args[args.indexOf('--checkpoint') + 1]) : undefined;
  const config = args.includes('--config') ? resolve(args[args.indexOf('--config') + 1]) : undefined;
  const path0 = pageWith(TAG);
  const dir = given ? undefined : mkdtempSync(join(tmpdir(), 'bench-gpt2-page-'));
  const file = given ?? join(dir!, 'gpt2-small-random.safetensors');
  const machineBefore = load();
  let writeS: number | undefined;
  if (!given) {
    console.error(`bench:gpt2:page: writing ${file}`);
    const w0 = performance.now();
    writeCheckpoint(file, dtype);
    writeS = seconds(performance.now() - w0);
  }
  const site = await serveDist();
  const browser = await launch();
  const memory = new ChromiumMemory();
  const report: Record<string, unknown> = {
    checkpoint: { ...(given ? { file: given } : { ...GPT2_SMALL, dtype, write_s: writeS }), bytes: statSync(file).size },
    chromium: browser.version(),
    page: path0,
  };
  let crashed = false;
  try {
    const { page, consoleErrors } = await watchedPage(browser, site.url);
    page.on('crash', () => {
      crashed = true;
    });
    const methods = quick ? LINEAR : `${LINEAR},${ATTENTION}`;
    await page.goto(`${site.url}${path0}?own.methods=${methods}&own.layers=0#own`, { waitUntil: 'load' });
    const root = page.locator(TAG);
    await root.scrollIntoViewIfNeeded();
    await watchStatus(page);

    memory.mark('demo');
    console.error(`bench:gpt2:page: the demo checkpoint with ${methods}`);
    const demo = await run(page);
    report.demo = { methods, ...summarize(demo) };
    if (demo.status !== 'done') throw new Error(`the demo ended in ${demo.status}: ${demo.message}`);
    // The model's first run is the linear methods alone. A changed setting reruns the widget (on the
    // demo, a few seconds): wait for that rerun before choosing the file.
    if (!quick) {
      const rerun = await run(page, () => root.locator(`input[name=methods][value=${ATTENTION}]`).uncheck());
      if (rerun.status !== 'done') throw new Error(`the demo's rerun ended in ${rerun.status}: ${rerun.message}`);
    }

    memory.mark('header');
    console.error('bench:gpt2:page: choosing the file');
    const h0 = performance.now();
    // config.json first: the model's check then reads both (a check of the model alone could refuse it first).
    if (config) await root.locator('#own-config').setInputFiles(config);
    await root.locator('#own-file').setInputFiles(file);
    const setS = seconds(performance.now() - h0);
    const name = basename(file);
    await page.waitForFunction(
      ({ tag, name }) => {
        const el = document.querySelector(tag)!;
        return (
          (el.querySelector('.own-summary')?.textContent ?? '').includes(name) || /cannot be used/.test(el.querySelector('.own-file-error')?.textContent ?? '')
        );
      },
      { tag: TAG, name },
      { timeout: 120_000, polling: 50 },
    );
    const headerS = seconds(performance.now() - h0);
    const fileError = await root.locator('.own-file-error').textContent();
    if (fileError && /cannot be used/.test(fileError)) throw new Error(`the file was refused: ${fileError}`);
    const idleLine = (await root.locator('.widget-status').textContent()) ?? '';
    Object.assign(report, { set_input_files_s: setS, header_check_s: headerS, idle_line: idleLine });

    memory.mark('linear');
    console.error(`bench:gpt2:page: Run with ${LINEAR} on layer 0`);
    const linear = await run(page);
    report.linear = summarize(linear);
    if (linear.result) {
      const x = linear.result;
      Object.assign(report, {
        worker_open_s: seconds(x.timeMs.load ?? 0),
        load_s: seconds(headerS * 1000 + (x.timeMs.load ?? 0)),
        calibration_s: seconds(x.prepareMs.calibration),
        perplexity_s: seconds(x.prepareMs.dense),
        dense: x.dense,
        workers: x.workers,
        prune_linear_s: seconds(x.runs.reduce((a, m) => a + m.pruneMs, 0)),
      });
    } else report.prune_linear_s = `not measured: the run ended in ${linear.status}`;

    if (linear.status === 'done') {
      // A reader's next step: a changed setting, with the model open and calibrated. Its estimate
      // comes from this model's own costs, measured by the run above.
      memory.mark('rerun');
      console.error(`bench:gpt2:page: rerun at sparsity ${RERUN_SPARSITY} (the estimate from this model's costs)`);
      const rerun = await run(page, () => page.evaluate(setSparsity(RERUN_SPARSITY)));
      report.rerun = { sparsity: RERUN_SPARSITY, ...summarize(rerun) };
    }
    if (!quick && linear.status === 'done') {
      memory.mark('gd');
      console.error(`bench:gpt2:page: ${ATTENTION} alone on layer 0 (the model still open)`);
      // Sparsity back to 0.5, gd checked, then the others unchecked (never an empty set), all at
      // once: the widget reruns once, after its 150 ms debounce.
      const gd = await run(page, async () => {
        await page.evaluate(`(() => {
          ${setSparsity(0.5)};
          const box = (v) => document.querySelector('${TAG} input[name=methods][value=' + v + ']');
          box(${JSON.stringify(ATTENTION)}).click();
          for (const v of ${JSON.stringify(LINEAR.split(','))}) if (box(v).checked) box(v).click();
        })()`);
      });
      report.gd = summarize(gd);
      report.prune_gd_s = gd.result ? seconds(gd.result.runs[0].pruneMs) : `not measured: the run ended in ${gd.status}`;
    } else report.prune_gd_s = quick ? 'not measured (--quick)' : 'not measured: the linear run failed';
    const errors = [report.linear, report.rerun, report.gd].flatMap((r) => {
      const e = (r as { estimate_error?: unknown } | undefined)?.estimate_error;
      return typeof e === 'number' ? [Math.abs(e)] : [];
    });
    report.estimate_error = errors.length ? Math.max(...errors) : 'not measured: the widget showed no estimate';
    report.console_errors = consoleErrors;
  } catch (e) {
    report.failure = `${(e as Error).message}${crashed ? ' (the tab crashed)' : ''}`;
  } finally {
    memory.stop();
    await browser.close();
    await site.close();
    if (dir && !args.includes('--keep')) rmSync(dir, { recursive: true, force: true });
    else if (dir) console.error(`kept ${file}`);
  }
  const peak = memory.peak('renderer_rss_mb');
  Object.assign(report, {
    peak_rss_mb: peak > 0 ? peak : 'not measured: no renderer process was found',
    memory: {
      summed:
        "peak_rss_mb: the largest sum of VmRSS (/proc/<pid>/status) over Chromium's renderer processes (--type=renderer; the tab's dedicated workers are threads of its renderer), sampled every 200 ms: the tab's, a spare one and headless Chromium's own UI renderer (--top-chrome-webui, about 110 MB); largest_renderer_rss_mb: the largest single renderer (the tab's); *_pss_mb: the same with Pss (/proc/<pid>/smaps_rollup); all_pss_mb: every Chromium process (browser, GPU, utility, zygote, renderers)",
      renderer_pss_mb: memory.peak('renderer_pss_mb'),
      largest_renderer_rss_mb: memory.peak('largest_renderer_rss_mb'),
      all_pss_mb: memory.peak('all_pss_mb'),
      by_phase: memory.peaks,
      peak_rss_mb_by_process_type: memory.byKind,
      samples: memory.samples,
    },
  });
  const met = Object.fromEntries(Object.entries(TARGETS).map(([k, v]) => [k, typeof report[k] === 'number' ? (report[k] as number) <= v : 'not measured']));
  console.log(
    JSON.stringify(
      {
        ...report,
        targets: TARGETS,
        met,
        machine: { cpus: cpus().length, load_average_before: machineBefore, load_average_after: load(), node: process.version },
      },
      null,
      2,
    ),
  );
  if (report.failure) process.exitCode = 1;
}

main().catch((e) => {
  console.error(`error: ${(e as Error).message}`);
  process.exitCode = 1;
});
