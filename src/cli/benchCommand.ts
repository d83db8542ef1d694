/**
 * `cli -- bench`: timings as JSON, measured on this machine (median of repeats).
 * - ms per gradient-descent iteration (loss + closed-form gradient + step) for each
 *   available objective: the float64 JS kernels, the float64 WASM SIMD kernels, and
 *   the float32 TensorFlow.js closed form on the wasm and cpu backends;
 * - ms for Wanda, SparseGPT and the exhaustive search at d = 4.
 */
import { syntheticProblem } from '../core/synthetic.ts';
import { GradientDescent, type Objective } from '../core/gd.ts';
import { AttentionObjective } from '../core/objective.ts';
import { WasmAttentionObjective, wasmSimdSupported } from '../core/wasmObjective.ts';
import { solve } from '../core/solve.ts';
import { BASELINE_METHOD_IDS } from '../core/methods.ts';
import type { Problem } from '../core/problem.ts';
import { initBackend, tf, type BackendName } from '../core/tf/backend.ts';
import { TfAttentionObjective } from '../core/tf/tfObjective.ts';
import { parseArgs } from './args.ts';

const SIZES: [number, number][] = [
  [64, 16],
  [128, 64],
  [256, 128],
];
const LAMBDA = 0.1;

function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Median over `repeats` of the mean ms per call of `fn` over a batch sized to take ~`batchMs`. */
function timeIt(fn: () => void, repeats: number, batchMs: number): number {
  let batch = 1;
  for (;;) {
    const t0 = performance.now();
    for (let i = 0; i < batch; i++) fn();
    const dt = performance.now() - t0;
    if (dt >= batchMs || batch >= 1 << 16) break;
    batch *= 2;
  }
  const samples: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    for (let i = 0; i < batch; i++) fn();
    samples.push((performance.now() - t0) / batch);
  }
  return median(samples);
}

/** ms per GD iteration: a real GradientDescent stepping one iteration at a time. */
function gdIterationMs(problem: Problem, objective: Objective, repeats: number, batchMs: number): number {
  const gd = new GradientDescent(problem, { lambda: LAMBDA, eta: 1e-4, iters: Number.MAX_SAFE_INTEGER }, objective);
  return timeIt(() => gd.advance(1), repeats, batchMs);
}

type Maker = (p: Problem) => { objective: Objective; dispose?: () => void };

export async function benchCommand(argv: readonly string[]): Promise<string> {
  const args = parseArgs(argv, { values: [], booleans: ['quick'] });
  const quick = args.booleans.has('quick');
  const repeats = quick ? 3 : 9;
  const batchMs = quick ? 5 : 40;
  const makers: Record<string, Maker> = {
    'js-f64': (p) => ({ objective: new AttentionObjective(p.X, p.W, { causal: p.causal, lambda: LAMBDA }) }),
  };
  if (wasmSimdSupported()) {
    makers['wasm-simd-f64'] = (p) => ({ objective: new WasmAttentionObjective(p.X, p.W, { causal: p.causal, lambda: LAMBDA }) });
  }
  for (const backend of ['wasm', 'cpu'] as BackendName[]) {
    makers[`tfjs-${backend}-f32`] = (p) => {
      const o = new TfAttentionObjective(p.X, p.W, { causal: p.causal, lambda: LAMBDA });
      return { objective: o, dispose: () => o.dispose() };
    };
  }

  const gdIteration: Record<string, Record<string, { full: number; causal: number }>> = {};
  for (const [name, make] of Object.entries(makers)) {
    if (name.startsWith('tfjs-')) {
      const backend = name.split('-')[1] as BackendName;
      const got = await initBackend([backend]).catch(() => null);
      if (got !== backend) continue;
    }
    gdIteration[name] = {};
    for (const [n, d] of SIZES) {
      // The cpu tfjs backend at the largest size takes seconds per batch: skip it in quick mode.
      if (quick && name === 'tfjs-cpu-f32' && n > 128) continue;
      const entry = { full: 0, causal: 0 };
      for (const causal of [false, true]) {
        const p = syntheticProblem({ n, d, seed: 1, causal });
        const { objective, dispose } = make(p);
        entry[causal ? 'causal' : 'full'] = round(gdIterationMs(p, objective, repeats, batchMs));
        dispose?.();
      }
      gdIteration[name][`n=${n},d=${d}`] = entry;
      process.stderr.write(`bench: ${name} n=${n} d=${d}: ${entry.full} ms (causal ${entry.causal} ms)\n`);
    }
  }

  const U = { kind: 'unstructured' } as const;
  const baselines: Record<string, number> = {};
  for (const [n, d] of [[128, 64]] as [number, number][]) {
    const p = syntheticProblem({ n, d, seed: 2 });
    for (const method of BASELINE_METHOD_IDS) {
      baselines[`solve ${method}, with attention metrics, n=${n},d=${d}`] = round(
        timeIt(() => solve(p, method, { sparsity: 0.5, granularity: U }), repeats, batchMs),
      );
    }
    baselines[`solve gd 300 iterations, with attention metrics, n=${n},d=${d}`] = round(
      timeIt(() => solve(p, 'gd', { sparsity: 0.5, granularity: U }), quick ? 1 : 3, 0),
    );
  }
  const small = syntheticProblem({ n: 32, d: 4, seed: 3 });
  const exhaustiveMs = round(timeIt(() => solve(small, 'exhaustive', { sparsity: 0.5, granularity: U, gd: { iters: 300 } }), quick ? 1 : 5, 0));
  const wandaD4 = round(timeIt(() => solve(small, 'wanda', { sparsity: 0.5, granularity: U }), repeats, batchMs));
  const sparsegptD4 = round(timeIt(() => solve(small, 'sparsegpt', { sparsity: 0.5, granularity: U }), repeats, batchMs));

  return JSON.stringify(
    {
      machine: { node: process.version, cpus: (await import('node:os')).cpus().length, quick },
      unit: 'ms (median of repeats)',
      gd_iteration: gdIteration,
      solvers: baselines,
      d4: {
        'exhaustive n=32 (12870 masks, plus ranking every method)': exhaustiveMs,
        'wanda n=32': wandaD4,
        'sparsegpt n=32': sparsegptD4,
      },
      tf_tensors_left: tf.memory().numTensors,
    },
    null,
    2,
  );
}

function round(x: number): number {
  return Number(x.toPrecision(4));
}
