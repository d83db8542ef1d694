/**
 * `npm run bench:gpt2 [-- --dtype F32|F16] [--keep] [--quick] [--methods magnitude,wanda,sparsegpt,gd]`: the GPT-2 loader, forward and pruning at GPT-2
 * small's size (124 M parameters: 12 layers, 12 heads, n_embd 768, 1 024 positions, 50 257
 * tokens, with the attn.bias buffers of Hugging Face's file, 548 MB in F32). It writes a random
 * checkpoint of that shape to a temporary directory (streamed, never committed), then a child
 * process (so that its peak memory is the loader's alone) measures:
 *
 *   load_s        open, validate the header, read and convert every tensor (loadGpt2)
 *   perplexity_s  dense cross-entropy on 1 024 tokens of Brown-corpus text (one window),
 *                 the first forward pass included (it uploads the weights to TensorFlow.js)
 *   peak_rss_mb   the child's peak resident memory
 *   *_cpu_s       the CPU seconds of the same steps (what they cost on an idle machine, roughly)
 *   prune         layer 0's 12 heads pruned, factored, sparsity 0.5, calibrated as the CLI does
 *                 (8 windows of 1 024 tokens of public/data/gpt2-calibration.txt), by magnitude,
 *                 Wanda, SparseGPT and Algorithm 1 with our defaults, each on the CLI's pool of
 *                 worker threads (src/cli/headPool.ts): wall and CPU seconds (`*_idle_s`: the CPU
 *                 seconds over the threads, roughly the wall time on an idle machine). Then, for
 *                 the linear methods, layer 1 the same way, against the time costs.ts estimates
 *                 for it from layer 0's run (the page estimates a run from the runs before it).
 *                 `--quick`: Algorithm 1 on head 0 only, in this thread (a layer is minutes of
 *                 CPU), its layer extrapolated. `--methods`: only these of the four.
 *
 * and prints one JSON object with the targets (issue 18: load <= 10 s, perplexity <= 30 s,
 * memory <= 2 GB, magnitude + Wanda + SparseGPT on a layer <= 20 s, Algorithm 1 <= 60 s, the
 * estimate within ±30 %). A benchmark, not a test: the numbers depend on the machine and its load.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ModelMethodId } from '../src/core/methods.ts';
import type { Dtype } from '../src/model/gpt2/dtypes.ts';
import { encodeFloats } from '../src/model/gpt2/dtypes.ts';
import { safetensorsPrefix } from '../src/model/gpt2/safetensors.ts';
import { randomGpt2Tensors } from '../src/model/gpt2/randomCheckpoint.ts';

export const GPT2_SMALL = { nLayer: 12, nHead: 12, nEmbd: 768, nPositions: 1024, vocab: 50_257, seed: 124 } as const;
const TOKENS = 1024;
export const TARGETS = { load_s: 10, perplexity_s: 30, peak_rss_mb: 2048, prune_linear_s: 20, prune_gd_s: 60, estimate_error: 0.3 };
/** The layer pruned, the layer whose time is estimated from it, the calibration (the CLI's --calib-seqs default) and the methods timed. */
const PRUNE = { layer: 0, next: 1, windows: 8, sparsity: 0.5, linear: ['magnitude', 'wanda', 'sparsegpt'], attention: 'gd' } as const;

/** CPU seconds of the whole process, every thread included (getrusage of the process). */
function cpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/**
 * What costs.ts would estimate for `target.heads` heads on `target.workers` workers, had it
 * recorded one run of `measured.heads` heads on `measured.workers` taking `measured.ms` (the
 * forward pass recorded too, so that nothing is "not timed yet"; no forward tokens estimated).
 */
export function estimateFrom(
  costs: typeof import('../src/widgets/own-model/costs.ts'),
  measured: { heads: number; workers: number; ms: number; forwardMsPerToken: number },
  target: { heads: number; workers: number },
  size: { parameters: number; unit: number; method: ModelMethodId },
): number {
  const run = (heads: number, workers: number) => ({
    bytes: 0,
    parameters: size.parameters,
    calibrationTokens: 0,
    evaluationTokens: 0,
    generationTokens: 0,
    heads,
    headUnit: size.unit,
    workers,
    mode: 'factored',
    recipes: [{ method: size.method, refit: 'none' as const }],
    loaded: true,
  });
  costs.recordRun(run(measured.heads, measured.workers), {
    forwardMs: measured.forwardMsPerToken,
    forwardTokens: 1,
    headMs: [{ method: size.method, refit: 'none', ms: measured.ms }],
  });
  const e = costs.estimateMs(run(target.heads, target.workers));
  if (e.ms === undefined) throw new Error(`costs.ts has no estimate (${e.unmeasured.join(', ')})`);
  return e.ms;
}

