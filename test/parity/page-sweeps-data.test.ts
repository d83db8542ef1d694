/**
 * public/data/page-sweeps.json (written by `npm run precompute:page`, opened by the
 * chapter 8 sweep widget) holds every model × mode × method × sparsity of the page's
 * settings (masks alone: every row carries refit "none"), each sweep with the command that prints it, and its numbers are what the
 * page's own worker job computes: a few cells are recomputed with the 'modelSweep'
 * job in Node (the CLI's TensorFlow.js backend) and must match to 1e-6. After a
 * deliberate change to the models or the solvers, rerun `npm run precompute:page`.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runJob } from '../../src/jobs/jobs.ts';
import { modelContext } from '../helpers/modelContext.ts';
import type { ModelSweepJobResult } from '../../src/jobs/protocol.ts';
import type { PruneMode } from '../../src/model/prune.ts';
import { MODEL_METHOD_IDS, type ModelMethodId } from '../../src/core/methods.ts';
import type { ModelName } from '../../src/model/config.ts';
import { gdSettings } from '../../src/core/gd.ts';
import {
  PAGE_SWEEP_MODELS,
  PAGE_SWEEP_MODES,
  PAGE_SWEEP_OUT,
  PAGE_SWEEP_SETTINGS,
  PAGE_SWEEP_SPARSITIES,
  commandOf,
  pageSweepRuns,
} from '../../scripts/precompute-page-sweeps.ts';

const ROOT = new URL('../../', import.meta.url).pathname;

interface Sweep {
  command: string;
  model: string;
  mode: string;
  metric: 'perplexity' | 'accuracy';
  gd: { lambda: number; eta: number; iters: number };
  rows: Record<string, string | number>[];
}
const data = JSON.parse(readFileSync(`${ROOT}${PAGE_SWEEP_OUT}`, 'utf8')) as { sparsities: number[]; methods: string[]; settings: unknown; sweeps: Sweep[] };

function find(model: string, mode: string): Sweep {
  const s = data.sweeps.find((x) => x.model === model && x.mode === mode);
  if (!s) throw new Error(`no sweep ${model} ${mode}`);
  return s;
}

function cell(s: Sweep, method: string, sparsity: number): Record<string, string | number> {
  const rows = s.rows.filter((r) => r.method === method && r.sparsity === sparsity);
  expect(rows, `${s.model} ${s.mode} ${method} ${sparsity}`).toHaveLength(1);
  return rows[0];
}

// The worker's host, in Node: the CLI's backend choice, the model and the page's data from disk.
const ctx = modelContext();

async function workerSweep(model: ModelName, mode: PruneMode, methods: ModelMethodId[], sparsities: number[]): Promise<ModelSweepJobResult> {
  const gd = gdSettings();
  return await runJob({ kind: 'modelSweep', settings: { model, mode, gd }, methods, sparsities }, ctx);
}

describe('public/data/page-sweeps.json', () => {
  it("has one sweep per model and mode, with the page's settings and the command that prints it", () => {
    expect(data.sweeps).toHaveLength(PAGE_SWEEP_MODELS.length * PAGE_SWEEP_MODES.length);
    expect(data.sparsities).toEqual([...PAGE_SWEEP_SPARSITIES]);
    expect(data.methods).toEqual([...MODEL_METHOD_IDS]);
    expect(data.settings).toEqual(PAGE_SWEEP_SETTINGS);
    for (const run of pageSweepRuns()) {
      const s = find(run.model, run.mode);
      expect(s.command).toBe(commandOf(run));
      expect(s.command).toContain('--eval-seqs 32');
      expect(s.command).toContain('--seed 1');
      expect(s.command).toContain('--calib-seqs 8');
      expect(s.gd).toEqual(gdSettings());
    }
  });

  it('has the dense row and every method × sparsity, with finite numbers and no timings', () => {
    for (const model of PAGE_SWEEP_MODELS) {
      for (const mode of PAGE_SWEEP_MODES) {
        const s = find(model, mode);
        expect(s.metric).toBe(model === 'induction' ? 'accuracy' : 'perplexity');
        expect(s.rows[0]).toMatchObject({ method: 'dense', sparsity: 0, mean_attention_error: 0 });
        expect(Number.isFinite(s.rows[0][s.metric])).toBe(true);
        for (const method of MODEL_METHOD_IDS) {
          for (const p of PAGE_SWEEP_SPARSITIES) {
            const r = cell(s, method, p);
            // The widget opens on masks alone: every row says its refit.
            expect(r.refit).toBe('none');
            expect(Number.isFinite(r[s.metric])).toBe(true);
            expect(Number.isFinite(r.mean_attention_error)).toBe(true);
            expect(r.mean_attention_error as number).toBeGreaterThan(0);
            if (s.metric === 'accuracy') expect(r.accuracy as number).toBeLessThanOrEqual(1);
            else expect(r.perplexity as number).toBeGreaterThan(1);
          }
        }
        expect(s.rows).toHaveLength(1 + MODEL_METHOD_IDS.length * PAGE_SWEEP_SPARSITIES.length);
        for (const r of s.rows) expect(r).not.toHaveProperty('time_ms');
      }
    }
  });

  it("equals the page's worker job on induction, magnitude, 50 %, merged (to 1e-6)", async () => {
    const saved = find('induction', 'merged');
    const r = await workerSweep('induction', 'merged', ['magnitude'], [0.5]);
    expect(r.metric).toBe('accuracy');
    expect(r.rows).toHaveLength(1);
    const want = cell(saved, 'magnitude', 0.5);
    expect(Math.abs(r.rows[0].score.accuracy! - (want.accuracy as number))).toBeLessThanOrEqual(1e-6);
    expect(Math.abs(r.rows[0].meanAttentionError - (want.mean_attention_error as number))).toBeLessThanOrEqual(1e-6);
    expect(Math.abs(r.dense.accuracy! - (saved.rows[0].accuracy as number))).toBeLessThanOrEqual(1e-6);
  });

  it("equals the page's worker job on brown-char, wanda, 70 %, factored (to 1e-6)", async () => {
    const saved = find('brown-char', 'factored');
    const r = await workerSweep('brown-char', 'factored', ['wanda'], [0.7]);
    expect(r.metric).toBe('perplexity');
    const want = cell(saved, 'wanda', 0.7);
    expect(Math.abs(r.rows[0].score.perplexity - (want.perplexity as number))).toBeLessThanOrEqual(1e-6);
    expect(Math.abs(r.rows[0].meanAttentionError - (want.mean_attention_error as number))).toBeLessThanOrEqual(1e-6);
    expect(Math.abs(r.dense.perplexity - (saved.rows[0].perplexity as number))).toBeLessThanOrEqual(1e-6);
  });
});
