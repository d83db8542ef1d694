/**
 * "Your own model" in the built site (issue 18 item 5): a fixture GPT-2 given to the file
 * input (playwright setInputFiles), layer 0 pruned with magnitude on the page's pool of
 * workers, against `cli -- model-prune --checkpoint` on the same files and texts (dense and
 * pruned cross-entropy, every head's attention error: the page runs the forward passes in
 * TensorFlow.js float32 in the browser, the CLI in Node, so to 1e-4 relative as the model
 * pruner's test); the downloaded checkpoint read back by `cli -- eval --checkpoint` with the
 * page's pruned cross-entropy; bad files explained in words, never a blank.
 */
import { describe, expect, it } from 'vitest';
import AxeBuilder from '@axe-core/playwright';
import { copyFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runWidget, watchedPage } from './browser.ts';
import { siteSession } from './siteSession.ts';
import { ROOT, cliJson } from '../helpers/cli.ts';
import { rawSafetensors } from '../helpers/gpt2Files.ts';

const TAG = 'own-model';
const FIX = `${ROOT}test/fixtures/gpt2/`;
const MODEL = `${FIX}tiny-f32.safetensors`;
const CONFIG = `${FIX}config.json`;
/** Scored text: the fixture's short sample (pasted into the page), so that the test stays short. */
const SAMPLE = `${FIX}sample.txt`;
const CALIB = `${ROOT}public/data/gpt2-calibration.txt`;

const ctx = siteSession(TAG);

const relative = (a: number, b: number): number => Math.abs(a - b) / Math.abs(b);

describe('your own model', () => {
  it('prunes layer 0 of a fixture GPT-2 given to the file input as cli model-prune --checkpoint does, and the download evaluates to the pruned cross-entropy', async () => {
    const ref = cliJson(
      'model-prune',
      ...['--checkpoint', MODEL, '--config', CONFIG, '--method', 'magnitude', '--sparsity', '0.5', '--layers', '0'],
      ...['--calib-text', CALIB, '--eval-text', SAMPLE],
    );
    const { page, consoleErrors, offOrigin } = await watchedPage(ctx.browser, ctx.site.url);
    await page.goto(`${ctx.site.url}${ctx.path}?own.methods=magnitude&own.layers=0&own.evaluation=my+text&own.tokens=4#own`);
    const root = page.locator(TAG);
    await root.scrollIntoViewIfNeeded();
    await root.locator('#own-myText').fill(readFileSync(SAMPLE, 'utf8'));
    await root.locator('#own-file').setInputFiles(MODEL);
    await root.locator('#own-config').setInputFiles(CONFIG);
    // The header's summary before anything runs, and an estimate or the words saying there is none yet.
    await expect.poll(() => root.locator('.own-summary').textContent()).toMatch(/Layers\s*2[\s\S]*Heads per layer\s*4 \(from config\.json\)/);
    expect(await root.locator('.widget-status').textContent()).toMatch(/Press Run to prune 4 heads with 1 run \(magnitude\)/);
    expect(await root.locator('.own-privacy').textContent()).toMatch(/never leaves this device/);

    expect(await runWidget(page, TAG, 60_000)).toBe('done');
    const r = JSON.parse((await root.getAttribute('data-result')) ?? 'null');
    const cli = await ref;
    expect(r.dense.tokens).toBe(cli.evaluation.tokens);
    expect(relative(r.dense.cross_entropy, cli.dense.cross_entropy)).toBeLessThanOrEqual(1e-4);
    expect(r.runs).toHaveLength(1);
    expect(relative(r.runs[0].crossEntropy, cli.pruned.cross_entropy)).toBeLessThanOrEqual(1e-4);
    expect(r.runs[0].headErrors).toHaveLength(cli.heads.length);
    r.runs[0].headErrors.forEach((e: number, i: number) => expect(Math.abs(e - cli.heads[i].attention_error), `head ${i}`).toBeLessThanOrEqual(1e-4));
    expect(r.runs[0].agreement).toBeGreaterThan(0);
    // The times bench:gpt2:page reads: calibration and the dense perplexity in the worker, each run's pruning.
    expect(r.prepareMs.calibration).toBeGreaterThan(0);
    expect(r.prepareMs.dense).toBeGreaterThan(0);
    expect(r.runs[0].pruneMs).toBeGreaterThan(0);
    expect(r.runs[0].pruneMs).toBeLessThanOrEqual(r.timeMs.prune);
    expect(await root.locator('.own-texts dd').count()).toBe(2);
    // The results drawn (tables, maps, texts, download buttons) pass axe too, not only the idle widget site.e2e sees.
    const axe = await new AxeBuilder({ page }).include(TAG).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
    expect(axe.violations.map((v) => `${v.id}: ${v.help} (${v.nodes[0]?.target.join(' ')})`)).toEqual([]);

    const [download] = await Promise.all([page.waitForEvent('download'), root.locator('.own-download').first().click()]);
    const saved = join(mkdtempSync(join(tmpdir(), 'own-model-')), 'pruned.safetensors');
    copyFileSync((await download.path())!, saved);
    const reread = await cliJson('eval', '--checkpoint', saved, '--config', CONFIG, '--text', SAMPLE);
    expect(relative(reread.cross_entropy, r.runs[0].crossEntropy)).toBeLessThanOrEqual(1e-4);
    expect(reread.cross_entropy).not.toBe(cli.dense.cross_entropy);

    // A changed setting reruns; Stop ends it at once (every worker of the pool), in words.
    await root.locator('input[name=methods][value=gd]').check();
    await page.waitForFunction((tag) => document.querySelector(tag)?.getAttribute('data-status') === 'running', TAG);
    await root.locator('.widget-actions').getByRole('button', { name: 'Stop', exact: true }).click();
    expect(await root.getAttribute('data-status')).toBe('idle');
    expect(await root.getAttribute('aria-busy')).toBe('false');
    expect(await root.locator('.widget-status').textContent()).toMatch(/^Stopped\./);

    // Bad files: words in the file box and the status, never a blank.
    const bad = async (name: string, bytes: Uint8Array, words: RegExp): Promise<void> => {
      await root.locator('#own-file').setInputFiles({ name, mimeType: 'application/octet-stream', buffer: Buffer.from(bytes) });
      await expect.poll(() => root.locator('.own-file-error').textContent()).toMatch(words);
      expect(await root.getAttribute('data-status')).toBe('error');
      expect(await root.locator('.widget-status').textContent()).toMatch(/The file cannot be used: \S+/);
    };
    await bad('truncated.safetensors', Uint8Array.of(1, 2, 3), /“truncated\.safetensors” cannot be used: the file is truncated/);
    const overlapping = { a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] } };
    await bad('overlap.safetensors', rawSafetensors(overlapping, new Uint8Array(12)), /cannot be used: tensors "a" \[0, 8\) and "b" \[4, 12\) overlap/);
    await bad('header.safetensors', rawSafetensors('{"a": '), /cannot be used: .*JSON/);
    await bad(
      'other.safetensors',
      rawSafetensors({ 'model.embed.weight': { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, new Uint8Array(4)),
      /not a GPT-2/,
    );
    // Without config.json, a width that is not standard: the number of heads is asked for.
    await root.locator('#own-config').setInputFiles([]);
    await root.locator('#own-file').setInputFiles(MODEL);
    await expect.poll(() => root.locator('.own-file-error').textContent()).toMatch(/number of heads cannot be read .* enter the number of heads in the field/);
    expect(consoleErrors).toEqual([]);
    expect(offOrigin).toEqual([]);
    await page.context().close();
  });
});
