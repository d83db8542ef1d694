/** The lab sheet (issue 20): 90 minutes, links that carry every setting, and the real-model task judged from the precomputed sweep. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LAB_BLOCKS, LAB_HEADS, LAB_MINUTES, labConvergenceLink, labHeadToHeadLink, labSweepLink } from '../../../src/teaching/labSheet.ts';
import { MODEL_TASK, NONE, judgeModelTask, modelTaskAnswer, type SweepFileLike } from '../../../src/teaching/modelTask.ts';
import { ROOT } from '../../helpers/cli.ts';
import { schema as headToHeadSchema } from '../../../src/widgets/head-to-head/settings.ts';
import { schema as labSchema } from '../../../src/widgets/convergence-lab/settings.ts';

const pageSweeps = JSON.parse(readFileSync(`${ROOT}public/data/page-sweeps.json`, 'utf8')) as SweepFileLike;

describe('the timetable', () => {
  it('adds up to the 90 minutes the sheet promises', () => {
    expect(LAB_MINUTES).toBe(90);
    expect(LAB_BLOCKS.every((b) => b.minutes > 0 && b.what.length > 0)).toBe(true);
  });
});

describe('links carry every setting of their widget', () => {
  const keys = (link: string, prefix: string) =>
    [...new URL(link, 'http://x').searchParams.keys()].map((k) => {
      expect(k.startsWith(`${prefix}.`)).toBe(true);
      return k.slice(prefix.length + 1);
    });
  it('head to head, convergence lab, sweep', () => {
    for (const p of LAB_HEADS) {
      // Every field of the widget's own schema (switches included), so the link cannot drift from it.
      expect(keys(labHeadToHeadLink(p), 'h2h').sort()).toEqual(Object.keys(headToHeadSchema).sort());
    }
    const lab = labConvergenceLink(0.05, 'fixed');
    expect(keys(lab, 'lab').sort()).toEqual(Object.keys(labSchema).sort());
    // Task 1's head-to-head link runs the paper's form, and its switch says so.
    expect(new URL(labHeadToHeadLink(LAB_HEADS[0]), 'http://x').searchParams.get('h2h.gdForm')).toBe('paper');
    expect(lab).toMatch(/#lab$/);
    expect(keys(labSweepLink(), 'msweep').sort()).toEqual(['gdForm', 'methods', 'mode', 'model', 'refits']);
  });
});

describe('the real-model task, from public/data/page-sweeps.json', () => {
  const answer = modelTaskAnswer(pageSweeps);

  it('ranks the offered methods by the file’s accuracy at the task’s sparsity', () => {
    const sweep = pageSweeps.sweeps.find((s) => s.model === MODEL_TASK.model && s.mode === MODEL_TASK.mode)!;
    expect(answer.ranking.length).toBeGreaterThanOrEqual(4);
    for (const r of answer.ranking) {
      const row = sweep.rows.find((x) => x.method === r.method && x.sparsity === MODEL_TASK.sparsity);
      expect(r.accuracy).toBe(row?.accuracy);
    }
    for (let i = 1; i < answer.ranking.length; i++) expect(answer.ranking[i - 1].accuracy).toBeGreaterThanOrEqual(answer.ranking[i].accuracy);
    expect(answer.dense).toBe(sweep.rows.find((x) => x.method === 'dense')?.accuracy);
    expect(answer.command).toBe(sweep.command);
  });

  it('the right answer is the best method if it keeps the threshold, else none; every other pick is wrong', () => {
    const best = answer.ranking[0];
    expect(answer.right).toEqual(best.accuracy >= MODEL_TASK.threshold ? [best.method] : [NONE]);
    for (const pick of [...answer.ranking.map((r) => r.method), NONE]) {
      expect(judgeModelTask(pick, answer)).toBe(answer.right.includes(pick) ? 'right' : 'wrong');
    }
  });

  it('judges a made-up sweep both ways: one method above the threshold, then none', () => {
    const file = (acc: Record<string, number>): SweepFileLike =>
      ({
        sweeps: [
          {
            model: 'induction',
            mode: 'merged',
            metric: 'accuracy',
            command: 'x',
            rows: [{ method: 'dense', sparsity: 0, accuracy: 1 }, ...Object.entries(acc).map(([method, accuracy]) => ({ method, sparsity: 0.9, accuracy }))],
          },
        ],
      }) as unknown as SweepFileLike;
    const one = modelTaskAnswer(file({ gd: 0.95, magnitude: 0.5, wanda: 0.91 }));
    expect(one.right).toEqual(['gd']);
    expect(one.keeping).toEqual(['gd', 'wanda']);
    expect(judgeModelTask('wanda', one)).toBe('wrong');
    expect(modelTaskAnswer(file({ gd: 0.8, magnitude: 0.5 })).right).toEqual([NONE]);
    expect(() => modelTaskAnswer({ sweeps: [] })).toThrow(/no induction merged sweep/);
  });
});
