/**
 * The page side of the solver worker. Each widget owns one client; `run` supersedes
 * whatever that client was running (the old promise rejects with kind "cancelled"),
 * so a new input always wins.
 */
import { type ErrorKind, type FromWorker, type JobKind, type JobOf, type ProgressOf, type ResultOf, isProgressFor, isResultFor } from '../jobs/protocol.ts';

export class JobError extends Error {
  constructor(
    message: string,
    readonly kind: ErrorKind,
  ) {
    super(message);
    this.name = 'JobError';
  }
}

/** A job waiting for the worker: it settles itself from the worker's messages (typed by its kind). */
interface Pending {
  receive(m: FromWorker): void;
  reject(e: JobError): void;
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
    if (m.type !== 'progress') this.pending.delete(m.id);
    p.receive(m);
  }

  /**
   * Run a job; any job this client was running is cancelled first. The result and the
   * progress are typed by the job's kind (the protocol's JobResults table), checked
   * against the kind the worker tags its answer with.
   */
  run<K extends JobKind>(job: JobOf<K>, onProgress?: (p: ProgressOf<K>) => void): Promise<ResultOf<K>> {
    this.cancel();
    const id = this.nextId++;
    const worker = this.ensureWorker();
    const kind: K = job.kind;
    return new Promise<ResultOf<K>>((resolve, reject) => {
      this.pending.set(id, {
        reject,
        receive: (m) => {
          if (m.type === 'progress') {
            if (onProgress && isProgressFor(kind, m.progress)) onProgress(m.progress);
          } else if (m.type === 'error') reject(new JobError(m.message, m.kind));
          else if (isResultFor(kind, m)) resolve(m.result);
          else reject(new JobError(`the worker answered a ${kind} job with a ${m.kind} result`, 'bug'));
        },
      });
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
