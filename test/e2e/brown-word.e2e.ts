/**
 * brown-word in the built page (issue 19): the generated-text widget and the model
 * pruner open on it from a link. A prompt with a word outside its vocabulary is named
 * before anything runs; the greedy texts, dense and pruned, equal the command line's,
 * character for character; the pruner's numbers equal `cli -- model-prune` (to 1e-4).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runWidget, watchedPage } from './browser.ts';
import { siteSession } from './siteSession.ts';
import { pageWith } from './pages.ts';
import { cliPrune, expectAgrees, pageResult } from './modelChecks.ts';
import { cliAsync } from '../helpers/cli.ts';

const s = siteSession();
const GEN = 'generated-text';
const TMP = mkdtempSync(join(tmpdir(), 'brown-word-e2e-'));
afterAll(() => rmSync(TMP, { recursive: true, force: true }));

describe('brown-word on the page', () => {
  it('generated text: an unknown word is named; the greedy texts equal the CLI’s', async () => {
    const refs = cliPrune(TMP, 'brown-word', ['magnitude'], 0.9).then(async () => {
      const gen = ['generate', '--model', 'brown-word', '--prompt', 'It was', '--tokens', '16', '--temperature', '0'];
      return { dense: await cliAsync(...gen), pruned: await cliAsync(...gen, '--prune', join(TMP, 'brown-word-magnitude.json')) };
    });
    const { page, consoleErrors } = await watchedPage(s.browser, s.site.url);
    const path = pageWith(GEN);
    await page.goto(`${s.site.url}${path}?gen.model=brown-word&gen.prompt=${encodeURIComponent('The Ierulli jury')}&gen.methods=magnitude`);
    expect(await runWidget(page, GEN, 60_000)).toBe('error');
    expect((await page.locator(`${GEN} [role=alert]`).textContent()) ?? '').toMatch(/1 word the model does not know: “Ierulli”/);
    await page.goto(
      `${s.site.url}${path}?gen.model=brown-word&gen.prompt=${encodeURIComponent('It was')}&gen.methods=magnitude&gen.temperature=0&gen.chars=16&gen.sparsity=0.9`,
    );
    expect(await runWidget(page, GEN, 240_000)).toBe('done');
    const texts = await page.locator(`${GEN} .gen-text`).allTextContents();
    const ref = await refs;
    expect(texts).toEqual([ref.dense, ref.pruned]);
    expect(texts.join('')).not.toContain('<unk>');
    expect(consoleErrors).toEqual([]);
    await page.context().close();
  }, 400_000);

  it('model pruner: magnitude at 0.5 on brown-word gives the CLI’s numbers', async () => {
    const refs = cliPrune(TMP, 'brown-word', ['magnitude'], 0.5);
    const { page, consoleErrors } = await watchedPage(s.browser, s.site.url);
    await page.goto(`${s.site.url}${pageWith('model-pruner')}?pruner.model=brown-word&pruner.methods=magnitude&pruner.sparsity=0.5`);
    expect(await runWidget(page, 'model-pruner', 240_000)).toBe('done');
    const r = await pageResult(page);
    expect(r.model).toBe('brown-word');
    const ref = (await refs).get('magnitude')!;
    expect(Math.abs(r.dense - ref.dense.perplexity) / ref.dense.perplexity).toBeLessThanOrEqual(1e-4);
    expectAgrees(r.runs[0], ref, 'perplexity');
    expect(await page.locator('model-pruner .pruner-tokens').textContent()).toMatch(/words and marks/);
    expect(consoleErrors).toEqual([]);
    await page.context().close();
  }, 400_000);
});
