/**
 * The lab sheet's task on a real model: the project's `induction` transformer, every
 * head pruned to 90 % sparsity with merged masks. Which method keeps its copying accuracy
 * at or above 90 %, or does none? The answer is read from public/data/page-sweeps.json
 * (the sweep the command line computed, which chapter 8's sweep widget opens on and its
 * rerun checks cell by cell), never typed in: the page fetches the file and judges with
 * these functions, and the unit tests run them on the same file. No DOM.
 */
import { PAPER_METHOD_IDS, isMethodId, methodLabel } from '../core/methods.ts';
import { rowMetric, type SavedSweep } from '../model/sweep.ts';

export const MODEL_TASK = {
  model: 'induction',
  mode: 'merged',
  sparsity: 0.9,
  /** The accuracy to keep. */
  threshold: 0.9,
  /** The choices: the paper's four methods and our swap search, as far as the file has them. */
  methods: [...PAPER_METHOD_IDS, 'swap'] as readonly string[],
} as const;

/** The answer "no method keeps it". */
export const NONE = 'none';

export interface ModelTaskAnswer {
  dense: number;
  /** Each offered method's accuracy at the task's sparsity, highest first. */
  ranking: { method: string; label: string; accuracy: number }[];
  /** The methods at or above the threshold. */
  keeping: string[];
  /** The right answer: the method that keeps the most accuracy if it reaches the threshold (several on a tie), else [NONE]. */
  right: string[];
  /** The sweep's command, so a reader can recompute it. */
  command: string;
}

/** Only what the task reads of page-sweeps.json. */
export interface SweepFileLike {
  sweeps: readonly Pick<SavedSweep, 'model' | 'mode' | 'metric' | 'rows' | 'command'>[];
}

export function modelTaskAnswer(file: SweepFileLike): ModelTaskAnswer {
  const t = MODEL_TASK;
  const sweep = file.sweeps.find((s) => s.model === t.model && s.mode === t.mode);
  if (!sweep) throw new Error(`the sweep file has no ${t.model} ${t.mode} sweep`);
  if (sweep.metric !== 'accuracy') throw new Error(`the ${t.model} sweep reports ${sweep.metric}, not accuracy`);
  const dense = sweep.rows.find((r) => r.method === 'dense');
  if (!dense) throw new Error('the sweep has no dense row');
  const ranking = t.methods
    .map((method) => {
      const row = sweep.rows.find((r) => r.method === method && Math.abs(r.sparsity - t.sparsity) < 1e-9);
      return row && isMethodId(method) ? { method, label: methodLabel(method), accuracy: rowMetric(sweep, row) } : undefined;
    })
    .filter((x) => x !== undefined)
    .sort((a, b) => b.accuracy - a.accuracy);
  if (ranking.length === 0) throw new Error(`the sweep has no row at sparsity ${t.sparsity}`);
  const keeping = ranking.filter((r) => r.accuracy >= t.threshold).map((r) => r.method);
  const best = ranking.filter((r) => r.accuracy === ranking[0].accuracy).map((r) => r.method);
  return { dense: rowMetric(sweep, dense), ranking, keeping, right: keeping.length ? best : [NONE], command: sweep.command };
}

/** The student's pick judged: right only for the method that keeps the most (when it reaches the threshold) or "none". */
export function judgeModelTask(pick: string, answer: ModelTaskAnswer): 'right' | 'wrong' {
  return answer.right.includes(pick) ? 'right' : 'wrong';
}
