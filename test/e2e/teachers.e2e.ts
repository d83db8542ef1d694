/**
 * The "For teachers" chapter in the built site: each exercise accepts the answer the
 * project's core computes here in Node and rejects a wrong one, bad input is explained,
 * the handout renders and prints, and an embedded widget (on its own page and inside an
 * <iframe>) finishes with its URL state applied.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Locator, Page } from 'playwright-core';
import { serveDist, type SiteServer } from './server.ts';
import { launch, watchedPage, widgetStatus } from './browser.ts';
import { WINNER_PRESETS, GRADIENT_PROBLEMS, DIVERGENCE_PRESET, divergenceSpec, winnerSpec } from '../../src/teaching/presets.ts';
import { syntheticProblem } from '../../src/core/synthetic.ts';
import { solve } from '../../src/core/solve.ts';
import { PAPER_METHOD_IDS } from '../../src/core/methods.ts';
import { DivergenceError, GD_PAPER_FORM, GradientDescent } from '../../src/core/gd.ts';
import { AttentionObjective } from '../../src/core/objective.ts';
import { fromNested } from '../../src/core/matrix.ts';
import { createObjective } from '../../src/core/objectiveFactory.ts';

const CHAPTER = '/chapters/for-teachers/';
let site: SiteServer;
let browser: Browser;

beforeAll(async () => {
  site = await serveDist();
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
  await site?.close();
});

/** Press Check (or Enter in a field of the form) and wait for a verdict or an input error. */
async function check(root: Locator, enterIn?: Locator): Promise<{ status: string; verdict: string | null; text: string }> {
  if (enterIn) await enterIn.press('Enter');
  else await root.getByRole('button', { name: 'Check' }).click();
  await expect
    .poll(
      async () => {
        const status = await root.getAttribute('data-status');
        return status === 'error' || (status === 'done' && (await root.getAttribute('data-verdict')) !== null);
      },
      { timeout: 90_000, interval: 100 },
    )
    .toBe(true);
  return {
    status: (await root.getAttribute('data-status')) ?? '',
    verdict: await root.getAttribute('data-verdict'),
    text: (await root.textContent()) ?? '',
  };
}

async function openChapter(query = ''): Promise<{ page: Page; consoleErrors: string[] }> {
  const w = await watchedPage(browser, site.url);
  await w.page.goto(`${site.url}${CHAPTER}${query}`);
  return w;
}

