/**
 * public/data/sweeps.json (written by `npm run precompute`, read by chapters 9 and 10 and
 * the home page) is what the code computes: cells of the whole-model table are recomputed
 * with the function behind `cli -- sweep` (no refit, and the linear refit) and must match
 * to 1e-9; the file holds every recipe × sparsity of every planned sweep, each sweep with the
 * command that reproduces it, and a wall time for every row in public/data/sweeps-time.json.
 * After a deliberate change to the models or the solvers, rerun `npm run precompute` and
 * review the diff.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runSweep, sweepCommandLine } from '../../src/cli/pruneCommands.ts';
import { SWEEP_OUT, SWEEP_TIME_OUT, runKey, sweepRuns } from '../../scripts/precompute-sweeps.ts';
import { sweepSparsities } from '../../src/model/sweep.ts';

interface Row {
  method: string;
  refit?: string;
  sparsity: number;
  perplexity?: number;
  accuracy?: number;
  mean_attention_error: number;
  evaluations?: number;
}
interface Sweep {
  command: string;
  model: string;
  mode: string;
  nm?: string;
  settings?: string;
  metric: 'perplexity' | 'accuracy';
  calibration: string;
  evaluation: string;
  rows: Row[];
}
const data = JSON.parse(readFileSync(SWEEP_OUT, 'utf8')) as { sweeps: Sweep[] };
const times = JSON.parse(readFileSync(SWEEP_TIME_OUT, 'utf8')) as {
  sweeps: { command: string; rows: { method: string; refit?: string; sparsity: number; time_ms: number }[] }[];
};

function find(model: string, mode: string, nm: string | undefined, settings: string | undefined): Sweep {
  const s = data.sweeps.find((x) => x.model === model && x.mode === mode && x.nm === nm && x.settings === settings);
  if (!s) throw new Error(`no sweep ${model} ${mode} ${nm ?? ''} ${settings ?? ''}`);
  return s;
}

describe('public/data/sweeps.json', () => {
  it('has every planned sweep, each with the command that reproduces it', () => {
    expect(data.sweeps).toHaveLength(sweepRuns().length);
    for (const run of sweepRuns()) expect(find(run.model, run.mode, run.nm, run.settings).command, runKey(run)).toBe(sweepCommandLine(run.options));
  });

  it('has the dense row and every method × refit × sparsity of each sweep, finite, without timings (those are in sweeps-time.json)', () => {
    for (const run of sweepRuns()) {
      const s = find(run.model, run.mode, run.nm, run.settings);
      expect(s.metric).toBe(run.model === 'induction' ? 'accuracy' : 'perplexity');
      expect(s.rows[0]).toMatchObject({ method: 'dense', sparsity: 0, mean_attention_error: 0 });
      const ps = sweepSparsities({ sparsities: run.options.sparsities ?? [], granularity: run.nm ? { kind: 'nm', n: 2, m: 4 } : { kind: 'unstructured' } });
      const methods = run.options.methods ?? [];
      const refits = run.options.refits ?? ['none'];
      expect(s.rows).toHaveLength(1 + ps.length * methods.length * refits.length);
      const t = times.sweeps.find((x) => x.command === s.command);
      for (const p of ps)
        for (const method of methods)
          for (const refit of refits) {
            const rows = s.rows.filter((r) => r.method === method && r.refit === refit && r.sparsity === p);
            expect(rows, `${runKey(run)} ${method} + ${refit} at ${p}`).toHaveLength(1);
            expect(Number.isFinite(rows[0][s.metric])).toBe(true);
            expect(Number.isFinite(rows[0].mean_attention_error)).toBe(true);
            expect(Number.isInteger(rows[0].evaluations)).toBe(true);
            expect(rows[0]).not.toHaveProperty('time_ms');
            expect(t?.rows.find((r) => r.method === method && r.refit === refit && r.sparsity === p)?.time_ms).toBeGreaterThan(0);
          }
    }
  });

  // One cell per model and kind of sweep: induction's three (no refit, and the linear refit in both modes), and
  // brown-word's (merged only, issue 19). Each recomputes the dense row and one method at one sparsity.
  const cells = [
    { model: 'induction', method: 'magnitude', refit: 'none', settings: undefined, mode: 'merged', p: 0.5 },
    { model: 'induction', method: 'sparsegpt', refit: 'linear', settings: 'linear-refit', mode: 'merged', p: 0.5 },
    { model: 'induction', method: 'wanda', refit: 'linear', settings: 'linear-refit', mode: 'factored', p: 0.5 },
    { model: 'brown-word', method: 'wanda', refit: 'linear', settings: 'linear-refit', mode: 'merged', p: 0.7 },
  ] as const;
  it.each(cells)(
    'equals a fresh run of the sweep code: $model, $method + $refit refit ($mode) at $p, to 1e-9',
    async ({ model, method, refit, settings, mode, p }) => {
      const run = sweepRuns().find((r) => r.model === model && r.mode === mode && !r.nm && r.settings === settings)!;
      const fresh = await runSweep({ ...run.options, methods: [method], sparsities: [p] }, () => {});
      const saved = find(model, mode, undefined, settings);
      const metric = saved.metric;
      for (const [m, q] of [
        ['dense', 0],
        [method, p],
      ] as const) {
        const a = fresh.rows.find((r) => r.method === m && r.sparsity === q)!;
        const b = saved.rows.find((r) => r.method === m && r.sparsity === q && (m === 'dense' || r.refit === refit))!;
        expect(Number.isFinite(a[metric])).toBe(true);
        expect(Math.abs((a[metric] as number) - (b[metric] as number)), `${m} + ${refit}`).toBeLessThanOrEqual(1e-9);
        expect(Math.abs(a.mean_attention_error - b.mean_attention_error)).toBeLessThanOrEqual(1e-9);
        if (m !== 'dense') expect(a.evaluations).toBe(b.evaluations);
      }
      expect(fresh.calibration).toBe(saved.calibration);
      expect(fresh.evaluation).toBe(saved.evaluation);
    },
  );
});
