/**
 * The worker's 'modelPrune' job, run in Node on the page's exported data, gives the
 * same numbers as `cli -- model-prune` on the same settings (seed 1, 8 calibration
 * sequences, the first 32 evaluation sequences). The job loads the model and the
 * data through the context, as the worker does over HTTP.
 */
import { describe, expect, it } from 'vitest';
import { Cancelled, runJob, type JobContext } from '../../src/jobs/jobs.ts';
import type { Job, ModelSettings } from '../../src/jobs/protocol.ts';

const settings = (s: Partial<ModelSettings> & Pick<ModelSettings, 'model'>): ModelSettings => ({
  sparsity: 0.5,
  pattern: 'unstructured',
  mode: 'merged',
  gd: {},
  ...s,
});
import { cliInChild } from '../helpers/cli.ts';
import { modelContext } from '../helpers/modelContext.ts';

const ctx = modelContext();

describe("the worker's modelPrune job", () => {
  it('equals cli model-prune on induction, magnitude, sparsity 0.5, 32 evaluation sequences', async () => {
    const r = await cliInChild('model-prune', '--model', 'induction', '--method', 'magnitude', '--sparsity', '0.5', '--eval-seqs', '32');
    expect(r.code, r.stderr).toBe(0);
    const ref = JSON.parse(r.stdout);
    // The CLI scores the same 32 sequences the page data holds.
    expect(ref.evaluation.description).toMatch(/^32 validation sequences/);
    expect(ref.calibration.sequences).toBe(8);

    const result = await runJob({ kind: 'modelPrune', settings: settings({ model: 'induction', sparsity: 0.5 }), methods: ['magnitude'] }, ctx);
    const job = result.runs[0];
    expect(result.metric).toBe('accuracy');
    expect(job.heads).toHaveLength(ref.heads.length);
    expect(ctx.reports.at(-1)).toMatchObject({ done: ref.heads.length + 1, total: ref.heads.length + 1 });
    for (const [i, h] of job.heads.entries()) {
      expect([h.layer, h.head]).toEqual([ref.heads[i].layer, ref.heads[i].head]);
      expect(Math.abs(h.attentionError - ref.heads[i].attention_error)).toBeLessThanOrEqual(1e-6);
      expect(h.pruned).toBe(ref.heads[i].pruned);
    }
    expect(job.pruned.accuracy).toBeDefined();
    expect(Math.abs(job.pruned.accuracy! - ref.pruned.accuracy)).toBeLessThanOrEqual(1e-6);
    expect(Math.abs(result.dense.accuracy! - ref.dense.accuracy)).toBeLessThanOrEqual(1e-6);
    expect(Math.abs(job.pruned.crossEntropy - ref.pruned.cross_entropy)).toBeLessThanOrEqual(1e-6);
    expect(result.dense.tokens).toBe(ref.evaluation.tokens);
    expect(job.weights).toEqual(ref.weights);
    expect(result.backend).toMatch(/wasm|cpu/);
  });

  // Our methods and Algorithm 1's defaults (Armijo, wanda-weighted rounding) go through the same runners in both.
  // The refits (a stage after any mask) and the new baselines go through them too.
  for (const [method, mode, refit] of [
    ['gd', 'factored', 'none'],
    ['swap', 'merged', 'attention'],
    ['gradual', 'merged', 'none'],
    ['swap-linear', 'factored', 'linear'],
    ['random', 'merged', 'none'],
    ['ria', 'merged', 'linear'],
  ] as const) {
    it(`equals cli model-prune on induction, ${method} + refit ${refit}, ${mode}, sparsity 0.7`, async () => {
      const r = await cliInChild(
        'model-prune',
        '--model',
        'induction',
        '--method',
        method,
        '--refit',
        refit,
        '--mode',
        mode,
        '--sparsity',
        '0.7',
        '--eval-seqs',
        '32',
      );
      expect(r.code, r.stderr).toBe(0);
      const ref = JSON.parse(r.stdout);
      expect(ref.refit).toBe(refit);
      const result = await runJob(
        { kind: 'modelPrune', settings: settings({ model: 'induction', sparsity: 0.7, mode, refits: [refit] }), methods: [method] },
        ctx,
      );
      const run = result.runs[0];
      expect(run.refit).toBe(refit);
      expect(run.compute.maskEvaluations + run.compute.refitEvaluations).toBe(ref.compute.evaluations);
      for (const [i, h] of run.heads.entries()) {
        expect(Math.abs(h.attentionError - ref.heads[i].attention_error), `head ${i}`).toBeLessThanOrEqual(1e-6);
        expect(h.pruned).toBe(ref.heads[i].pruned);
      }
      expect(Math.abs(run.pruned.accuracy! - ref.pruned.accuracy)).toBeLessThanOrEqual(1e-6);
    });
  }

  it('equals cli model-prune on brown-char (the exported calibration and evaluation windows), wanda, sparsity 0.7', async () => {
    const r = await cliInChild('model-prune', '--model', 'brown-char', '--method', 'wanda', '--sparsity', '0.7', '--eval-seqs', '32');
    expect(r.code, r.stderr).toBe(0);
    const ref = JSON.parse(r.stdout);
    const result = await runJob({ kind: 'modelPrune', settings: settings({ model: 'brown-char', sparsity: 0.7 }), methods: ['wanda'] }, ctx);
    const job = result.runs[0];
    expect(result.metric).toBe('perplexity');
    expect(result.dense.tokens).toBe(ref.evaluation.tokens);
    for (const [i, h] of job.heads.entries()) expect(Math.abs(h.attentionError - ref.heads[i].attention_error)).toBeLessThanOrEqual(1e-6);
    expect(Math.abs(result.dense.perplexity - ref.dense.perplexity)).toBeLessThanOrEqual(1e-6);
    expect(Math.abs(job.pruned.perplexity - ref.pruned.perplexity)).toBeLessThanOrEqual(1e-6);
  });

  it('refuses a sparsity outside [0, 1) in words', async () => {
    await expect(runJob({ kind: 'modelPrune', settings: settings({ model: 'induction', sparsity: 1.5 }), methods: ['magnitude'] }, ctx)).rejects.toThrow(
      /sparsity must be/,
    );
  });
});

