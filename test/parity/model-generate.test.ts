/**
 * The worker's 'modelGenerate' job, run in Node as the page runs it, writes the same
 * texts as the command line: the dense text equals `cli -- generate`, and each pruned
 * text equals `cli -- model-prune … --eval-seqs 32 --out R.json` followed by
 * `cli -- generate … --prune R.json` (exact text equality); the pruned perplexities
 * agree with model-prune's to 1e-6; each run's first departure and top-1 agreement
 * equal `cli -- generate … --prune R.json --compare --eval-seqs 32`'s exactly (the same
 * function on the same arg-max tokens). The CLI runs in child processes while the job
 * runs here, so the two cores work in parallel.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runJob } from '../../src/jobs/jobs.ts';
import type { ModelGenerateJobResult, ModelSettings } from '../../src/jobs/protocol.ts';
import type { ModelMethodId } from '../../src/core/methods.ts';
import { loadModelNode } from '../../src/model/weights.ts';
import { generatedRows, generatedTxt, unknownPromptCharacters, unknownPromptMessage } from '../../src/widgets/generated-text/compare.ts';
import { departureJson } from '../../src/model/textAgreement.ts';
import { cliAsync } from '../helpers/cli.ts';
import { modelContext } from '../helpers/modelContext.ts';

const ctx = modelContext();

const TMP = mkdtempSync(join(tmpdir(), 'model-generate-'));
afterAll(() => rmSync(TMP, { recursive: true, force: true }));

interface Case {
  prompt: string;
  tokens: number;
  seed: number;
  temperature: number;
  sparsity: number;
  pattern: string;
  mode: 'merged' | 'factored';
  methods: ModelMethodId[];
}

/** The CLI's dense text, and for each method its pruned text and model-prune's JSON. */
async function cliReference(c: Case): Promise<{
  dense: string;
  pruned: Map<
    ModelMethodId,
    {
      text: string;
      report: { pruned: { perplexity: number }; dense: { perplexity: number } };
      compared: { dense_text: string; pruned_text: string; first_departure: number | string; top1_agreement: number; agreement_positions: number };
    }
  >;
}> {
  const gen = [
    'generate',
    '--model',
    'brown-char',
    '--prompt',
    c.prompt,
    '--tokens',
    String(c.tokens),
    '--seed',
    String(c.seed),
    '--temperature',
    String(c.temperature),
  ];
  const patternFlags = c.pattern === 'unstructured' ? ['--sparsity', String(c.sparsity)] : ['--nm', c.pattern];
  const densePromise = cliAsync(...gen);
  const prunedPromises = c.methods.map(async (method) => {
    const file = join(TMP, `${method}-${c.pattern.replace(':', '_')}-${c.mode}.json`);
    await cliAsync('model-prune', '--model', 'brown-char', '--method', method, ...patternFlags, '--mode', c.mode, '--eval-seqs', '32', '--out', file);
    const text = await cliAsync(...gen, '--prune', file);
    const compared = JSON.parse(await cliAsync(...gen, '--prune', file, '--compare', '--eval-seqs', '32'));
    return [method, { text, report: JSON.parse(readFileSync(file, 'utf8')), compared }] as const;
  });
  return { dense: await densePromise, pruned: new Map(await Promise.all(prunedPromises)) };
}

async function compare(c: Case): Promise<ModelGenerateJobResult> {
  const reference = cliReference(c);
  const settings: ModelSettings = { model: 'brown-char', sparsity: c.sparsity, pattern: c.pattern, mode: c.mode, gd: {} };
  const job = await runJob(
    { kind: 'modelGenerate', settings, methods: c.methods, prompt: c.prompt, tokens: c.tokens, seed: c.seed, temperature: c.temperature },
    ctx,
  );
  const ref = await reference;
  // The CLI prints the prompt followed by the continuation; the job returns the continuation.
  expect(c.prompt + job.denseText).toBe(ref.dense);
  expect(job.denseText).toHaveLength(c.tokens);
  expect(job.runs.map((r) => r.method)).toEqual(c.methods);
  for (const run of job.runs) {
    const want = ref.pruned.get(run.method)!;
    expect(c.prompt + run.text, run.method).toBe(want.text);
    expect(Math.abs(run.pruned.perplexity - want.report.pruned.perplexity), run.method).toBeLessThanOrEqual(1e-6);
    expect(Math.abs(job.dense.perplexity - want.report.dense.perplexity)).toBeLessThanOrEqual(1e-6);
    // --compare prints the same texts, and the widget's two measures exactly.
    expect([want.compared.dense_text, want.compared.pruned_text]).toEqual([ref.dense, want.text]);
    expect(departureJson(run.departure), run.method).toEqual(want.compared.first_departure);
    expect(run.agreement, run.method).toEqual({ agreement: want.compared.top1_agreement, positions: want.compared.agreement_positions });
    expect(run.agreement.positions).toBe(32 * 64);
  }
  return job;
}

