import { PRUNING_METHOD_IDS, updatesWeights } from '../../../src/core/methods.ts';
import { describe, expect, it } from 'vitest';
import { jobContext } from '../../helpers/jobContext.ts';
import { runJob, Cancelled } from '../../../src/jobs/jobs.ts';
import type { SweepRow } from '../../../src/jobs/protocol.ts';
import { DivergenceError } from '../../../src/core/gd.ts';
import { solve } from '../../../src/core/solve.ts';
import { syntheticProblem } from '../../../src/core/synthetic.ts';

const spec = { n: 32, d: 8, seed: 4, scale: 2, causal: false };

describe('solver worker jobs (the same code the page runs)', () => {
  it('lab: the run equals solve() and reports progress and snapshots', async () => {
    const ctx = jobContext();
    const gd = { lambda: 0.1, eta: 0.05, iters: 120 };
    const r = await runJob({ kind: 'lab', spec, sparsity: 0.5, gd, engine: 'f64', snapshots: 12 }, ctx);
    const direct = solve(syntheticProblem(spec), 'gd', { sparsity: 0.5, granularity: { kind: 'unstructured' }, gd });
    expect(r.lossHistory).toEqual(direct.lossHistory);
    expect(Array.from(r.final!.mask)).toEqual(Array.from(direct.mask.data));
    expect(r.final!.metrics.attentionError).toBeCloseTo(direct.metrics.attentionError, 12);
    expect(r.divergence).toBeNull();
    // The last snapshot's rounded mask is the final mask.
    expect(Array.from(r.snapshots.at(-1)!.rounded)).toEqual(Array.from(direct.mask.data));
    expect(r.snapshots[0].iteration).toBe(0);
    expect(r.snapshots.at(-1)!.iteration).toBe(120);
    expect(r.snapshots.length).toBeGreaterThanOrEqual(12);
    expect(ctx.progressCount).toBeGreaterThan(0);
    expect(r.safeEta).toBeGreaterThan(0);
  });

  it('lab: a superseded run stops at its next pause', async () => {
    await expect(
      runJob({ kind: 'lab', spec, sparsity: 0.5, gd: { lambda: 0.1, eta: 0.05, iters: 100000 }, engine: 'f64', snapshots: 10 }, jobContext(2)),
    ).rejects.toBeInstanceOf(Cancelled);
  });

  it('lab: a diverged run keeps its trajectory up to the blow-up and the solver’s message (the CLI still exits 2)', async () => {
    const gd = { lambda: 0.1, eta: 1e4, iters: 50, step: 'fixed' as const };
    const r = await runJob({ kind: 'lab', spec, sparsity: 0.5, gd, engine: 'f64', snapshots: 10 }, jobContext());
    let thrown: unknown;
    try {
      solve(syntheticProblem(spec), 'gd', { sparsity: 0.5, granularity: { kind: 'unstructured' }, gd });
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(DivergenceError);
    const e = thrown as DivergenceError;
    expect(r.divergence).toEqual({ message: e.message, iteration: e.iteration, loss: e.loss });
    expect(r.divergence!.message).toMatch(/eta <= /);
    expect(r.final).toBeNull();
    expect(r.lossHistory).toHaveLength(e.iteration + 1);
    expect(r.lossHistory.at(-1)).toBe(e.loss);
    expect(r.snapshots.length).toBeGreaterThan(0);
    for (const s of r.snapshots) expect(s.m.every(Number.isFinite)).toBe(true);
  });

  it('lab: λ = 0 starts at a stationary point (∇L(M₀) = 0 exactly) and the mask never moves', async () => {
    for (const step of ['fixed', 'armijo'] as const) {
      const r = await runJob({ kind: 'lab', spec, sparsity: 0.5, gd: { lambda: 0, eta: 0.05, iters: 40, step }, engine: 'f64', snapshots: 10 }, jobContext());
      expect(r.startGradNorm).toBe(0);
      expect(r.lossHistory.every((l) => l === 0)).toBe(true);
      for (const s of r.snapshots) expect(s.m.every((v) => v === 1)).toBe(true);
      // Armijo stops at once (zero gradient); the fixed rule takes T steps of size 0.
      expect(r.lossHistory).toHaveLength(step === 'armijo' ? 1 : 41);
    }
  });

  it('lab: F′ at each snapshot follows from X, W and its rounded mask', async () => {
    const r = await runJob(
      { kind: 'lab', spec, sparsity: 0.5, gd: { lambda: 0.1, eta: 0.05, iters: 30, step: 'fixed' }, engine: 'f64', snapshots: 5 },
      jobContext(),
    );
    const problem = syntheticProblem(spec);
    expect(Array.from(r.x)).toEqual(Array.from(problem.X.data));
    expect(Array.from(r.w)).toEqual(Array.from(problem.W.data));
    for (const s of r.snapshots) {
      expect(s.rounded.reduce((a, b) => a + b, 0)).toBe(32);
      expect(s.maxDiff).toBeGreaterThanOrEqual(0);
      expect(s.maxDiff).toBeLessThanOrEqual(1);
    }
  });

  it('compare: every method, with attention and linear errors', async () => {
    const r = await runJob(
      { kind: 'compare', spec, sparsity: 0.5, granularity: { kind: 'unstructured' }, methods: ['gd', 'magnitude', 'wanda', 'sparsegpt'], gd: {} },
      jobContext(),
    );
    expect(r.outcomes.map((o) => o.method)).toEqual(['gd', 'magnitude', 'wanda', 'sparsegpt']);
    for (const o of r.outcomes) {
      expect(o.pruned).toBe(32);
      expect(o.metrics.attentionError).toBeGreaterThan(0);
      expect(o.linearError).toBeGreaterThan(0);
      expect(o.fPruned.length).toBe(32 * 32);
    }
    // SparseGPT is the best linear reconstruction by construction.
    const lin = Object.fromEntries(r.outcomes.map((o) => [o.method, o.linearError]));
    expect(lin.sparsegpt).toBeLessThan(lin.magnitude);
    expect(lin.sparsegpt).toBeLessThan(lin.wanda);
  });

  it('sweep: one row per method and sparsity, plus N:M rows', async () => {
    const rows = (await runJob(
      { kind: 'sweep', spec, sparsities: [0.3, 0.5, 0.7], methods: ['magnitude', 'wanda'], patterns: ['unstructured', '2:4'], gd: {} },
      jobContext(),
    )) as SweepRow[];
    expect(rows).toHaveLength(2 * 3 + 2);
    expect(rows.filter((r) => r.pattern === '2:4').every((r) => r.sparsity === 0.5)).toBe(true);
  });

  it('sweep: the shared gradient-descent run gives the rows solve() gives', async () => {
    const rows = (await runJob(
      { kind: 'sweep', spec, sparsities: [0.3, 0.7], methods: ['gd'], patterns: ['unstructured', '2:4'], gd: { iters: 60 } },
      jobContext(),
    )) as SweepRow[];
    const p = syntheticProblem(spec);
    for (const row of rows) {
      const granularity = row.pattern === 'unstructured' ? ({ kind: 'unstructured' } as const) : ({ kind: 'nm', n: 2, m: 4 } as const);
      const direct = solve(p, 'gd', { sparsity: row.sparsity, granularity, gd: { iters: 60 } });
      expect(row.attentionError).toBeCloseTo(direct.metrics.attentionError, 12);
    }
  });

  it('exhaustive: 12870 masks at d = 4, every method ranked', async () => {
    const r = await runJob({ kind: 'exhaustive', spec: { n: 16, d: 4, seed: 1, scale: 3 }, sparsity: 0.5, gd: {} }, jobContext());
    expect(r.masks).toBe(12870);
    expect(r.losses.length).toBe(12870);
    for (const m of r.methods) if (!updatesWeights(m.method)) expect(m.attentionLoss).toBeGreaterThanOrEqual(r.optimum - 1e-15);
  });

  it('scatter: random masks and every method, in both errors', async () => {
    const r = await runJob({ kind: 'scatter', spec, sparsity: 0.5, samples: 120, seed: 9, gd: {} }, jobContext());
    expect(r.random).toHaveLength(120);
    expect(r.methods).toHaveLength(PRUNING_METHOD_IDS.length);
    expect(r.random.every((p) => Number.isFinite(p.linear) && Number.isFinite(p.attention))).toBe(true);
  });
});
