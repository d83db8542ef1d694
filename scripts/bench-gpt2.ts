/**
 * `npm run bench:gpt2 [-- --dtype F32|F16] [--keep]`: the GPT-2 loader and forward at GPT-2
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
 *
 * and prints one JSON object with the targets (issue 18: load <= 10 s, perplexity <= 30 s,
 * memory <= 2 GB). A benchmark, not a test: the numbers depend on the machine and its load.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Dtype } from '../src/model/gpt2/dtypes.ts';
import { encodeFloats } from '../src/model/gpt2/dtypes.ts';
import { safetensorsPrefix } from '../src/model/gpt2/safetensors.ts';
import { randomGpt2Tensors } from '../src/model/gpt2/randomCheckpoint.ts';

const GPT2_SMALL = { nLayer: 12, nHead: 12, nEmbd: 768, nPositions: 1024, vocab: 50_257, seed: 124 } as const;
const TOKENS = 1024;
const TARGETS = { load_s: 10, perplexity_s: 30, peak_rss_mb: 2048 };

/** Write the random checkpoint tensor by tensor (the whole file is never in memory twice). */
function writeCheckpoint(path: string, dtype: Dtype): void {
  const tensors = randomGpt2Tensors({ ...GPT2_SMALL, dtype, maskBuffers: true });
  const fd = openSync(path, 'w');
  try {
    writeSync(fd, safetensorsPrefix(tensors, { format: 'pt', note: 'bench:gpt2 random GPT-2 small' }));
    for (const t of tensors) writeSync(fd, encodeFloats(t.data, t.dtype));
  } finally {
    closeSync(fd);
  }
}

/** The child: load, score, report. */
async function measure(path: string): Promise<void> {
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
  const model = await loadGpt2(source, {});
  source.close();
  const t1 = performance.now();
  const c1 = cpu();
  const ids = model.tokenizer.encode(brownText('val')).slice(0, TOKENS);
  const score = scoreText(model, ids, TOKENS);
  const t2 = performance.now();
  const c2 = cpu();
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
      peak_rss_mb: process.resourceUsage().maxRSS / 1024,
    }),
  );
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === '--measure') return measure(args[1]);
  const dtypeArg = args.includes('--dtype') ? args[args.indexOf('--dtype') + 1] : 'F32';
  if (dtypeArg !== 'F32' && dtypeArg !== 'F16' && dtypeArg !== 'BF16') throw new Error(`--dtype must be F32, F16 or BF16 (got ${dtypeArg})`);
  const dir = mkdtempSync(join(tmpdir(), 'bench-gpt2-'));
  const path = join(dir, 'model.safetensors');
  try {
    const w0 = performance.now();
    writeCheckpoint(path, dtypeArg);
    const writeS = (performance.now() - w0) / 1000;
    const out = execFileSync(process.execPath, ['--import', 'tsx', new URL(import.meta.url).pathname, '--measure', path], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      maxBuffer: 1 << 20,
    });
    const r = JSON.parse(out.trim().split('\n').pop()!);
    const met = Object.fromEntries(Object.entries(TARGETS).map(([k, v]) => [k, r[k] <= v]));
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

main().catch((e) => {
  console.error(`error: ${(e as Error).message}`);
  process.exitCode = 1;
});