describe("the worker's modelGenerate job", () => {
  it('equals cli generate and generate --prune: gd and wanda, sparsity 0.5, merged, sampled at temperature 0.8', async () => {
    const job = await compare({
      prompt: 'The jury said',
      tokens: 80,
      seed: 7,
      temperature: 0.8,
      sparsity: 0.5,
      pattern: 'unstructured',
      mode: 'merged',
      methods: ['gd', 'wanda'],
    });
    expect(job.sparsity).toBe(0.5);
    // What the widget downloads is the same text, and its "first differs at" is where the strings part.
    const rows = generatedRows(job);
    expect(rows.map((r) => r.text)).toEqual([job.prompt + job.denseText, ...job.runs.map((r) => job.prompt + r.text)]);
    for (const [i, run] of job.runs.entries()) {
      const k = rows[i + 1].first_departure;
      expect(rows[i + 1].top1_agreement).toBe(run.agreement.agreement);
      // brown-char's tokens are characters: token k is character k, and it is what the card marks.
      if (typeof k === 'string') expect(run.text).toBe(job.denseText);
      else {
        expect(run.text.slice(0, k - 1)).toBe(job.denseText.slice(0, k - 1));
        expect(run.text[k - 1]).not.toBe(job.denseText[k - 1]);
        expect(run.departure).toMatchObject({ kind: 'at', token: k, start: k - 1, end: k });
      }
    }
    expect(generatedTxt(job)).toContain(job.prompt + job.runs[0].text);
  });

  it('equals the CLI with a 2:4 pattern on factored masks, greedy (magnitude)', async () => {
    const job = await compare({
      prompt: 'It was',
      tokens: 40,
      seed: 1,
      temperature: 0,
      sparsity: 0.5,
      pattern: '2:4',
      mode: 'factored',
      methods: ['magnitude'],
    });
    expect(job.pattern).toBe('2:4');
    expect(job.sparsity).toBe(0.5);
  });

  it('refuses a prompt with characters the model does not know, naming them', async () => {
    const job = runJob(
      {
        kind: 'modelGenerate',
        settings: { model: 'brown-char', sparsity: 0.5, pattern: 'unstructured', mode: 'merged', gd: {} },
        methods: ['magnitude'],
        prompt: 'Café costs 3 €',
        tokens: 10,
        seed: 1,
        temperature: 0.8,
      },
      ctx,
    );
    await expect(job).rejects.toThrow(/does not know: "é" "€"/);
    // The widget checks before running, with the same vocabulary, and says where the characters are.
    const model = await loadModelNode('brown-char');
    expect(unknownPromptCharacters(model.vocabulary, 'Café costs 3 €')).toEqual([
      { char: 'é', positions: [4] },
      { char: '€', positions: [14] },
    ]);
    const message = unknownPromptMessage(model.vocabulary, 'Café costs 3 € and 4 €');
    expect(message).toMatch(/2 characters the model does not know: "é" \(U\+00E9\) at character 4; "€" \(U\+20AC\) at character 14, 22\./);
    expect(message).toMatch(/A–Z, a–z, 0–9, space, newline and /);
    expect(unknownPromptMessage(model.vocabulary, 'The jury said')).toBe('');
    expect(unknownPromptMessage(model.vocabulary, 'tab\there')).toMatch(/tab \(U\+0009\) at character 4/);
  });
});
