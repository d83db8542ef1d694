/// <reference lib="webworker" />
/**
 * The solver worker: runs src/jobs/jobs.ts off the main thread so the page never
 * freezes. One job at a time, in arrival order: a worker may be shared by several
 * widgets (the model widgets of a page), so a new job waits for the running one
 * instead of superseding it. A cancel names its job: a queued job is dropped, the
 * running one stops at its next pause. (A widget's new input cancels its own old job
 * first, so for a widget the newest input still wins.)
 */
import { runJob, Cancelled, type JobContext } from '../jobs/jobs.ts';
import type { ErrorKind, FromWorker, Job, ToWorker } from '../jobs/protocol.ts';
import { DivergenceError } from '../core/gd.ts';
import { NumericalError } from '../core/errors.ts';
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

const post = (m: FromWorker): void => (self as unknown as DedicatedWorkerGlobalScope).postMessage(m);
// Compile the float64 WASM kernel once, up front (ignored where SIMD is missing: JS runs instead).
const ready = initWasmObjective().catch(() => undefined);

function classify(e: unknown): { message: string; kind: ErrorKind } {
  if (e instanceof Cancelled) return { message: 'cancelled', kind: 'cancelled' };
  if (e instanceof DivergenceError) return { message: e.message, kind: 'divergence' };
  const message = e instanceof Error ? e.message : String(e);
  if (e instanceof NumericalError) return { message, kind: 'numerical' };
  if (/Cholesky|not finite|NaN/i.test(message)) return { message, kind: 'numerical' };
  if (e instanceof Error && (e.name === 'CalibrationTextError' || e.name === 'UnknownCharactersError')) return { message, kind: 'input' };
  if (/must be|bad N:M|refused|shape|outside|choose at least|does not know|applies to|too short|too long|is empty/i.test(message))
    return { message, kind: 'input' };
  return { message, kind: 'bug' };
}

/** Jobs waiting to run, in arrival order, and the one running. */
const queue: { id: number; job: Job }[] = [];
let running: number | undefined;
const cancelled = new Set<number>();

self.onmessage = (event: MessageEvent<ToWorker>) => {
  const msg = event.data;
  if (msg.type === 'cancel') {
    const i = queue.findIndex((q) => q.id === msg.id);
    if (i >= 0) queue.splice(i, 1);
    else if (msg.id === running) cancelled.add(msg.id);
    return;
  }
  queue.push({ id: msg.id, job: msg.job });
  // A step-counting job that has to wait says so (the lab's progress is its iterate, not words).
  // Not when the job ahead is being cancelled: in a widget's own worker that is the widget's
  // previous run, which ends at its next pause, and nobody else's job is waited for.
  if (running !== undefined && !cancelled.has(running) && msg.job.kind !== 'lab')
    post({ type: 'progress', id: msg.id, progress: { done: 0, total: 0, stage: 'waiting for another widget’s job in the shared worker' } });
  void drain();
};

async function drain(): Promise<void> {
  if (running !== undefined) return;
  for (let next = queue.shift(); next; next = queue.shift()) {
    running = next.id;
    await runOne(next.id, next.job);
    cancelled.delete(next.id);
    running = undefined;
  }
}

async function runOne(id: number, job: Job): Promise<void> {
  const live = (): boolean => !cancelled.has(id);
  const ctx: JobContext = {
    progress: (progress) => {
      if (live()) post({ type: 'progress', id, progress });
    },
    pause: () => new Promise((resolve, reject) => setTimeout(() => (live() ? resolve() : reject(new Cancelled('cancelled'))), 0)),
    tfObjective: tfObjectiveFactory,
    tfBackend: ensureModelBackend,
    loadModel,
  };
  try {
    await ready;
    const result = await runJob(job, ctx);
    if (live()) post({ type: 'result', id, kind: job.kind, result });
  } catch (e) {
    post({ type: 'error', id, ...classify(e) });
  }
}