describe('exercise (a): predict the winner', () => {
  it('accepts the method the core finds best and rejects another, on every problem', async () => {
    const { page, consoleErrors } = await openChapter();
    const root = page.locator('exercise-winner');
    expect(await widgetStatus(page, 'exercise-winner')).toBe('done');
    for (const preset of WINNER_PRESETS) {
      const problem = syntheticProblem(winnerSpec(preset));
      const errors = PAPER_METHOD_IDS.map((method) => ({
        method,
        error: solve(problem, method, { sparsity: preset.sparsity, granularity: { kind: 'unstructured' }, gd: { ...GD_PAPER_FORM } }).metrics.attentionError,
      })).sort((a, b) => a.error - b.error);
      await root.getByLabel('Problem', { exact: true }).selectOption(preset.id);
      await root.locator(`input[name="method"][value="${errors[0].method}"]`).check();
      const right = await check(root);
      expect(right.verdict, `problem ${preset.id}`).toBe('right');
      expect(await root.locator('.exercise-verdict').textContent()).toMatch(/^Right/);
      await root.locator(`input[name="method"][value="${errors[3].method}"]`).check();
      const wrong = await check(root);
      expect(wrong.verdict).toBe('wrong');
      expect(await root.locator('.exercise-verdict').textContent()).toMatch(/^Not quite: .* comes fourth of 4/);
    }
    expect(await page.evaluate(() => location.search)).toContain(`ex-winner.problem=${WINNER_PRESETS.at(-1)!.id}`);
    expect(consoleErrors).toEqual([]);
    await page.context().close();
  });

  it('without a pick it explains what to do; a link opens the chosen problem', async () => {
    const { page } = await openChapter(`?ex-winner.problem=${WINNER_PRESETS[2].id}`);
    const root = page.locator('exercise-winner');
    await widgetStatus(page, 'exercise-winner');
    expect(await root.getByLabel('Problem', { exact: true }).inputValue()).toBe(WINNER_PRESETS[2].id);
    const r = await check(root);
    expect(r.status).toBe('error');
    expect(r.verdict).toBeNull();
    expect(await root.locator('[role=alert]').textContent()).toMatch(/Pick one of the four methods/);
    // The preset link opens the head-to-head widget on the same head.
    await root.getByRole('link', { name: 'open it in the head-to-head widget' }).click();
    await page.waitForURL(/\/chapters\/head-to-head\//);
    const h2h = page.locator('head-to-head');
    expect(await h2h.getByLabel('seed', { exact: true }).inputValue()).toBe(String(WINNER_PRESETS[2].seed));
    expect(await h2h.getByLabel('sparsity p').inputValue()).toBe(String(WINNER_PRESETS[2].sparsity));
    await page.context().close();
  });
});

describe('exercise (b): a 2×2 gradient by hand', () => {
  /** The core's closed-form gradient, rounded as a student would write it. */
  function answer(id: string): string[] {
    const p = GRADIENT_PROBLEMS.find((x) => x.id === id)!;
    const g = new Float64Array(4);
    new AttentionObjective(fromNested(p.X), fromNested(p.W), { lambda: p.lambda }).evaluate(fromNested(p.M).data, g);
    return Array.from(g, (x) => x.toFixed(4));
  }
  const fields = ['entry (1, 1)', 'entry (1, 2)', 'entry (2, 1)', 'entry (2, 2)'];

  async function fill(root: Locator, values: string[]): Promise<void> {
    for (const [i, label] of fields.entries()) await root.getByLabel(label, { exact: true }).fill(values[i]);
  }

  it('accepts the core gradient, names a wrong entry, explains bad input', async () => {
    const { page, consoleErrors } = await openChapter();
    const root = page.locator('exercise-gradient');
    expect(await widgetStatus(page, 'exercise-gradient')).toBe('done');
    const right = answer(GRADIENT_PROBLEMS[0].id);
    // A typographic minus is read as a minus.
    await fill(
      root,
      right.map((v) => v.replace('-', '−')),
    );
    // From the keyboard: Enter in the last field checks.
    expect((await check(root, root.getByLabel(fields[3], { exact: true }))).verdict).toBe('right');

    const wrong = right.slice();
    wrong[1] = (Number(wrong[1]) + 0.05).toFixed(4);
    await fill(root, wrong);
    const w = await check(root);
    expect(w.verdict).toBe('wrong');
    expect(await root.locator('.exercise-verdict').textContent()).toBe('Not quite: entry (1, 2) is off by more than 0.001.');
    expect(await root.locator('.exercise-explanation').textContent()).toMatch(/Entry \(1, 2\): too large/);

    await fill(root, ['abc', '', right[2], right[3]]);
    const bad = await check(root);
    expect(bad.status).toBe('error');
    expect(bad.verdict).toBeNull();
    const alert = await root.locator('[role=alert]').textContent();
    expect(alert).toMatch(/Entry \(1, 1\) "abc" is not a number/);
    expect(alert).toMatch(/Entry \(1, 2\) is empty/);
    expect(await root.getByLabel('entry (1, 1)', { exact: true }).getAttribute('aria-invalid')).toBe('true');
    expect(consoleErrors).toEqual([]);
    await page.context().close();
  });

  it('the second problem: its statement and solution replace the first, and its answer is accepted', async () => {
    const { page } = await openChapter();
    const root = page.locator('exercise-gradient');
    await widgetStatus(page, 'exercise-gradient');
    const second = GRADIENT_PROBLEMS[1].id;
    await root.getByLabel('Problem', { exact: true }).selectOption(second);
    expect(await root.locator(`.exercise-statement[data-variant="${second}"]`).isVisible()).toBe(true);
    expect(await root.locator(`.exercise-statement[data-variant="${GRADIENT_PROBLEMS[0].id}"]`).isVisible()).toBe(false);
    // The worked solution is closed until asked for, and ends in the gradient.
    const solution = root.locator(`details.exercise-solution[data-variant="${second}"]`);
    expect(await solution.getAttribute('open')).toBeNull();
    await solution.locator('summary').click();
    expect(await solution.locator('.katex').count()).toBeGreaterThan(5);
    await fill(root, answer(second));
    expect((await check(root)).verdict).toBe('right');
    expect(await page.evaluate(() => location.search)).toContain(`ex-gradient.problem=${second}`);
    await page.context().close();
  });
});

describe('exercise (c): find a diverging step', () => {
  const problem = syntheticProblem(divergenceSpec());
  const gdOptions = { lambda: DIVERGENCE_PRESET.lambda, iters: DIVERGENCE_PRESET.iters };
  /**
   * The iteration at which the core's gradient descent diverges with step η, or
   * undefined, with each float64 kernel. Once the iterates oscillate, the last bits of
   * the arithmetic decide how a run ends, so the test only uses steps on which the two
   * kernels agree (and so, presumably, does the browser).
   */
  function outcomes(eta: number): (number | undefined)[] {
    return (['js-f64', 'wasm-simd-f64'] as const).map((kernel) => {
      try {
        new GradientDescent(problem, { ...gdOptions, eta, step: 'fixed' }, createObjective(problem, gdOptions.lambda, kernel)).advance();
        return undefined;
      } catch (e) {
        if (e instanceof DivergenceError) return e.iteration;
        throw e;
      }
    });
  }
  function divergesAt(eta: number): number | undefined {
    const [js, wasm] = outcomes(eta);
    expect(js, `the kernels disagree at eta = ${eta}`).toBe(wasm);
    return js;
  }

  it('accepts a step the core sees diverge, rejects one it sees converge, and reports the threshold', async () => {
    // Four times the first doubling of the default step that diverges: well inside the
    // range where every step diverges, not at its ragged edge.
    let first = GD_PAPER_FORM.eta;
    while (outcomes(first).some((o) => o === undefined)) first *= 2;
    const diverging = 4 * first;
    expect(divergesAt(diverging)).toBeDefined();
    const converging = GD_PAPER_FORM.eta;
    expect(divergesAt(converging)).toBeUndefined();

    const { page, consoleErrors } = await openChapter();
    const root = page.locator('exercise-divergence');
    expect(await widgetStatus(page, 'exercise-divergence')).toBe('done');
    const eta = root.getByLabel('step η');
    await eta.fill(String(diverging));
    const started = Date.now();
    const right = await check(root);
    const seconds = (Date.now() - started) / 1000;
    expect(right.verdict).toBe('right');
    expect(await root.locator('.exercise-verdict').textContent()).toContain(`diverged at iteration ${divergesAt(diverging)}`);
    const explanation = (await root.locator('.exercise-explanation').textContent()) ?? '';
    expect(explanation).toMatch(/first diverging step found is η\* ≈ [0-9.]+/);
    expect(explanation).toMatch(/1\/β = /);
    expect(explanation).toMatch(/2\/λ = 20/);
    console.info(`divergence check with the threshold search: ${seconds.toFixed(1)} s; ${/took (\d+) runs/.exec(explanation)?.[1]} runs`);

    await eta.fill(String(converging));
    const wrong = await check(root);
    expect(wrong.verdict).toBe('wrong');
    expect(await root.locator('.exercise-verdict').textContent()).toMatch(new RegExp(`^Not yet: .* all ${DIVERGENCE_PRESET.iters} iterations ran`));

    for (const bad of ['-1', 'fast', '', '1,5']) {
      await eta.fill(bad);
      const r = await check(root);
      expect(r.status).toBe('error');
      const alert = (await root.locator('[role=alert]').textContent()) ?? '';
      expect(alert).toMatch(/must be positive|is not a number|is empty|decimal comma: write the decimal mark as a point \(1\.5\)/);
      // The examples the messages suggest are steps the field accepts: positive (issue 20).
      expect(alert).not.toMatch(/-0\.125/);
    }
    expect(consoleErrors).toEqual([]);
    await page.context().close();
  });
});

describe('handout', () => {
  it('renders the three exercises with absolute addresses, and prints on A4 and Letter', async () => {
    const { page, consoleErrors } = await watchedPage(browser, site.url);
    await page.goto(`${site.url}/handout/`);
    expect(await page.locator('h1').count()).toBe(1);
    expect(await page.locator('section.handout-exercise h2').allTextContents()).toEqual([
      '(a) Predict the winner',
      '(b) A 2×2 gradient by hand',
      '(c) Find a diverging step',
    ]);
    expect(await page.locator('.handout-item').count()).toBe(WINNER_PRESETS.length + GRADIENT_PROBLEMS.length);
    const urls = await page.locator('[data-absolute-href]').allTextContents();
    expect(urls.length).toBeGreaterThanOrEqual(WINNER_PRESETS.length + 3);
    for (const u of urls) expect(u.startsWith(`${site.url}/`), u).toBe(true);
    expect(urls).toContain(`${site.url}${CHAPTER}`);
    expect(await page.locator('.katex').count()).toBeGreaterThan(5);

    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('.site-header').isVisible()).toBe(false);
    expect(await page.getByRole('button', { name: 'Print this handout' }).isVisible()).toBe(false);
    for (const format of ['A4', 'Letter'] as const) {
      const pdf = (await page.pdf({ format, printBackground: false })).toString('latin1');
      const pages = pdf.match(/\/Type\s*\/Page\b/g)?.length ?? 0;
      expect(pages, format).toBeGreaterThanOrEqual(3);
      expect(pages, format).toBeLessThanOrEqual(5);
    }
    expect(consoleErrors).toEqual([]);
    await page.context().close();
  });
});

