/**
 * brown-word through the one loader, forward and prune path (issue 19): the worker's
 * model jobs, run in Node on the page's exported data, give the command line's numbers
 * and texts. modelPrune: each head's attention error and the pruned perplexity equal
 * `cli -- model-prune --eval-seqs 32` to 1e-6; modelGenerate: the dense and pruned
 * greedy texts equal `cli -- generate` and `generate --prune R.json` exactly, and a
 * prompt with words outside the vocabulary is refused, naming them.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { GREEDY_LOOP_EXAMPLE } from '../../src/site/numbers/realModel.ts';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runJob } from '../../src/jobs/jobs.ts';
import type { ModelSettings } from '../../src/jobs/protocol.ts';
import { cliAsync, cliInChild } from '../helpers/cli.ts';
import { modelContext } from '../helpers/modelContext.ts';

const ctx = modelContext();
const TMP = mkdtempSync(join(tmpdir(), 'brown-word-'));
afterAll(() => rmSync(TMP, { recursive: true, force: true }));

const settings: ModelSettings = { model: 'brown-word', sparsity: 0.7, pattern: 'unstructured', mode: 'merged', gd: {} };

describe('brown-word in the worker’s model jobs', () => {
  it('modelPrune equals cli model-prune (wanda, sparsity 0.7, merged, 32 evaluation windows)', async () => {
    const cli = cliInChild('model-prune', '--model', 'brown-word', '--method', 'wanda', '--sparsity', '0.7', '--eval-seqs', '32');
    const result = await runJob({ kind: 'modelPrune', settings, methods: ['wanda'] }, ctx);
    const r = await cli;
    expect(r.code, r.stderr).toBe(0);
    const ref = JSON.parse(r.stdout);
    expect(ref.evaluation.description).toMatch(/^the first 32 validation windows of 65 tokens/);
    const run = result.runs[0];
    expect(result.metric).toBe('perplexity');
    expect(result.dense.tokens).toBe(ref.evaluation.tokens);
    for (const [i, h] of run.heads.entries()) expect(Math.abs(h.attentionError - ref.heads[i].attention_error)).toBeLessThanOrEqual(1e-6);
    expect(Math.abs(run.pruned.perplexity - ref.pruned.perplexity)).toBeLessThanOrEqual(1e-6 * ref.pruned.perplexity);
    expect(Math.abs(result.dense.perplexity - ref.dense.perplexity)).toBeLessThanOrEqual(1e-6 * ref.dense.perplexity);
  });

  it('modelGenerate writes the command line’s greedy texts, dense and pruned', async () => {
    const prompt = 'The jury said';
    const gen = ['generate', '--model', 'brown-word', '--prompt', prompt, '--tokens', '24', '--temperature', '0'];
    const file = join(TMP, 'R.json');
    const reference = (async () => {
      const dense = await cliAsync(...gen);
      await cliAsync('model-prune', '--model', 'brown-word', '--method', 'wanda', '--sparsity', '0.7', '--eval-seqs', '32', '--out', file);
      return { dense, pruned: await cliAsync(...gen, '--prune', file) };
    })();
    const job = await runJob({ kind: 'modelGenerate', settings, methods: ['wanda'], prompt, tokens: 24, seed: 1, temperature: 0 }, ctx);
    const ref = await reference;
    expect(prompt + job.denseText).toBe(ref.dense);
    expect(prompt + job.runs[0].text).toBe(ref.pruned);
    expect(job.denseText).not.toContain('<unk>');
    expect(Math.abs(job.runs[0].pruned.perplexity - JSON.parse(readFileSync(file, 'utf8')).pruned.perplexity)).toBeLessThanOrEqual(
      1e-6 * job.runs[0].pruned.perplexity,
    );
  });

  it('writes, greedily, the loop chapter 8 quotes', async () => {
    const { prompt, text } = GREEDY_LOOP_EXAMPLE;
    const dense = await cliAsync('generate', '--model', 'brown-word', '--prompt', prompt, '--tokens', '40', '--temperature', '0');
    expect(dense.split(text).length - 1).toBeGreaterThanOrEqual(2);
  });

  it('refuses a prompt with words outside the vocabulary, naming them', async () => {
    const job = runJob({ kind: 'modelGenerate', settings, methods: ['magnitude'], prompt: 'The Ierulli jury', tokens: 5, seed: 1, temperature: 0 }, ctx);
    await expect(job).rejects.toThrow(/1 word the model does not know: “Ierulli”/);
  });
});
