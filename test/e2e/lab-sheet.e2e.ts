/**
 * The teaching kit in the built site (issue 20): the 90-minute lab sheet prints, its links
 * open their widgets with every setting the link carries, and its real-model task is
 * checked by the page with the precomputed sweep's numbers; every Check is logged in the
 * browser and downloads as one JSON or CSV file; an embed iframe, pasted with the
 * chapter's snippet into a parent page, grows with its widget (no scroll bar inside it).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { watchedPage, widgetStatus } from './browser.ts';
import { siteSession } from './siteSession.ts';
import { DIST } from './pages.ts';
import { LAB_BLOCKS, LAB_HEADS, labConvergenceLink, labHeadToHeadLink, labSweepLink } from '../../src/teaching/labSheet.ts';
import { MODEL_TASK, modelTaskAnswer, type SweepFileLike } from '../../src/teaching/modelTask.ts';
import { MAX_READER_ETA } from '../../src/teaching/presets.ts';
import { EMBED_HEIGHT_MESSAGE } from '../../src/site/embedHeight.ts';

const kit = siteSession();

// The answer computed in Node from the file the page fetches (the page must agree with it).
const answer = modelTaskAnswer(JSON.parse(readFileSync(`${DIST}data/page-sweeps.json`, 'utf8')) as SweepFileLike);

async function checkModelTask(page: Page, pick: string): Promise<string | null> {
  const root = page.locator('exercise-model');
  await root.locator(`input[name="method"][value="${pick}"]`).check();
  await root.getByRole('button', { name: 'Check' }).click();
  await expect.poll(async () => root.getAttribute('data-verdict'), { timeout: 30_000 }).not.toBeNull();
  return root.getAttribute('data-verdict');
}

describe('lab sheet', () => {
  it('has the timetable and four tasks, checks the real-model task with the sweep’s numbers, exports the answers, and prints', async () => {
    const { page, consoleErrors, offOrigin } = await watchedPage(kit.browser, kit.site.url);
    await page.goto(`${kit.site.url}/lab/`);
    expect(await page.locator('h1').textContent()).toMatch(/90-minute lab/);
    expect(await page.locator('.timetable tbody tr').count()).toBe(LAB_BLOCKS.length);
    expect(await page.locator('.lab-task h2').count()).toBe(5);
    const urls = await page.locator('[data-absolute-href]').allTextContents();
    for (const u of urls) expect(u.startsWith(`${kit.site.url}/`), u).toBe(true);
    for (const link of [labHeadToHeadLink(LAB_HEADS[0]), labConvergenceLink(MAX_READER_ETA, 'armijo'), labSweepLink()]) {
      expect(urls).toContain(`${kit.site.url}${link}`);
    }

    // The real-model task: a wrong pick, then the right one, judged on the file's numbers.
    expect(await widgetStatus(page, 'exercise-model')).toBe('done');
    const wrong = [...answer.ranking.map((r) => r.method), 'none'].find((m) => !answer.right.includes(m))!;
    expect(await checkModelTask(page, wrong)).toBe('wrong');
    expect(await checkModelTask(page, answer.right[0])).toBe('right');
    const shown = (await page.locator('exercise-model .exercise-explanation').textContent()) ?? '';
    for (const r of answer.ranking) expect(shown).toContain(r.label);
    expect(shown).toContain(`${(100 * answer.ranking[0].accuracy).toFixed(1)}\u00a0%`);
    expect(shown).toContain(answer.command);

    // Both checks are in the log, and download as one file.
    const panel = page.locator('#lab-answers');
    await expect.poll(async () => panel.locator('[data-answer-count]').textContent()).toBe('2 checked answers stored in this browser.');
    const [csvDownload] = await Promise.all([page.waitForEvent('download'), panel.getByRole('button', { name: 'Download answers (CSV)' }).click()]);
    expect(csvDownload.suggestedFilename()).toMatch(/^pruning-attention-answers-\d{4}-\d\d-\d\d\.csv$/);
    const csv = readFileSync((await csvDownload.path())!, 'utf8').split('\r\n');
    expect(csv[0]).toBe('"exercise","answer","checked result","time"');
    expect(csv[1]).toMatch(new RegExp(`^"Exercise: keep the copying accuracy","method=${wrong}","wrong: Not quite`));
    expect(csv[2]).toMatch(new RegExp(`^"Exercise: keep the copying accuracy","method=${answer.right[0]}","right: Right`));
    const [jsonDownload] = await Promise.all([page.waitForEvent('download'), panel.getByRole('button', { name: 'Download answers (JSON)' }).click()]);
    const json = JSON.parse(readFileSync((await jsonDownload.path())!, 'utf8'));
    expect(json.answers).toHaveLength(2);
    expect(Date.parse(json.answers[1].time)).toBeGreaterThan(Date.parse(json.answers[0].time) - 1);

    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('.site-header').isVisible()).toBe(false);
    expect(await page.locator('exercise-model').isVisible()).toBe(false);
    expect(await panel.isVisible()).toBe(false);
    for (const format of ['A4', 'Letter'] as const) {
      const pdf = (await page.pdf({ format, printBackground: false })).toString('latin1');
      const pages = pdf.match(/\/Type\s*\/Page\b/g)?.length ?? 0;
      console.info(`lab sheet printed on ${format}: ${pages} pages`);
      expect(pages, format).toBeGreaterThanOrEqual(2);
      expect(pages, format).toBeLessThanOrEqual(4);
    }
    expect(consoleErrors).toEqual([]);
    expect(offOrigin).toEqual([]);
    await page.context().close();
  });

  it('each link opens its widget with exactly the settings it carries', async () => {
    const links: [string, string][] = [
      [labHeadToHeadLink(LAB_HEADS[1]), 'head-to-head'],
      [labConvergenceLink(MAX_READER_ETA, 'armijo'), 'convergence-lab'],
      [labSweepLink(), 'model-sweep'],
    ];
    for (const [link, tag] of links) {
      const { page, consoleErrors } = await watchedPage(kit.browser, kit.site.url);
      await page.goto(`${kit.site.url}${link}`);
      expect(await widgetStatus(page, tag, 60_000), link).toBe('done');
      const state = await page.locator(tag).evaluate((el) => (el as unknown as { state: Record<string, unknown> }).state);
      const params = new URL(link, kit.site.url).searchParams;
      const prefix = [...params.keys()][0].split('.')[0];
      // Every field of the widget's state is in the link, with the value the widget took.
      expect(Object.keys(state).sort(), link).toEqual([...params.keys()].map((k) => k.slice(prefix.length + 1)).sort());
      for (const [k, v] of Object.entries(state)) {
        const raw = params.get(`${prefix}.${k}`);
        expect(typeof v === 'boolean' ? (v ? '1' : '0') : String(v), `${link}: ${k}`).toBe(raw);
      }
      expect(
        await page
          .locator(`${tag} .widget-notes`)
          .textContent()
          .catch(() => ''),
      ).not.toMatch(/Ignored/);
      expect(consoleErrors).toEqual([]);
      await page.context().close();
    }
    expect(MODEL_TASK.model).toBe('induction');
  });
});

describe('embeds size themselves', () => {
  it('the chapter’s snippet in a parent page: the iframe follows the widget as it grows, with no scroll bar inside', async () => {
    const { page } = await watchedPage(kit.browser, kit.site.url);
    await page.goto(`${kit.site.url}/chapters/for-teachers/`);
    const code = (await page.locator('#embed-code-exercise-gradient').textContent()) ?? '';
    expect(code).toContain(`e.origin !== "${kit.site.url}"`);
    expect(code).toContain(EMBED_HEIGHT_MESSAGE);
    await page.context().close();

    const host = await kit.browser.newPage({ viewport: { width: 1280, height: 900 } });
    const hostErrors: string[] = [];
    host.on('pageerror', (e) => hostErrors.push(e.message));
    await host.setContent(`<!doctype html><html lang="en"><title>Course page</title><body><h1>Week 3</h1>${code}<p>After the widget.</p></body></html>`);
    const iframe = host.locator('iframe');
    const frame = host.frameLocator('iframe');
    await expect
      .poll(
        async () =>
          frame
            .locator('exercise-gradient')
            .getAttribute('data-status')
            .catch(() => null),
        { timeout: 30_000 },
      )
      .toBe('done');

    /** The frame's box height in the parent, and its document's own height and viewport. */
    const sizes = async () => {
      const box = (await iframe.boundingBox())?.height ?? 0;
      const inner = await frame.locator('html').evaluate(() => ({
        doc: Math.ceil(document.documentElement.getBoundingClientRect().height),
        scroll: document.documentElement.scrollHeight,
        view: window.innerHeight,
      }));
      return { box: Math.round(box), ...inner };
    };
    const fits = async () => {
      const s = await sizes();
      return Math.abs(s.box - s.doc) <= 1 && s.scroll <= s.view + 1;
    };
    await expect.poll(fits, { timeout: 10_000 }).toBe(true);
    const before = await sizes();

    // A wrong answer: the verdict and its explanation make the widget taller.
    const inputs = frame.locator('exercise-gradient .exercise-matrix-inputs input');
    for (let i = 0; i < (await inputs.count()); i++) await inputs.nth(i).fill('0.5');
    await frame.locator('exercise-gradient').getByRole('button', { name: 'Check' }).click();
    await expect.poll(async () => frame.locator('exercise-gradient').getAttribute('data-verdict'), { timeout: 30_000 }).toBe('wrong');
    await expect.poll(fits, { timeout: 10_000 }).toBe(true);
    const after = await sizes();
    console.info(`embedded exercise: iframe ${before.box} px before the check, ${after.box} px after`);
    expect(after.box).toBeGreaterThan(before.box + 20);

    // A message in the right shape from another origin (the parent itself) is ignored.
    await host.evaluate((type) => window.postMessage({ type, widget: 'x', height: 40 }, '*'), EMBED_HEIGHT_MESSAGE);
    await host.waitForTimeout(200);
    expect((await sizes()).box).toBe(after.box);
    expect(hostErrors).toEqual([]);
    await host.close();
  });
});
