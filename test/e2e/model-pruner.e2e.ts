/**
 * The model pruner in the built site against `cli -- model-prune` on the same
 * settings (the page scores the first 32 evaluation sequences: --eval-seqs 32).
 *
 * Tolerance: the page runs the forward passes in TensorFlow.js float32 on wasm (or webgl)
 * (or wasm), the CLI on Node's wasm backend; the calibration activations differ in
 * the last float32 bits, so per-head attention errors agree to 1e-4 and perplexity
 * and accuracy to 1e-4 relative (measured differences are far smaller).
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runWidget, watchedPage, widgetStatus } from './browser.ts';
import { expectAgrees, pageResult } from './modelChecks.ts';
import { siteSession } from './siteSession.ts';
import { cliJson } from '../helpers/cli.ts';
import { count } from '../../src/ui/format.ts';

const TAG = 'model-pruner';

const ctx = siteSession(TAG);

describe('model pruner', () => {
  it('prunes the induction model to 2:4 from a shared link, as cli model-prune --nm 2:4', async () => {
    const refs = Promise.all(
      ['magnitude', 'sparsegpt'].map((m) => cliJson('model-prune', '--model', 'induction', '--method', m, '--nm', '2:4', '--eval-seqs', '32')),
    );
    const { page, consoleErrors } = await watchedPage(ctx.browser, ctx.site.url);
    await page.goto(`${ctx.site.url}${ctx.path}?pruner.model=induction&pruner.pattern=2%3A4&pruner.methods=magnitude,sparsegpt#pruner`);
    expect(await runWidget(page, TAG, 60_000)).toBe('done');
    const r = await pageResult(page);
    const ref = await refs;
    expect(r.metric).toBe('accuracy');
    r.runs.forEach((run, i) => expectAgrees(run, ref[i], 'accuracy'));
    expect(consoleErrors).toEqual([]);
    await page.context().close();
  });

  it('an old link naming swap-recon opens as the swap search with the attention refit, as cli --method swap --refit attention, with its compute in the table', async () => {
    const ref = cliJson('model-prune', '--model', 'induction', '--method', 'swap', '--refit', 'attention', '--sparsity', '0.7', '--eval-seqs', '32');
    const { page, consoleErrors } = await watchedPage(ctx.browser, ctx.site.url);
    await page.goto(`${ctx.site.url}${ctx.path}?pruner.model=induction&pruner.sparsity=0.7&pruner.methods=swap-recon#pruner`);
    const root = page.locator(TAG);
    expect(await root.locator('.widget-notes').textContent()).toMatch(/“swap-recon” is now Attention swap search \+ attention refit/);
    expect(await root.locator('input[name=refits][value=attention]').isChecked()).toBe(true);
    expect(await root.locator('input[name=methods][value=swap]').isChecked()).toBe(true);
    expect(await runWidget(page, TAG, 120_000)).toBe('done');
    const r = await pageResult(page);
    const cli = await ref;
    expect(r.runs.map((x) => [x.method, x.refit])).toEqual([['swap', 'attention']]);
    expectAgrees(r.runs[0], cli, 'accuracy');
    // The exact objective evaluations are the CLI's; the table shows them and the time.
    expect(r.runs[0].compute.maskEvaluations + r.runs[0].compute.refitEvaluations).toBe(cli.compute.evaluations);
    const row = root.locator('.pruner-results tbody tr').first();
    expect(await row.locator('th, td').first().textContent()).toBe('Attention swap search + attention refit');
    expect(await root.locator('.pruner-results thead').textContent()).toMatch(/compute: time \(s\)[\s\S]*compute: objective evaluations/);
    expect(await row.textContent()).toContain(`${count(cli.compute.evaluations)} (`);
    // The address bar names the new ids.
    expect(await page.evaluate(() => new URLSearchParams(location.search).get('pruner.methods'))).toBe('swap');
    expect(await page.evaluate(() => new URLSearchParams(location.search).get('pruner.refits'))).toBe('attention');
    expect(consoleErrors).toEqual([]);
    await page.context().close();
  });

  it('calibrates on pasted text as cli --calib-text does, and explains bad text in words', async () => {
    const text =
      'The committee met on Tuesday to discuss the new budget. Members agreed that the school needs more teachers, ' +
      'and that the roads in the north of the county must be repaired before winter. The mayor said he would ask ' +
      'the state for help. Several residents spoke at the meeting; most of them supported the plan, but a few asked ' +
      'how the city would pay for it. The vote will be held next month, after a second public hearing.';
    const dir = mkdtempSync(join(tmpdir(), 'calib-'));
    writeFileSync(join(dir, 'calib.txt'), text);
    const ref = cliJson(
      'model-prune',
      '--model',
      'brown-char',
      '--method',
      'wanda',
      '--sparsity',
      '0.5',
      '--eval-seqs',
      '32',
      '--calib-text',
      join(dir, 'calib.txt'),
    );

    const { page, consoleErrors } = await watchedPage(ctx.browser, ctx.site.url);
    // brown-char: the character model names characters it never saw (brown-word reads unknown words as <unk>).
    await page.goto(`${ctx.site.url}${ctx.path}?pruner.model=brown-char&pruner.methods=wanda&pruner.calibration=my%20text#pruner`);
    // No text yet: the empty text is refused in words.
    expect(await runWidget(page, TAG, 60_000)).toBe('error');
    expect(await page.locator(`${TAG} [role=alert]`).textContent()).toContain('the calibration text is empty');

    const box = page.locator(TAG).getByLabel('your calibration text (Brown models)');
    // A character the model never saw is named.
    await box.fill('The price was 5 € per pound, and the market closed early on the first day of the sale.');
    await page.keyboard.press('Tab');
    await expect.poll(() => page.locator(`${TAG} [role=alert]`).textContent(), { timeout: 30_000 }).toContain('“€”');
    expect(await page.locator(TAG).getAttribute('data-status')).toBe('error');

    // Too short for one window of 64 characters.
    await box.fill('Too short.');
    await page.keyboard.press('Tab');
    await expect.poll(() => page.locator(`${TAG} [role=alert]`).textContent(), { timeout: 30_000 }).toContain('too short');

    // Too long to keep in a link: refused before any run, the previous text is kept.
    await box.fill('a'.repeat(25_000));
    await page.keyboard.press('Tab');
    expect(await page.locator(`${TAG} .widget-notes`).textContent()).toContain('too long: 25,000 characters');
    expect(await box.getAttribute('aria-invalid')).toBe('true');

    await box.fill(text);
    await page.keyboard.press('Tab');
    await expect.poll(() => page.locator(TAG).getAttribute('data-status'), { timeout: 60_000 }).toBe('done');
    expect(await page.locator(TAG).textContent()).toContain('of the given text');
    const r = await pageResult(page);
    expectAgrees(r.runs[0], await ref, 'perplexity');
    expect(consoleErrors).toEqual([]);
    await page.context().close();
  });

  it('can be stopped mid-prune, and run again; stopping it leaves the other model widgets’ jobs in the shared worker alone', async () => {
    const { page } = await watchedPage(ctx.browser, ctx.site.url);
    // gd with 2000 iterations per head takes several seconds per head: time to stop it.
    await page.goto(`${ctx.site.url}${ctx.path}?pruner.methods=gd&pruner.iters=2000&pruner.sparsity=0.7&induction.methods=magnitude#pruner`);
    await page.locator(TAG).scrollIntoViewIfNeeded();
    await page.locator(TAG).getByRole('button', { name: 'Run', exact: true }).click();
    await expect.poll(() => page.locator(`${TAG} .widget-status`).textContent(), { timeout: 60_000 }).toMatch(/Pruning with gd/);
    // The induction widget's job queues behind the pruner's in the one model worker, and says so.
    const ind = page.locator('induction-heads');
    await ind.scrollIntoViewIfNeeded();
    await ind.getByRole('button', { name: 'Run', exact: true }).click();
    // (The worker reads the new job once the pruner's current head is done: a head of 2000 iterations runs in one piece.)
    await expect.poll(() => ind.locator('.widget-status').textContent(), { timeout: 60_000 }).toMatch(/Waiting for another widget’s job/);
    await page.locator(TAG).getByRole('button', { name: 'Stop' }).click();
    await expect.poll(() => page.locator(TAG).getAttribute('data-status')).toBe('idle');
    expect(await page.locator(`${TAG} .widget-status`).textContent()).toContain('Stopped');
    expect(await page.locator(TAG).getAttribute('aria-busy')).toBe('false');
    // The pruner's Stop cancelled its own job only: the induction job runs to the end.
    expect(await widgetStatus(page, 'induction-heads', 60_000)).toBe('done');
    await page.locator(TAG).getByLabel('iterations T (gd)').fill('50');
    await page.keyboard.press('Tab');
    expect(await widgetStatus(page, TAG, 60_000)).toBe('done');
    await page.context().close();
  });

  it('downloads a model once: the second visit takes the weights from Cache Storage', async () => {
    const { page } = await watchedPage(ctx.browser, ctx.site.url);
    const weights: string[] = [];
    page.context().on('request', (r) => {
      if (r.url().includes('weights.bin')) weights.push(r.url());
    });
    const url = `${ctx.site.url}${ctx.path}?pruner.model=induction&pruner.methods=magnitude#pruner`;
    await page.goto(url);
    expect(await runWidget(page, TAG, 60_000)).toBe('done');
    expect(weights).toHaveLength(1);
    expect(weights[0]).toMatch(/\/models\/induction\/weights\.bin\?v=[0-9a-f]{16}$/);
    await page.reload();
    // The second visit's idle line estimates from the costs this device measured on the first.
    await expect.poll(() => page.locator(`${TAG} .widget-status`).textContent()).toMatch(/Estimated time on this device: about [\d.]+ s/);
    expect(await runWidget(page, TAG, 60_000)).toBe('done');
    expect(weights).toHaveLength(1);
    await page.context().close();
  });
});