/** Write the random checkpoint tensor by tensor (the whole file is never in memory twice); bench-gpt2-page.ts writes the same one. */
export function writeCheckpoint(path: string, dtype: Dtype): void {
  const tensors = randomGpt2Tensors({ ...GPT2_SMALL, dtype, maskBuffers: true });
  const fd = openSync(path, 'w');
  try {
    writeSync(fd, safetensorsPrefix(tensors, { format: 'pt', note: 'bench:gpt2 random GPT-2 small' }));
    for (const t of tensors) writeSync(fd, encodeFloats(t.data, t.dtype));
  } finally {
    closeSync(fd);
  }
}

/**
 * Each method on layer PRUNE.layer's heads, all on the CLI's pool of threads (the page's
 * workers do the same); then, as the page estimates a run from the runs before it, the
 * estimate for layer PRUNE.next from that first run, against its measured time.
 */
async function measurePruning(
  model: import('../src/model/gpt2/checkpoint.ts').Gpt2Model,
  forwardMsPerToken: number,
  quick: boolean,
  chosen: readonly ModelMethodId[],
) {
  const { calibrationWindows } = await import('../src/model/gpt2/perplexity.ts');
  const { captureCalibration, pruneModel } = await import('../src/model/prune.ts');
  const { HeadThreadPool } = await import('../src/cli/headPool.ts');
  const { gdSettings } = await import('../src/core/gd.ts');
  const costs = await import('../src/widgets/own-model/costs.ts');
  const c = model.config;
  const threads = Math.min(availableParallelism(), c.nHeads);
  const text = readFileSync(new URL('../public/data/gpt2-calibration.txt', import.meta.url), 'utf8');
  const windows = calibrationWindows(model.tokenizer.encode(text), c.contextLength, PRUNE.windows);
  const t0 = performance.now();
  console.error(`bench:gpt2: calibrating layers ${PRUNE.layer} and ${PRUNE.next} on ${windows.length} windows of ${c.contextLength} tokens`);
  const calib = captureCalibration(model, windows, [PRUNE.layer, PRUNE.next]);
  const captureS = (performance.now() - t0) / 1000;
  const unit = costs.headUnit(
    { rows: windows.length * c.contextLength, window: c.contextLength, dModel: c.dModel, nHeads: c.nHeads, qkBias: true },
    'factored',
  );
  const spec = (method: ModelMethodId, layer: number, heads: number[]) => ({
    method,
    refit: 'none' as const,
    sparsity: PRUNE.sparsity,
    mode: 'factored' as const,
    granularity: { kind: 'unstructured' as const },
    gd: gdSettings({}),
    seed: 1,
    heads: heads.map((head) => ({ layer, head })),
  });
  const methods: Record<string, Record<string, number | string>> = {};
  const all = Array.from({ length: c.nHeads }, (_, h) => h);
  let linearS = 0;
  let linearIdleS = 0;
  let gdS = 0;
  let gdIdleS = 0;
  /** Wall and CPU seconds of pruning `heads` of `layer` on the pool. */
  const onPool = async (method: ModelMethodId, layer: number) => {
    const c0 = cpuSeconds();
    const t = performance.now();
    await pool.prune(model, calib, spec(method, layer, all));
    return { s: (performance.now() - t) / 1000, cpuS: cpuSeconds() - c0 };
  };
  // One pool for every method, started before the timings (the page's pool, too, outlives a run),
  // and closed whatever happens: a live thread would keep this process, and the parent waiting on it, up.
  const pool = new HeadThreadPool(threads);
  try {
    await pool.ready();
    for (const method of chosen) {
      const row: Record<string, number | string> = {};
      let layerS: number;
      // On a shared machine the wall clock measures the other jobs too: the CPU seconds spread over the pool's threads are the idle machine's wall time, roughly.
      let idleS: number;
      if (method === PRUNE.attention && quick) {
        console.error(`bench:gpt2: --quick: Algorithm 1 on head 0 of layer ${PRUNE.layer}, in this thread`);
        const c0 = cpuSeconds();
        const t = performance.now();
        const first = pruneModel(model, calib, spec(method, PRUNE.layer, [0])).heads[0];
        const firstS = (performance.now() - t) / 1000;
        const firstCpuS = cpuSeconds() - c0;
        layerS = (firstS * c.nHeads) / threads;
        idleS = (firstCpuS * c.nHeads) / threads;
        Object.assign(row, {
          first_head_s: firstS,
          first_head_cpu_s: firstCpuS,
          // Exact objective evaluations (Algorithm 1's Armijo steps): what its time is made of.
          first_head_evaluations: first.compute.maskEvaluations + first.compute.refitEvaluations,
          layer_s_extrapolated: layerS,
          layer_idle_s_extrapolated: idleS,
          note: `--quick: head 0 only; the layer extrapolated as head 0's seconds × ${c.nHeads} heads / ${threads} threads (wall and CPU)`,
        });
      } else {
        console.error(`bench:gpt2: pruning layer ${PRUNE.layer} with ${method} on ${threads} threads`);
        const first = await onPool(method, PRUNE.layer);
        layerS = first.s;
        idleS = first.cpuS / threads;
        Object.assign(row, { layer_s: layerS, layer_cpu_s: first.cpuS, layer_idle_s: idleS });
        if (method !== PRUNE.attention) {
          // The page's estimate for the next run: costs.ts fed the first run, as the widget records it.
          const estimate = estimateFrom(
            costs,
            { heads: c.nHeads, workers: threads, ms: first.s * 1000, forwardMsPerToken },
            { heads: c.nHeads, workers: threads },
            { parameters: model.summary.parameters, unit, method },
          );
          console.error(`bench:gpt2: pruning layer ${PRUNE.next} with ${method} (the estimate's check)`);
          const next = await onPool(method, PRUNE.next);
          Object.assign(row, {
            next_layer_s: next.s,
            next_layer_cpu_s: next.cpuS,
            estimate_s: estimate / 1000,
            estimate_error: estimate / (next.s * 1000) - 1,
            // The same on CPU seconds, which the machine's other jobs do not inflate.
            estimate_cpu_error: first.cpuS / next.cpuS - 1,
          });
        }
      }
      methods[method] = row;
      if (method === PRUNE.attention) {
        gdS = layerS;
        gdIdleS = idleS;
      } else {
        linearS += layerS;
        linearIdleS += idleS;
      }
    }
  } finally {
    await pool.close();
  }
  const errors = Object.values(methods).flatMap((m) => (typeof m.estimate_error === 'number' ? [Math.abs(m.estimate_error)] : []));
  return {
    prune: {
      layer: PRUNE.layer,
      next_layer: PRUNE.next,
      heads: c.nHeads,
      mode: 'factored',
      sparsity: PRUNE.sparsity,
      threads,
      calibration: { windows: windows.length, window: c.contextLength, source: 'public/data/gpt2-calibration.txt', capture_s: captureS },
      head_unit: unit,
      methods,
    },
    ...(chosen.some((m) => m !== PRUNE.attention)
      ? { prune_linear_s: linearS, prune_linear_idle_s: linearIdleS }
      : { prune_linear_s: 'not measured (--methods)' }),
    ...(chosen.includes(PRUNE.attention) ? { prune_gd_s: gdS, prune_gd_idle_s: gdIdleS } : { prune_gd_s: 'not measured (--methods)' }),
    estimate_error: errors.length ? Math.max(...errors) : 'not measured: no linear method was run',
  };
}