describe('model jobs: calibration text, views and cancelling', () => {
  it('refuses bad calibration text and a calibration text for induction, in words', async () => {
    const run = (calibText: string, model: 'brown-char' | 'induction' = 'brown-char') =>
      runJob({ kind: 'modelPrune', settings: settings({ model, calibText }), methods: ['magnitude'] }, ctx);
    await expect(run('')).rejects.toThrow(/calibration text is empty/);
    await expect(run('The price was 5 € a pound, and it rose again on the next day of trading at the market.')).rejects.toThrow(/never saw in training: “€”/);
    await expect(run('Too short.')).rejects.toThrow(/too short: 10 characters/);
    await expect(run('a'.repeat(20_001))).rejects.toThrow(/too long/);
    await expect(run('some text', 'induction')).rejects.toThrow(/the Brown models only/);
  });

  it('returns every head’s attention on the prompt: causal rows summing to 1; at sparsity 0 the pruned pattern is the dense one', async () => {
    const r = await runJob(
      { kind: 'modelPrune', settings: settings({ model: 'brown-char', sparsity: 0 }), methods: ['wanda'], view: { text: 'The jury said' } },
      ctx,
    );
    const v = r.view!;
    expect(v.tokens.join('')).toBe('The jury said');
    expect(v.dense).toHaveLength(v.nLayers * v.nHeads * v.T * v.T);
    for (let m = 0; m < v.nLayers * v.nHeads; m++)
      for (let i = 0; i < v.T; i++) {
        let sum = 0;
        for (let j = 0; j < v.T; j++) {
          const a = v.dense[(m * v.T + i) * v.T + j];
          if (j > i) expect(a).toBe(0);
          sum += a;
        }
        expect(sum).toBeCloseTo(1, 5);
      }
    for (let k = 0; k < v.dense.length; k++) expect(Math.abs(v.pruned[0][k] - v.dense[k])).toBeLessThan(1e-5);
    await expect(
      runJob({ kind: 'modelPrune', settings: settings({ model: 'brown-char' }), methods: ['wanda'], view: { text: 'price in €' } }, ctx),
    ).rejects.toThrow(/does not know: "€"/);
  });

  it('a cancel mid-prune stops between heads, and the next run gives the full result', async () => {
    const job: Job = { kind: 'modelPrune', settings: settings({ model: 'induction', sparsity: 0.7, gd: { iters: 50 } }), methods: ['gd'] };
    let pauses = 0;
    const cancelling: JobContext = {
      ...ctx,
      pause: async () => {
        if (++pauses > 3) throw new Cancelled('superseded');
      },
    };
    await expect(runJob(job, cancelling)).rejects.toBeInstanceOf(Cancelled);
    const full = await runJob(job, ctx);
    expect(full.runs[0].heads).toHaveLength(full.nLayers * full.nHeads);
    const ref = await cliInChild('model-prune', '--model', 'induction', '--method', 'gd', '--sparsity', '0.7', '--iters', '50', '--eval-seqs', '32');
    expect(ref.code, ref.stderr).toBe(0);
    const refJson = JSON.parse(ref.stdout);
    full.runs[0].heads.forEach((h, i) => expect(Math.abs(h.attentionError - refJson.heads[i].attention_error)).toBeLessThanOrEqual(1e-6));
    expect(Math.abs(full.runs[0].pruned.accuracy! - refJson.pruned.accuracy)).toBeLessThanOrEqual(1e-6);
  });

  it('N:M patterns equal cli model-prune --nm', async () => {
    const ref = await cliInChild('model-prune', '--model', 'induction', '--method', 'wanda', '--nm', '2:4', '--mode', 'factored', '--eval-seqs', '32');
    expect(ref.code, ref.stderr).toBe(0);
    const refJson = JSON.parse(ref.stdout);
    const r = await runJob({ kind: 'modelPrune', settings: settings({ model: 'induction', pattern: '2:4', mode: 'factored' }), methods: ['wanda'] }, ctx);
    expect(r.sparsity).toBe(0.5);
    r.runs[0].heads.forEach((h, i) => {
      expect(h.pruned).toBe(refJson.heads[i].pruned);
      expect(Math.abs(h.attentionError - refJson.heads[i].attention_error)).toBeLessThanOrEqual(1e-6);
    });
    expect(Math.abs(r.runs[0].pruned.accuracy! - refJson.pruned.accuracy)).toBeLessThanOrEqual(1e-6);
  });
});
