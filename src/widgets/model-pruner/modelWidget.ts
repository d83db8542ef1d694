/**
 * What the page's model widgets (model pruner, generated text, induction heads, the
 * sweep's live rerun) share: one worker for all of them, so the model is loaded,
 * calibrated and each setting pruned once per page; the progress line; and a record
 * of every job on the element (`data-worker-jobs`), from which the browser test checks
 * that no setting is pruned twice and adds up the time spent in the worker.
 */
import { SolverClient } from '../../worker/client.ts';
import type { PruningReport, StepProgress } from '../../jobs/protocol.ts';

/** The page's one model worker (every model widget's client talks to it). */
export function modelClient(): SolverClient {
  return new SolverClient({ shared: 'model' });
}

/** "Pruning with gd… (step 3 of 48, 2 s so far, about 20 s left)", or that the job waits for another widget's. */
export function stepLine(p: StepProgress, remaining: (done: number, total: number) => string): string {
  const stage = p.stage ? `${p.stage[0].toUpperCase()}${p.stage.slice(1)}` : 'Working';
  return p.total === 0 ? `${stage}…` : `${stage}… (step ${p.done} of ${p.total}${remaining(p.done, p.total)})`;
}

/** One finished job as the element records it: its time in the worker and how it got each pruning. */
export interface WorkerJobRecord {
  kind: string;
  timeMs: number;
  prunings: PruningReport[];
}

/** Append a finished job to the element's `data-worker-jobs` (a JSON array). */
export function recordOnElement(el: HTMLElement, job: WorkerJobRecord): void {
  const jobs = JSON.parse(el.dataset.workerJobs ?? '[]') as WorkerJobRecord[];
  jobs.push(job);
  el.dataset.workerJobs = JSON.stringify(jobs);
}
