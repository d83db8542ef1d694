/**
 * `model-prune --checkpoint --threads N`: a layer's heads pruned on a pool of worker threads
 * (heads are independent; issue 18 "use every core"). The page's pool protocol
 * (src/jobs/layerHeads.ts): each thread is sent a layer's X once, in a SharedArrayBuffer (one
 * copy for all threads, none per head), then takes the next head when free and runs the
 * project's one pruneHead. The numbers are the in-process ones to the bit (the same code on
 * the same float64 inputs); a thread's failure ends the command with the same error class
 * and words, so the same exit code and `error:` line.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Matrix } from '../core/matrix.ts';
import { errorFromKind, type LayerHeadOps, type LayerHeadWorker, pruneLayerAcross } from '../jobs/layerHeads.ts';
import type { ErrorKind } from '../jobs/protocol.ts';
import { type Calibration, headInputs, headsOf, type ModelPruneResult, type ModelPruneSpec, type PrunedHead, pruneModel } from '../model/prune.ts';
import type { TransformerWeights } from '../model/weights.ts';

export type ThreadRequest = { [K in keyof LayerHeadOps]: { id: number; op: K; args: LayerHeadOps[K]['args'] } }[keyof LayerHeadOps];
export type ThreadReply = { id: number; ok: true; value: unknown } | { id: number; ok: false; message: string; kind: ErrorKind };

/** One worker thread (src/cli/pruneThread.ts), called like the page's pool worker. */
class HeadThread implements LayerHeadWorker {
  private readonly worker = new Worker(new URL('./pruneThread.mjs', import.meta.url));
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();

  constructor() {
    this.worker.on('message', (r: ThreadReply) => {
      const p = this.pending.get(r.id);
      if (!p) return;
      this.pending.delete(r.id);
      if (r.ok) p.resolve(r.value);
      else p.reject(errorFromKind(r.message, r.kind));
    });
    // A thread that dies (out of memory, a module that fails to load) fails what it was doing, in words.
    this.worker.on('error', (e) => this.fail(`a pruning thread failed: ${e.message}`));
    this.worker.on('exit', (code) => this.fail(`a pruning thread stopped (exit code ${code})`));
  }

  call<K extends keyof LayerHeadOps>(op: K, args: LayerHeadOps[K]['args']): Promise<LayerHeadOps[K]['result']> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.worker.postMessage({ id, op, args } as ThreadRequest);
    });
  }

  private fail(message: string): void {
    for (const p of this.pending.values()) p.reject(new Error(message));
    this.pending.clear();
  }

  async terminate(): Promise<void> {
    this.pending.clear();
    await this.worker.terminate();
  }
}

/** The default of --threads: every core this process may use. */
export function defaultThreads(): number {
  return availableParallelism();
}

/** X in a SharedArrayBuffer: posted to every thread without a copy. */
function sharedMatrix(m: Matrix): Matrix {
  const data = new Float64Array(new SharedArrayBuffer(m.data.byteLength));
  data.set(m.data);
  return { rows: m.rows, cols: m.cols, data };
}

/** A pool of pruning threads, kept across runs (the bench times several methods on one pool, as the page's pool is). */
export class HeadThreadPool {
  private readonly threads: HeadThread[];
  /** Layers sent so far: each run's layer gets a key of its own. */
  private layers = 0;

  constructor(readonly size: number) {
    this.threads = Array.from({ length: size }, () => new HeadThread());
  }

  /** Wait until every thread has loaded its modules (about 2 s), so that a timing leaves the start-up out. */
  async ready(): Promise<void> {
    const none: Matrix = { rows: 0, cols: 0, data: new Float64Array(0) };
    await Promise.all(this.threads.map((t) => t.call('setLayer', { key: 'start', inputs: { layer: 0, X: none, segments: [] } })));
  }

  /** Prune `spec`'s heads layer by layer across the threads: pruneModel's result, in its order. */
  async prune(
    model: TransformerWeights,
    calib: Calibration,
    spec: ModelPruneSpec,
    onProgress?: (done: number, total: number) => void,
  ): Promise<ModelPruneResult> {
    const start = performance.now();
    const byLayer = headsByLayer(model, spec);
    const total = [...byLayer.values()].reduce((a, h) => a + h.length, 0);
    const heads: PrunedHead[] = [];
    let done = 0;
    for (const [layer, ids] of byLayer) {
      const X = sharedMatrix(calib.xs[layer]);
      const inputs = ids.map((head) => ({ ...headInputs(model, calib, layer, head), X }));
      heads.push(...(await pruneLayerAcross(this.threads, `${++this.layers}.${layer}`, inputs, spec, () => onProgress?.(++done, total))));
    }
    return { spec, heads, timeMs: performance.now() - start };
  }

  async close(): Promise<void> {
    await Promise.all(this.threads.map((t) => t.terminate()));
  }
}

function headsByLayer(model: TransformerWeights, spec: ModelPruneSpec): Map<number, number[]> {
  const byLayer = new Map<number, number[]>();
  for (const { layer, head } of headsOf(spec, model.config)) byLayer.set(layer, [...(byLayer.get(layer) ?? []), head]);
  return byLayer;
}

/**
 * Prune `spec`'s heads (pruneModel's result, in its order): in this thread when at most one
 * thread would work, else on min(threads, heads of a layer) worker threads.
 */
export async function pruneModelOnThreads(
  model: TransformerWeights,
  calib: Calibration,
  spec: ModelPruneSpec,
  threads: number,
  onProgress?: (done: number, total: number) => void,
): Promise<ModelPruneResult> {
  const byLayer = headsByLayer(model, spec);
  const size = Math.min(threads, Math.max(0, ...[...byLayer.values()].map((h) => h.length)));
  if (size <= 1) return pruneModel(model, calib, spec, onProgress);
  // Said on stderr only: the JSON is the same whatever the number of threads (timings apart).
  process.stderr.write(`model-prune: ${[...byLayer.values()].flat().length} heads on ${size} threads\n`);
  const pool = new HeadThreadPool(size);
  try {
    return await pool.prune(model, calib, spec, onProgress);
  } finally {
    await pool.close();
  }
}
