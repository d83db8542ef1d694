/**
 * The page side of the solver worker. Each widget owns one client; `run` supersedes
 * whatever that client was running (the old promise rejects with kind "cancelled"),
 * so a new input always wins.
 *
 * A client is either private (its own worker: the synthetic widgets) or shared: every
 * client made with the same `shared` name talks to ONE worker, so the model widgets of
 * a page load the model, calibrate and prune each setting once between them (the
 * worker's session cache, src/jobs/modelSession.ts). The worker runs its jobs one at a
 * time in arrival order; a client's `cancel` cancels only that client's own jobs.
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

/** One worker and the jobs every client of it is waiting for (job ids are unique per worker). */
class WorkerLink {
  private worker: Worker | undefined;
  private nextId = 1;
  readonly pending = new Map<number, Pending>();

  ensure(): Worker {
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

  id(): number {
    return this.nextId++;
  }

  private receive(m: FromWorker): void {
    const p = this.pending.get(m.id);
    if (!p) return;
    if (m.type !== 'progress') this.pending.delete(m.id);
    p.receive(m);
  }

  cancel(id: number): void {
    const p = this.pending.get(id);
    this.pending.delete(id);
    this.worker?.postMessage({ type: 'cancel', id });
    p?.reject(new JobError('cancelled', 'cancelled'));
  }

  terminate(): void {
    for (const id of [...this.pending.keys()]) this.cancel(id);
    this.worker?.terminate();
    this.worker = undefined;
  }
}

/** The shared workers of this page, by name. */
const sharedLinks = new Map<string, WorkerLink>();

export class SolverClient {
  private readonly link: WorkerLink;
  private readonly shared: boolean;
  /** This client's jobs in the worker (one at most: `run` cancels the previous one). */
  private mine = new Set<number>();

  /** `shared`: clients with the same name use one worker (see the file's comment). */
  constructor(options: { shared?: string } = {}) {
    this.shared = options.shared !== undefined;
    if (options.shared === undefined) this.link = new WorkerLink();
    else {
      let link = sharedLinks.get(options.shared);
      if (!link) {
        link = new WorkerLink();
        sharedLinks.set(options.shared, link);
      }
      this.link = link;
    }
  }

  /** Start the worker now (module load, WASM compile) so the first run does not wait for it. */
  warm(): void {
    this.link.ensure();
  }

  /**
   * Run a job; any job this client was running is cancelled first. The result and the
   * progress are typed by the job's kind (the protocol's JobResults table), checked
   * against the kind the worker tags its answer with.
   */
  run<K extends JobKind>(job: JobOf<K>, onProgress?: (p: ProgressOf<K>) => void): Promise<ResultOf<K>> {
    this.cancel();
    const id = this.link.id();
    const worker = this.link.ensure();
    const kind: K = job.kind;
    this.mine.add(id);
    return new Promise<ResultOf<K>>((resolve, reject) => {
      const settle = (): void => {
        this.mine.delete(id);
      };
      this.link.pending.set(id, {
        reject: (e) => {
          settle();
          reject(e);
        },
        receive: (m) => {
          if (m.type === 'progress') {
            if (onProgress && isProgressFor(kind, m.progress)) onProgress(m.progress);
            return;
          }
          settle();
          if (m.type === 'error') reject(new JobError(m.message, m.kind));
          else if (isResultFor(kind, m)) resolve(m.result);
          else reject(new JobError(`the worker answered a ${kind} job with a ${m.kind} result`, 'bug'));
        },
      });
      worker.postMessage({ type: 'run', id, job });
    });
  }

  /** Cancel this client's job (a shared worker's other jobs go on). */
  cancel(): void {
    for (const id of [...this.mine]) this.link.cancel(id);
    this.mine.clear();
  }

  dispose(): void {
    this.cancel();
    // A shared worker stays for the page's other widgets.
    if (!this.shared) this.link.terminate();
  }
}
