/**
 * The model session's caches, which the page's shared model worker relies on: a
 * setting is pruned once, whichever widget asks and however it spells the GD options,
 * and each job reports how it got every pruning.
 */
import { describe, expect, it } from 'vitest';
import { runJob } from '../../../src/jobs/jobs.ts';
import { fullGd, runKey } from '../../../src/jobs/modelSession.ts';
import { GD_DEFAULTS } from '../../../src/core/gd.ts';
import { modelContext } from '../../helpers/modelContext.ts';
import { jobContext } from '../../helpers/jobContext.ts';
import { wasmSimdSupported } from '../../../src/core/wasmObjective.ts';

describe('the model session', () => {
  it('keys gd settings with the defaults filled in: {} and the defaults spelled out are one setting', () => {
    const base = { method: 'gd', sparsity: 0.5, granularity: { kind: 'unstructured' }, mode: 'merged' } as const;
    expect(runKey({ ...base, gd: {} })).toBe(runKey({ ...base, gd: { ...GD_DEFAULTS } }));
    expect(runKey({ ...base, gd: {} })).not.toBe(runKey({ ...base, gd: { iters: GD_DEFAULTS.iters + 1 } }));
    // Methods that ignore the GD options share a key whatever options come along.
    expect(runKey({ ...base, method: 'wanda', gd: {} })).toBe(runKey({ ...base, method: 'wanda', gd: { iters: 7 } }));
    expect(Object.keys(fullGd({ lambda: 0.5 }))).toEqual(Object.keys(fullGd({})));
  });

  it('prunes a setting once: a second job (another widget) reuses it and says so', async () => {
    const ctx = modelContext();
    const settings = { model: 'induction', sparsity: 0.6, pattern: 'unstructured', mode: 'merged' } as const;
    const first = await runJob({ kind: 'modelPrune', settings: { ...settings, gd: {} }, methods: ['magnitude'] }, ctx);
    expect(first.runs[0].pruning).toMatchObject({ count: 1, reused: false });
    const second = await runJob({ kind: 'modelPrune', settings: { ...settings, gd: { ...GD_DEFAULTS } }, methods: ['magnitude', 'wanda'] }, ctx);
    expect(second.runs.map((r) => r.pruning.reused)).toEqual([true, false]);
    expect(second.runs.map((r) => r.pruning.count)).toEqual([1, 1]);
    expect(second.runs[0].pruned).toEqual(first.runs[0].pruned);
    // The sweep reuses them too.
    const sweep = await runJob({ kind: 'modelSweep', settings: { model: 'induction', mode: 'merged', gd: {} }, methods: ['wanda'], sparsities: [0.6] }, ctx);
    expect(sweep.rows[0].pruning).toMatchObject({ count: 1, reused: true });
  });

  it('runs each method with each refit, method by method, keyed by method and refit (the no-refit run is reused)', async () => {
    const ctx = modelContext();
    const settings = { model: 'induction', sparsity: 0.6, pattern: 'unstructured', mode: 'merged', gd: {} } as const;
    const plain = await runJob({ kind: 'modelPrune', settings, methods: ['magnitude'] }, ctx);
    const both = await runJob({ kind: 'modelPrune', settings: { ...settings, refits: ['none', 'linear'] }, methods: ['magnitude', 'wanda'] }, ctx);
    expect(both.runs.map((r) => [r.method, r.refit])).toEqual([
      ['magnitude', 'none'],
      ['magnitude', 'linear'],
      ['wanda', 'none'],
      ['wanda', 'linear'],
    ]);
    expect(both.runs[0].pruning.reused).toBe(true);
    expect(both.runs[0].pruned).toEqual(plain.runs[0].pruned);
    expect(both.runs[1].pruning).toMatchObject({ count: 1, reused: false });
    // The linear refit moves the kept weights (the model's score changes), and reports its compute.
    expect(both.runs[1].pruned.crossEntropy).not.toBe(both.runs[0].pruned.crossEntropy);
    expect(both.runs[1].compute.timeMs).toBeGreaterThan(0);
    expect(ctx.reports.at(-1)).toMatchObject({ done: 4 * (both.nLayers * both.nHeads + 1), total: 4 * (both.nLayers * both.nHeads + 1) });
    await expect(runJob({ kind: 'modelPrune', settings: { ...settings, refits: ['bogus' as 'none'] }, methods: ['magnitude'] }, ctx)).rejects.toThrow(
      /unknown refit "bogus"/,
    );
  });
});

describe('the lab job', () => {
  it('names the float64 kernel that ran (WebAssembly SIMD here, JavaScript where SIMD is missing)', async () => {
    const spec = { n: 16, d: 4, seed: 1, scale: 1, causal: false };
    const r = await runJob({ kind: 'lab', spec, sparsity: 0.5, gd: { lambda: 0.1, eta: 0.05, iters: 5 }, engine: 'f64', snapshots: 2 }, jobContext());
    expect(r.engine).toBe(wasmSimdSupported() ? 'float64, WebAssembly SIMD' : 'float64, JavaScript (this browser has no WebAssembly SIMD)');
  });
});
