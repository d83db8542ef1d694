/**
 * The main thread's side of "Your own model": the primary worker (the reader's model) and a
 * pool of workers sized by navigator.hardwareConcurrency that prune a layer's heads in
 * parallel (heads are independent: each needs only its layer's X and its own W_Q, W_K).
 * `stop` ends every worker at once (a head's solver cannot be interrupted mid-way); the
 * next request starts fresh ones, and the model is opened again.
 */
import { JobError } from './client.ts';
import type { OwnOp, OwnOps, OwnReply, OwnRequest } from './ownModelProtocol.ts';
import type { HeadInputs, ModelPruneSpec, PrunedHead } from '../model/prune.ts';
import { pruneLayerAcross } from '../jobs/layerHeads.ts';

/** At most this many pruning workers, whatever the device says (each holds a layer's X). */
const MAX_POOL = 8;

class OwnWorker {
  private readonly worker = new Worker(new URL('./ownModel.worker.ts', import.meta.url), { type: 'module' });
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(v: unknown): void; reject(e: JobError): void }>();

  constructor() {
    this.worker.onmessage = (e: MessageEvent<OwnReply>) => {
      const p = this.pending.get(e.data.id);
      if (!p) return;
      this.pending.delete(e.data.id);
      if (e.data.ok) p.resolve(e.data.value);
      else p.reject(new JobError(e.data.message, e.data.kind));
    };
    this.worker.onerror = (e) => this.fail(`a worker of the page failed: ${e.message || 'unknown error'} (the file may be too large for this device's memory)`);
  }

  call<K extends OwnOp>(op: K, args: OwnOps[K]['args']): Promise<OwnOps[K]['result']> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.worker.postMessage({ id, op, args } as OwnRequest);
    });
  }

  private fail(message: string): void {
    for (const p of this.pending.values()) p.reject(new JobError(message, 'bug'));
    this.pending.clear();
  }

  terminate(): void {
    this.worker.terminate();
    for (const p of this.pending.values()) p.reject(new JobError('cancelled', 'cancelled'));
    this.pending.clear();
  }
}

/** How many workers prune heads in parallel on this device. */
export function poolSize(): number {
  const cores = typeof navigator !== 'undefined' ? navigator.hardwareConcurrency || 2 : 2;
  return Math.max(1, Math.min(MAX_POOL, cores));
}

export class OwnModelPool {
  private primaryWorker: OwnWorker | undefined;
  private helpers: OwnWorker[] = [];
  private layerCount = 0;

  get primary(): OwnWorker {
    this.primaryWorker ??= new OwnWorker();
    return this.primaryWorker;
  }

  /** True until the primary worker has been started (or after a stop). */
  get fresh(): boolean {
    return this.primaryWorker === undefined;
  }

  /**
   * Prune one layer's heads (inputs from the primary's `layer`) across the pool, each worker
   * taking the next head when it is free; `onHead` after each. Results in head order.
   */
  async pruneLayer(inputs: HeadInputs[], spec: ModelPruneSpec, onHead: (h: PrunedHead) => void): Promise<PrunedHead[]> {
    if (inputs.length === 0) return [];
    while (this.helpers.length < Math.min(poolSize(), inputs.length)) this.helpers.push(new OwnWorker());
    return pruneLayerAcross(this.helpers, `${++this.layerCount}.${inputs[0].layer}`, inputs, spec, onHead);
  }

  /** End the pruning workers now (a newer run supersedes the one under way); the model stays open. */
  stopPruning(): void {
    for (const w of this.helpers) w.terminate();
    this.helpers = [];
  }

  /** End every worker now (Stop, or the widget removed). */
  stop(): void {
    this.primaryWorker?.terminate();
    this.primaryWorker = undefined;
    this.stopPruning();
  }
}