describe('embedding', () => {
  it('an embed page shows the widget alone, applies its URL state and links back to the chapter', async () => {
    const { page, consoleErrors } = await watchedPage(browser, site.url);
    await page.goto(`${site.url}/embed/convergence-lab/?lab.seed=5&lab.d=8`);
    expect(await widgetStatus(page, 'convergence-lab')).toBe('done');
    expect(await page.getByLabel('seed', { exact: true }).inputValue()).toBe('5');
    expect(await page.getByLabel('width d').inputValue()).toBe('8');
    expect(await page.locator('.site-header').count()).toBe(0);
    expect(await page.locator('h1').textContent()).toBe('Convergence lab');
    expect(await page.locator('a[href="/chapters/algorithm-and-convergence/"]').count()).toBe(1);
    expect(consoleErrors).toEqual([]);
    await page.context().close();
  });

  it('the chapter’s <iframe> code and BibTeX carry the address the site is served from', async () => {
    const { page } = await openChapter();
    const code = (await page.locator('#embed-code-exercise-gradient').textContent()) ?? '';
    expect(code).toContain(`src="${site.url}/embed/exercise-gradient/"`);
    const bib = (await page.locator('#bibtex-site').textContent()) ?? '';
    expect(bib).toContain(`\\url{${site.url}/}`);
    expect(await page.locator('#bibtex-liang2025').textContent()).toContain('@inproceedings{liang2025,');

    // Pasted into a parent page, the code shows a widget that works and sizes its frame: lab-sheet.e2e.ts.
    await page.context().close();
  });
});
