/**
 * Reading the model widgets' results in the built page, and the command line's
 * references they are checked against (shared by the chapter test and the widgets' own).
 */
import { expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { cliAsync } from '../helpers/cli.ts';

export interface PageResult {
  model: string;
  metric: 'perplexity' | 'accuracy';
  dense: number;
  runs: {
    method: string;
    refit: string;
    compute: { timeMs: number; maskEvaluations: number; refitEvaluations: number };
    value: number;
    crossEntropy: number;
    headErrors: number[];
    kept: number;
  }[];
}

/** The model pruner's numbers at full precision (its data-result). */
export async function pageResult(page: Page): Promise<PageResult> {
  return JSON.parse((await page.locator('model-pruner').getAttribute('data-result')) ?? 'null');
}

// biome-ignore lint/suspicious/noExplicitAny: the CLI's JSON report, read field by field
export function expectAgrees(run: PageResult['runs'][number], ref: Record<string, any>, metric: PageResult['metric']): void {
  const refValue = metric === 'accuracy' ? ref.pruned.accuracy : ref.pruned.perplexity;
  expect(Math.abs(run.value - refValue) / refValue, `${run.method} ${metric}`).toBeLessThanOrEqual(1e-4);
  expect(run.headErrors).toHaveLength(ref.heads.length);
  run.headErrors.forEach((e, i) => expect(Math.abs(e - ref.heads[i].attention_error), `${run.method} head ${i}`).toBeLessThanOrEqual(1e-4));
  expect(run.kept).toBe(ref.weights.kept_entries);
}

/** `cli -- model-prune` for each method, its report written to dir/<model>-<method>.json and returned. */
// biome-ignore lint/suspicious/noExplicitAny: the CLI's JSON report
export async function cliPrune(dir: string, model: string, methods: readonly string[], sparsity: number): Promise<Map<string, Record<string, any>>> {
  // biome-ignore lint/suspicious/noExplicitAny: the CLI's JSON report
  const out = new Map<string, Record<string, any>>();
  for (const method of methods) {
    const file = join(dir, `${model}-${method}.json`);
    await cliAsync('model-prune', '--model', model, '--method', method, '--sparsity', String(sparsity), '--mode', 'merged', '--eval-seqs', '32', '--out', file);
    out.set(method, JSON.parse(readFileSync(file, 'utf8')));
  }
  return out;
}

/** What `cli -- generate … --prune R.json --compare` prints (docs/SPEC.md §8). */
export interface CliComparison {
  dense_text: string;
  pruned_text: string;
  first_departure: number | string;
  top1_agreement: number;
  agreement_positions: number;
}

/**
 * `cli -- generate` with the dense model, and with each pruned one (the reports cliPrune wrote)
 * with `--compare --eval-seqs 32`: the texts by model ('dense' and each method), and each
 * method's comparison with the dense text (first departure, top-1 agreement on the page's windows).
 */
export async function cliTexts(
  dir: string,
  s: { model?: string; prompt: string; tokens: number; seed: number; temperature: number; methods: readonly string[] },
): Promise<{ texts: Map<string, string>; compared: Map<string, CliComparison> }> {
  const model = s.model ?? 'brown-char';
  const gen = [
    'generate',
    '--model',
    model,
    '--prompt',
    s.prompt,
    '--tokens',
    String(s.tokens),
    '--seed',
    String(s.seed),
    '--temperature',
    String(s.temperature),
  ];
  const texts = new Map<string, string>([['dense', await cliAsync(...gen)]]);
  const compared = new Map<string, CliComparison>();
  for (const method of s.methods) {
    const c = JSON.parse(await cliAsync(...gen, '--prune', join(dir, `${model}-${method}.json`), '--compare', '--eval-seqs', '32')) as CliComparison;
    // The comparison's dense text is the plain command's.
    expect(c.dense_text, method).toBe(texts.get('dense'));
    texts.set(method, c.pruned_text);
    compared.set(method, c);
  }
  return { texts, compared };
}

/**
 * The generated-text widget's texts, first departures and top-1 agreements equal the CLI's
 * (texts and departures exactly; the agreement to 1e-12, the same arg-max tokens counted).
 */
export async function expectTextsAgree(
  page: Page,
  refs: Awaited<ReturnType<typeof cliTexts>>,
  s: { model?: string; prompt: string; methods: readonly string[] },
): Promise<void> {
  const methods = s.methods;
  const card = (m: string) => page.locator(`generated-text figure.gen-card[data-method="${m}"]`);
  for (const m of ['dense', ...methods]) expect(await card(m).locator('pre.gen-text').textContent(), m).toBe(refs.texts.get(m));
  const shown = JSON.parse((await page.locator('generated-text [data-agreement]').getAttribute('data-agreement')) ?? '[]') as {
    method: string;
    agreement: number;
    positions: number;
    departure: { kind: string; token?: number };
  }[];
  expect(shown.map((r) => r.method)).toEqual(methods);
  for (const r of shown) {
    const c = refs.compared.get(r.method)!;
    expect(Math.abs(r.agreement - c.top1_agreement), r.method).toBeLessThanOrEqual(1e-12);
    expect(r.positions, r.method).toBe(c.agreement_positions);
    const first = await card(r.method).getAttribute('data-first-departure');
    if (typeof c.first_departure === 'number') {
      expect(r.departure, r.method).toMatchObject({ kind: 'at', token: c.first_departure });
      expect(first, r.method).toBe(String(c.first_departure));
      const mark = await card(r.method).locator('pre.gen-text mark').textContent();
      // brown-char's tokens are characters: the mark is the departing character, as text; a word model's is the departing word.
      if ((s.model ?? 'brown-char') === 'brown-char') expect(mark, r.method).toBe(c.pruned_text.charAt(s.prompt.length + c.first_departure - 1));
      else {
        // The whole departing word: no letters of it left outside the mark on either side.
        expect(mark ?? '', r.method).toMatch(/^\S+$/);
        const around = await card(r.method)
          .locator('pre.gen-text mark')
          .evaluate((m) => [m.previousSibling?.textContent?.slice(-1) ?? '', m.nextSibling?.textContent?.charAt(0) ?? '']);
        for (const ch of around) expect(/\p{L}/u.test(ch) && /^\p{L}/u.test(mark ?? ''), `${r.method}: ${around.join('|')}`).toBe(false);
      }
    } else {
      expect(r.departure.kind, r.method).toBe('never');
      expect(first, r.method).toBe('never');
      expect(c.pruned_text).toBe(c.dense_text);
    }
  }
}

export interface ShownRow {
  model: string;
  accuracy: string;
  scores: string[];
}

/** The induction table as the reader sees it: model name, accuracy text, one score text per layer-1 head. */
export async function shownTable(page: Page): Promise<{ head: string[]; rows: ShownRow[] }> {
  return page.locator('induction-heads .induction-scores table').evaluate((t) => {
    const head = [...t.querySelectorAll('thead th')].map((th) => th.textContent ?? '');
    const rows = [...t.querySelectorAll('tbody tr')].map((tr) => {
      const cells = [...tr.children].map((c) => c.textContent ?? '');
      return { model: cells[0], accuracy: cells[1], scores: cells.slice(2, -1) };
    });
    return { head, rows };
  });
}

/** "89.31 %" → 0.8931. */
export function accuracyOf(text: string): number {
  const m = /^(\d+(?:\.\d+)?) %$/.exec(text);
  if (!m) throw new Error(`not an accuracy: "${text}"`);
  return Number(m[1]) / 100;
}

/** One finished job as a model widget records it (data-worker-jobs). */
export interface WorkerJob {
  kind: string;
  timeMs: number;
  prunings: { setting: string; count: number; reused: boolean }[];
}

export async function workerJobs(page: Page, tag: string): Promise<WorkerJob[]> {
  return JSON.parse((await page.locator(tag).getAttribute('data-worker-jobs')) ?? '[]');
}
