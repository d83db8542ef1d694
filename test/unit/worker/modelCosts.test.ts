/**
 * The model widgets' time estimate learns each method and refit separately (issue 17):
 * a method without refit keeps the cost key it always had (the defaults' estimate is
 * unchanged), a refit is timed on its own, and the fair fight's six runs are estimated
 * only once each has been measured.
 */
import { describe, expect, it } from 'vitest';
import { estimate, recordJob } from '../../../src/worker/modelCosts.ts';
import type { ModelPruneJobResult, ModelSettings } from '../../../src/jobs/protocol.ts';
import type { ModelMethodId, RefitId } from '../../../src/core/methods.ts';
import { PAGE_DEFAULT_METHODS, PAGE_FAIR_FIGHT } from '../../../src/core/methods.ts';

const HEADS = 8;

/** A finished job as the worker reports it: only what the estimate reads. */
function job(settings: ModelSettings, runs: { method: ModelMethodId; refit: RefitId; pruneMs: number }[]): ModelPruneJobResult {
  return {
    model: settings.model,
    mode: settings.mode,
    nLayers: 2,
    nHeads: 4,
    timeMs: { load: 1000, prune: 0, evaluate: 100 * runs.length, total: 0 },
    runs: runs.map((r, i) => ({ ...r, pruning: { setting: `s${i}`, count: 1, reused: false } })),
  } as unknown as ModelPruneJobResult;
}

describe('model job estimates', () => {
  const base: ModelSettings = { model: 'brown-char', sparsity: 0.5, pattern: 'unstructured', mode: 'merged', gd: {} };

  it('the defaults (no refit) cost what their measurements say, per method', () => {
    const methods = PAGE_DEFAULT_METHODS.split(',') as ModelMethodId[];
    recordJob(
      base,
      job(
        base,
        methods.map((method) => ({ method, refit: 'none', pruneMs: 80 })),
      ),
    );
    // At another sparsity nothing is reused: 4 methods × (8 heads × 10 ms + 100 ms scoring), the model already loaded.
    const e = estimate({ ...base, sparsity: 0.7 }, methods);
    expect(e.unmeasured).toEqual([]);
    expect(e.ms).toBeCloseTo(4 * (HEADS * 10 + 100), 6);
    // The same settings again: every run reused, no cost.
    expect(estimate(base, methods)).toMatchObject({ ms: 0, reused: methods });
  });

  it('a refit is timed apart from its method, and the fair fight waits until all six are measured', () => {
    const fair = { ...base, sparsity: 0.9, refits: PAGE_FAIR_FIGHT.refits.split(',') as RefitId[] };
    const methods = PAGE_FAIR_FIGHT.methods.split(',') as ModelMethodId[];
    const before = estimate(fair, methods);
    expect(before.ms).toBeUndefined();
    expect(before.unmeasured).toEqual([
      'sparsegpt + linear refit',
      'sparsegpt + attention refit',
      'swap + linear refit',
      'swap + attention refit',
      'swap-linear + linear refit',
      'swap-linear + attention refit',
    ]);
    recordJob(fair, job(fair, [{ method: 'sparsegpt', refit: 'attention', pruneMs: 800 }]));
    expect(estimate({ ...fair, sparsity: 0.8 }, ['sparsegpt']).unmeasured).toEqual(['sparsegpt + linear refit']);
    // SparseGPT without refit keeps its own (earlier) cost.
    expect(estimate({ ...base, sparsity: 0.8 }, ['sparsegpt']).ms).toBeCloseTo(HEADS * 10 + 100, 6);
    expect(estimate({ ...fair, sparsity: 0.8, refits: ['attention'] }, ['sparsegpt']).ms).toBeCloseTo(HEADS * 100 + 100, 6);
  });
});
