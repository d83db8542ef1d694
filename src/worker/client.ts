/**
 * The page side of the solver worker. Each widget owns one client; `run` supersedes
 * whatever that client was running (the old promise rejects with kind "cancelled"),
 * so a new input always wins.
 */
import type { ErrorKind, FromWorker, JobKind, JobOf, JobProgress, JobResult, ProgressOf, ResultOf } from '../jobs/protocol.ts';

export class JobError extends Error {
  constructor(
    message: string,
    readonly kind: ErrorKind,
  ) {
    super(message);
    this.name = 'JobError';
  }
}

interface Pending {
  resolve(r: JobResult): void;
  reject(e: JobError): void;
  onProgress?: (p: JobProgress) => void;
}

export class SolverClient {
  private worker: Worker | undefined;
  private nextId = 1;
  private pending = new Map<number, Pending>();

  /** Start the worker now (module load, WASM compile) so the first run does not wait for it. */
  warm(): void {
    this.ensureWorker();
  }

  private ensureWorker(): Worker {
    if (!this.worker) {
      this.worker = new Worker(new URL('./solver.worker.ts', import.meta.url), { type: 'module' });
      this.worker.onmessage = (e: MessageEvent<FromWorker>) => this.receive(e.data);
      this.worker.onerror = (e) => {
        for (const [, p] of this.pending) p.reject(new JobError(`the solver worker failed: ${e.message || 'unknown error'}`, 'bug'));
        this.pending.clear();
        this.worker?.terminate();
        this.worker = undefined;
      };
    }
    return this.worker;
  }

  private receive(m: FromWorker): void {
    const p = this.pending.get(m.id);
    if (!p) return;
    if (m.type === 'progress') p.onProgress?.(m.progress);
    else {
      this.pending.delete(m.id);
      if (m.type === 'result') p.resolve(m.result);
      else p.reject(new JobError(m.message, m.kind));
    }
  }

  /**
   * Run a job; any job this client was running is cancelled first. The result and the
   * progress are typed by the job's kind (the protocol's JobResults table).
   */
  run<K extends JobKind>(job: JobOf<K>, onProgress?: (p: ProgressOf<K>) => void): Promise<ResultOf<K>> {
    this.cancel();
    const id = this.nextId++;
    const worker = this.ensureWorker();
    return new Promise<ResultOf<K>>((resolve, reject) => {
      // The worker answers a job of kind K with ResultOf<K> and ProgressOf<K> (jobs.ts's
      // RUNNERS table is typed so); the message channel itself is untyped.
      this.pending.set(id, { resolve: resolve as (r: JobResult) => void, reject, onProgress: onProgress as ((p: JobProgress) => void) | undefined });
      worker.postMessage({ type: 'run', id, job });
    });
  }

  cancel(): void {
    for (const [id, p] of this.pending) {
      this.worker?.postMessage({ type: 'cancel', id });
      p.reject(new JobError('cancelled', 'cancelled'));
    }
    this.pending.clear();
  }

  dispose(): void {
    this.cancel();
    this.worker?.terminate();
    this.worker = undefined;
  }
}
