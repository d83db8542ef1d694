/// <reference lib="webworker" />
/**
 * The solver worker: runs src/jobs/jobs.ts off the main thread so the page never
 * freezes. One job at a time; a newer job (or a cancel) supersedes the running
 * one at its next pause.
 */
import { runJob, Cancelled, type JobContext } from '../jobs/jobs.ts';
import type { ErrorKind, FromWorker, ToWorker } from '../jobs/protocol.ts';
import { DivergenceError } from '../core/gd.ts';
import { initWasmObjective } from '../core/wasmObjective.ts';
import { ensureModelBackend, tfObjectiveFactory } from './tfEngine.ts';
import type { ModelName } from '../model/config.ts';
import type { Model } from '../model/weights.ts';
import { withBase } from '../site/base.ts';

// Each shipped model is fetched and parsed once per worker.
const models = new Map<ModelName, Promise<Model>>();
function loadModel(name: ModelName): Promise<Model> {
  let m = models.get(name);
  if (!m) {
    m = Promise.all([import('../model/weights.ts'), import('./cachedFetch.ts')]).then(([{ loadModelUrl }, { cachedFetch }]) =>
      loadModelUrl(withBase(`/models/${name}/`), cachedFetch as typeof fetch),
    );
    m.catch(() => models.delete(name));
    models.set(name, m);
  }
  return m;
}

let current = 0;
const post = (m: FromWorker): void => (self as unknown as DedicatedWorkerGlobalScope).postMessage(m);
// Compile the float64 WASM kernel once, up front (ignored where SIMD is missing: JS runs instead).
const ready = initWasmObjective().catch(() => undefined);

function classify(e: unknown): { message: string; kind: ErrorKind } {
  if (e instanceof Cancelled) return { message: 'cancelled', kind: 'cancelled' };
  if (e instanceof DivergenceError) return { message: e.message, kind: 'divergence' };
  const message = e instanceof Error ? e.message : String(e);
  if (/Cholesky|not finite|NaN/i.test(message)) return { message, kind: 'numerical' };
  if (e instanceof Error && (e.name === 'CalibrationTextError' || e.name === 'UnknownCharactersError')) return { message, kind: 'input' };
  if (/must be|bad N:M|refused|shape|outside|choose at least|does not know|applies to|too short|too long|is empty/i.test(message))
    return { message, kind: 'input' };
  return { message, kind: 'bug' };
}

self.onmessage = async (event: MessageEvent<ToWorker>) => {
  const msg = event.data;
  if (msg.type === 'cancel') {
    if (msg.id === current) current = -1;
    return;
  }
  current = msg.id;
  const id = msg.id;
  const ctx: JobContext = {
    progress: (progress) => {
      if (current === id) post({ type: 'progress', id, progress });
    },
    pause: () => new Promise((resolve, reject) => setTimeout(() => (current === id ? resolve() : reject(new Cancelled('superseded'))), 0)),
    tfObjective: tfObjectiveFactory,
    tfBackend: ensureModelBackend,
    loadModel,
  };
  try {
    await ready;
    const result = await runJob(msg.job, ctx);
    if (current === id) post({ type: 'result', id, kind: msg.job.kind, result });
  } catch (e) {
    post({ type: 'error', id, ...classify(e) });
  }
};