/** The child: load, score, prune, report. */
async function measure(path: string, quick: boolean, methods: readonly ModelMethodId[]): Promise<void> {
  const { openCheckpointFile } = await import('../src/cli/checkpointFile.ts');
  const { loadGpt2 } = await import('../src/model/gpt2/checkpoint.ts');
  const { scoreText } = await import('../src/model/gpt2/perplexity.ts');
  const { brownText } = await import('../src/model/data/brown.ts');
  const { initBackend } = await import('../src/core/tf/backend.ts');
  const backend = await initBackend(['wasm', 'cpu']);
  // CPU seconds as well as wall-clock ones: on a shared machine the wall clock measures the load too.
  const cpu = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1e6;
  };
  const c0 = cpu();
  const t0 = performance.now();
  const source = openCheckpointFile(path, '--checkpoint', 4 * 1024 ** 3);
  console.error('bench:gpt2: loading');
  const model = await loadGpt2(source, {});
  source.close();
  const t1 = performance.now();
  const c1 = cpu();
  const ids = model.tokenizer.encode(brownText('val')).slice(0, TOKENS);
  console.error(`bench:gpt2: dense perplexity on ${ids.length} tokens`);
  const score = scoreText(model, ids, TOKENS);
  const t2 = performance.now();
  const c2 = cpu();
  // The loader's and the forward's peak, before pruning adds the calibration X and the threads.
  const peakMb = process.resourceUsage().maxRSS / 1024;
  const pruning = await measurePruning(model, (t2 - t1) / ids.length, quick, methods);
  console.log(
    JSON.stringify({
      backend,
      parameters: model.summary.parameters,
      load_s: (t1 - t0) / 1000,
      perplexity_s: (t2 - t1) / 1000,
      load_cpu_s: c1 - c0,
      perplexity_cpu_s: c2 - c1,
      tokens_scored: score.tokens,
      cross_entropy: score.cross_entropy,
      peak_rss_mb: peakMb,
      ...pruning,
      prune_peak_rss_mb: process.resourceUsage().maxRSS / 1024,
    }),
  );
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const methodsArg = args.includes('--methods') ? args[args.indexOf('--methods') + 1] : [...PRUNE.linear, PRUNE.attention].join(',');
  const methods = methodsArg.split(',') as ModelMethodId[];
  const known: readonly string[] = [...PRUNE.linear, PRUNE.attention];
  if (!methods.every((m) => known.includes(m))) throw new Error(`--methods: a comma list of ${known.join(', ')} (got ${methodsArg})`);
  if (args[0] === '--measure') return measure(args[1], args.includes('--quick'), methods);
  const dtypeArg = args.includes('--dtype') ? args[args.indexOf('--dtype') + 1] : 'F32';
  if (dtypeArg !== 'F32' && dtypeArg !== 'F16' && dtypeArg !== 'BF16') throw new Error(`--dtype must be F32, F16 or BF16 (got ${dtypeArg})`);
  const dir = mkdtempSync(join(tmpdir(), 'bench-gpt2-'));
  const path = join(dir, 'model.safetensors');
  try {
    const w0 = performance.now();
    writeCheckpoint(path, dtypeArg);
    const writeS = (performance.now() - w0) / 1000;
    const out = execFileSync(
      process.execPath,
      [
        '--import',
        'tsx',
        new URL(import.meta.url).pathname,
        '--measure',
        path,
        ...(args.includes('--quick') ? ['--quick'] : []),
        '--methods',
        methods.join(','),
      ],
      {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'inherit'],
        maxBuffer: 1 << 20,
      },
    );
    const r = JSON.parse(out.trim().split('\n').pop()!);
    // A field not measured (a string saying so) has met nothing.
    const met = Object.fromEntries(Object.entries(TARGETS).map(([k, v]) => [k, typeof r[k] === 'number' ? r[k] <= v : 'not measured']));
    console.log(
      JSON.stringify(
        {
          checkpoint: { ...GPT2_SMALL, dtype: dtypeArg, bytes: statSync(path).size, write_s: writeS },
          ...r,
          targets: TARGETS,
          met,
          machine: { cpus: cpus().length, load_average: loadavg().map((x) => Math.round(x * 100) / 100), node: process.version },
        },
        null,
        2,
      ),
    );
  } finally {
    if (!args.includes('--keep')) rmSync(dir, { recursive: true, force: true });
    else console.error(`kept ${path}`);
  }
}

// Run only as a script (bench-gpt2-page.ts imports the checkpoint writer and the targets).
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href)
  main().catch((e) => {
    console.error(`error: ${(e as Error).message}`);
    process.exitCode = 1;
  });
