/**
 * public/data/sweeps.json (written by `npm run precompute`, read by the chapter
 * "Reproducing the paper's experiment") is what the code computes: one row is
 * recomputed cheaply with the same sweep function and must match to 1e-9, and the
 * file holds every model × mode × method × sparsity row. After a deliberate change
 * to the models or the solvers, rerun `npm run precompute` and review the diff.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runSweep, sweepCommandLine } from '../../src/cli/pruneCommands.ts';
import { MODEL_METHOD_IDS } from '../../src/core/methods.ts';
import { SWEEP_MODELS, SWEEP_OUT, SWEEP_SPARSITIES, sweepRuns } from '../../scripts/precompute-sweeps.ts';

interface Sweep {
  command: string;
  model: string;
  mode: string;
  nm?: string;
  metric: 'perplexity' | 'accuracy';
  rows: Record<string, string | number>[];
}
const data = JSON.parse(readFileSync(SWEEP_OUT, 'utf8')) as { sweeps: Sweep[] };

function find(model: string, mode: string, nm?: string): Sweep {
  const s = data.sweeps.find((x) => x.model === model && x.mode === mode && x.nm === nm);
  if (!s) throw new Error(`no sweep ${model} ${mode} ${nm ?? ''}`);
  return s;
}

describe('public/data/sweeps.json', () => {
  it('has a sweep for every model and mode, plus 2:4 merged, each with the command that reproduces it', () => {
    expect(data.sweeps).toHaveLength(sweepRuns().length);
    for (const run of sweepRuns()) expect(find(run.model, run.mode, run.nm).command).toBe(sweepCommandLine(run.options));
  });

  it('has the dense row and every method × sparsity row, with finite numbers and no timings', () => {
    for (const model of SWEEP_MODELS) {
      for (const mode of ['merged', 'factored']) {
        const s = find(model, mode);
        expect(s.metric).toBe(model === 'induction' ? 'accuracy' : 'perplexity');
        expect(s.rows[0]).toMatchObject({ method: 'dense', sparsity: 0, mean_attention_error: 0 });
        for (const method of MODEL_METHOD_IDS) {
          for (const p of SWEEP_SPARSITIES) {
            const rows = s.rows.filter((r) => r.method === method && r.sparsity === p);
            expect(rows, `${model} ${mode} ${method} ${p}`).toHaveLength(1);
            expect(Number.isFinite(rows[0][s.metric])).toBe(true);
            expect(Number.isFinite(rows[0].mean_attention_error)).toBe(true);
          }
        }
        expect(s.rows).toHaveLength(1 + MODEL_METHOD_IDS.length * SWEEP_SPARSITIES.length);
      }
      const nm = find(model, 'merged', '2:4');
      expect(nm.rows.map((r) => `${r.method}@${r.sparsity}`)).toEqual(['dense@0', ...MODEL_METHOD_IDS.map((m) => `${m}@0.5`)]);
      for (const r of nm.rows) expect(r).not.toHaveProperty('time_ms');
    }
  });

  it('equals a fresh run of the sweep code (induction, magnitude, 50 %, merged) to 1e-9', async () => {
    const fresh = await runSweep({ model: 'induction', methods: ['magnitude'], sparsities: [0.5], mode: 'merged' }, () => {});
    const saved = find('induction', 'merged');
    for (const [method, p] of [
      ['dense', 0],
      ['magnitude', 0.5],
    ] as const) {
      const a = fresh.rows.find((r) => r.method === method && r.sparsity === p)!;
      const b = saved.rows.find((r) => r.method === method && r.sparsity === p)!;
      expect(Math.abs((a.accuracy as number) - (b.accuracy as number))).toBeLessThanOrEqual(1e-9);
      expect(Math.abs((a.mean_attention_error as number) - (b.mean_attention_error as number))).toBeLessThanOrEqual(1e-9);
    }
    expect(fresh.calibration).toBe((saved as unknown as { calibration: string }).calibration);
    expect(fresh.evaluation).toBe((saved as unknown as { evaluation: string }).evaluation);
  });
});
