/**
 * Hostile input in the built site (issue 12): links a stranger could send.
 * - Every widget survives malformed escapes and third-party flags in its page's query
 *   string (`?x=%ff`, a truncated `?<id>.sparsity=0.5%`, `?tfjsflags=DEBUG`, …): the
 *   element is defined, it finishes (data-status done) or explains why not, and nothing
 *   throws. TensorFlow.js no longer reads the page's address.
 * - Values from a link or pasted by the reader never become markup, and the command the
 *   generated-text widget shows runs, in a real POSIX shell, exactly the arguments shown.
 * - Inputs that used to fail late or silently now say so before any work.
 * - The site built under another address (SITE=https://example.org BASE=/course/pruning/)
 *   works there: every link, asset, model, worker and wasm request is answered under the
 *   base path, and the copied addresses carry the configured site.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { serveDist, type SiteServer } from './server.ts';
import { launch, watchedPage, type Watched } from './browser.ts';
import { DIST } from './pages.ts';

/** Each widget's embed page, its tag and URL prefix (its element id), and settings that keep its run short. */
interface EmbedWidget {
  slug: string;
  tag: string;
  prefix: string;
  quick: string;
}

const QUICK: Record<string, string> = {
  pruner: 'pruner.methods=magnitude',
  gen: 'gen.methods=magnitude&gen.chars=8',
  induction: 'induction.methods=magnitude',
  msweep: 'msweep.methods=magnitude',
  h2h: 'h2h.n=16&h2h.d=8',
  exhaustive: '',
  lab: 'lab.n=16&lab.d=8',
  linatt: 'linatt.samples=50',
};

function embedWidgets(root = DIST): EmbedWidget[] {
  return readdirSync(join(root, 'embed')).map((slug) => {
    const html = readFileSync(join(root, 'embed', slug, 'index.html'), 'utf8');
    const m = /<([a-z]+-[a-z-]+) id="([^"]+)" data-status=/.exec(html);
    if (!m) throw new Error(`embed/${slug}: no widget element with an id`);
    return { slug, tag: m[1], prefix: m[2], quick: QUICK[m[2]] ?? '' };
  });
}

/** Query strings a stranger's link may carry; `P` is the widget's prefix. */
const MALFORMED = [
  'x=%ff',
  'P.sparsity=0.5%',
  'tfjsflags=DEBUG',
  'tfjsflags=WEBGL_VERSION:1,DEBUG:true,IS_TEST',
  '%',
  'P.seed=%E0%A4%A&P.n=0x10&P.d=%20 8 ',
  'P.seed=%3Cimg%20src%3Dx%20onerror%3Dwindow.__pwned%3D1%3E&P.problem=%3Csvg%20onload%3Dwindow.__pwned%3D2%3E&%3Cb%3E=%3Cscript%3Ewindow.__pwned%3D3%3C/script%3E',
];

let site: SiteServer;
let browser: Browser;
const widgets = embedWidgets();

beforeAll(async () => {
  site = await serveDist();
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
  await site?.close();
});

/** Wait for the widget to be defined and to finish (done, or error with a message), and report what it shows. */
async function settle(page: Page, tag: string, timeout = 90_000): Promise<{ status: string; error: string; notes: string }> {
  await page.waitForFunction((t) => customElements.get(t) !== undefined, tag, { timeout: 15_000 });
  await page.locator(tag).scrollIntoViewIfNeeded();
  // A heavy widget waits for Run (its idle line says what a run costs): press it, as a reader would.
  const run = page.locator(tag).locator('.widget-actions').getByRole('button', { name: 'Run', exact: true });
  if (
    (await page.locator(tag).getAttribute('data-status')) === 'idle' &&
    /^Press Run\b/.test((await page.locator(`${tag} .widget-status`).textContent()) ?? '')
  )
    await run.click();
  await page.waitForFunction(
    (t) => {
      const s = document.querySelector(t)?.getAttribute('data-status');
      return s === 'done' || s === 'error';
    },
    tag,
    { timeout },
  );
  const root = page.locator(tag);
  return {
    status: (await root.getAttribute('data-status')) ?? '',
    error: ((await root.locator('.widget-error').allTextContents()) ?? []).join(' '),
    notes: ((await root.locator('.widget-notes').allTextContents()) ?? []).join(' '),
  };
}

/** No markup from a link ran or was inserted. */
async function expectNoInjectedMarkup(page: Page): Promise<void> {
  expect(await page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned)).toBeUndefined();
  expect(await page.locator('img[src="x"], svg[onload], [onerror]').count()).toBe(0);
}

function expectClean(w: Watched, what: string): void {
  expect(w.consoleErrors, what).toEqual([]);
  expect(w.offOrigin, what).toEqual([]);
}

describe('every widget survives a malformed query string', () => {
  it.each(widgets.map((w) => [w.slug, w] as const))(
    '%s',
    async (_slug, w) => {
      // One load per widget keeps the suite short: every malformed piece and the markup at once.
      for (const hostile of [MALFORMED.join('&')]) {
        const query = [hostile.replaceAll('P.', `${w.prefix}.`), w.quick].filter(Boolean).join('&');
        const watched = await watchedPage(browser, site.url);
        const warnings: string[] = [];
        watched.page.on('console', (m) => {
          if (m.type() === 'warning' && /feature override from URL|tfjsflags/i.test(m.text())) warnings.push(m.text());
        });
        const { page } = watched;
        await page.goto(`${site.url}/embed/${w.slug}/?${query}`);
        const what = `${w.slug} ?${query}`;
        const r = await settle(page, w.tag);
        // Done, or stopped with a message in words; never a bug report.
        if (r.status === 'error') expect(r.error, what).toMatch(/\w/);
        else expect(r.status, what).toBe('done');
        expect(`${r.error} ${r.notes}`, what).not.toMatch(/Something went wrong|NaN|undefined|URI malformed|Cannot evaluate flag/);
        // A value of this widget's own that was garbled is named in a note.
        if (hostile.includes('P.sparsity=0.5%') && (await page.locator(`#${w.prefix}-sparsity`).count()) > 0)
          expect(r.notes, what).toMatch(/Ignored sparsity p = "0\.5%"/);
        if (hostile.includes('P.n=0x10') && (await page.locator(`#${w.prefix}-n`).count()) > 0) expect(r.notes, what).toMatch(/"0x10".*only decimal/);
        await expectNoInjectedMarkup(page);
        expect(warnings, what).toEqual([]);
        expectClean(watched, what);
        await page.context().close();
      }
    },
    600_000,
  );
});

describe('values from a link stay text', () => {
  it('a prompt of markup in the generated-text link is named as unknown characters, as text', async () => {
    const w = await watchedPage(browser, site.url);
    const prompt = '<img src=x onerror=window.__pwned=1>';
    await w.page.goto(`${site.url}/embed/generated-text/?gen.model=brown-char&gen.prompt=${encodeURIComponent(prompt)}&gen.methods=magnitude`);
    const r = await settle(w.page, 'generated-text');
    expect(r.status).toBe('error');
    expect(r.error).toMatch(/"<" \(U\+003C\)/);
    await expectNoInjectedMarkup(w.page);
    expect(await w.page.getByLabel('prompt', { exact: true }).inputValue()).toBe(prompt);
    expectClean(w, 'generated-text markup prompt');
    await w.page.context().close();
  });

  it('markup in the pruner’s prompt, pasted text and other fields stays text', async () => {
    const w = await watchedPage(browser, site.url);
    const markup = '<img src=x onerror=window.__pwned=1>';
    await w.page.goto(
      `${site.url}/embed/model-pruner/?pruner.calibration=my%20text&pruner.calibText=${encodeURIComponent(`${markup} ${'The jury said it did find that the city was well run. '.repeat(3)}`)}&pruner.mode=${encodeURIComponent(markup)}&pruner.model=brown-char&pruner.methods=magnitude`,
    );
    // brown-char names the characters it never saw (brown-word would read the markup's words as <unk>).
    const r = await settle(w.page, 'model-pruner');
    expect(r.notes).toContain('Ignored mask on = "<img src=x onerror=windo…"');
    expect(r.status).toBe('error');
    expect(r.error).toMatch(/</);
    expect(r.error).not.toMatch(/Something went wrong/);
    await expectNoInjectedMarkup(w.page);
    expectClean(w, 'pruner markup');
    await w.page.context().close();
  });
});

describe('the command the generated-text widget shows', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hostile-shell-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** Run a shown command in /bin/sh with `npm` replaced by a function that prints its arguments. */
  function argvOf(command: string): string[] {
    const out = execFileSync('/bin/sh', ['-c', `npm() { printf '%s\\0' "$@"; }\n${command}`], { cwd: dir, encoding: 'utf8' });
    return out.split('\0').slice(0, -1);
  }

  // Characters of the model's alphabet, so the prompt runs: $( ), quotes, ;, &, |-free newline.
  const PROMPTS = ['$(touch pwned)', `"; touch pwned; echo "`, `'; touch pwned; echo '`, "it's $HOME & {x}; (y)\ntouch pwned", '!!'];

  it.each(PROMPTS)('prompt %j: the shell receives it as one argument and runs nothing else', async (prompt) => {
    const w = await watchedPage(browser, site.url);
    await w.page.goto(
      `${site.url}/embed/generated-text/?gen.model=brown-char&gen.prompt=${encodeURIComponent(prompt)}&gen.methods=magnitude&gen.chars=5&gen.decoding=sample&gen.seed=3`,
    );
    const r = await settle(w.page, 'generated-text');
    expect(r.status, r.error).toBe('done');
    const codes = await w.page.locator('generated-text .gen-command code').allTextContents();
    expect(codes).toHaveLength(3);
    const [generate, prune] = codes;
    expect(argvOf(generate)).toEqual([
      'run',
      '--silent',
      'cli',
      '--',
      'generate',
      '--model',
      'brown-char',
      '--prompt',
      prompt,
      '--tokens',
      '5',
      '--seed',
      '3',
      '--temperature',
      '0.8',
    ]);
    expect(argvOf(prune)).toEqual([
      'run',
      '--silent',
      'cli',
      '--',
      'model-prune',
      '--model',
      'brown-char',
      '--method',
      'M',
      '--sparsity',
      '0.5',
      '--mode',
      'merged',
      '--out',
      'R.json',
    ]);
    expect(existsSync(join(dir, 'pwned'))).toBe(false);
    // The prompt is shown as text in the cards too.
    expect(await w.page.locator('generated-text .gen-dense .gen-prompt').textContent()).toBe(prompt);
    expectClean(w, `prompt ${prompt}`);
    await w.page.context().close();
  });
});

describe('inputs that failed late or silently', () => {
  it('the pruner refuses an empty prompt before pruning anything', async () => {
    const w = await watchedPage(browser, site.url);
    const t0 = Date.now();
    await w.page.goto(`${site.url}/embed/model-pruner/?pruner.prompt=`);
    const r = await settle(w.page, 'model-pruner', 20_000);
    expect(r.status).toBe('error');
    expect(r.error).toMatch(/These settings cannot run: the prompt for the attention pattern must have at least 2 characters/);
    expect(Date.now() - t0).toBeLessThan(15_000);
    expectClean(w, 'empty prompt');
    await w.page.context().close();
  });

  it('the pruner refuses unknown characters in its prompt before pruning anything, naming them', async () => {
    const w = await watchedPage(browser, site.url);
    await w.page.goto(`${site.url}/embed/model-pruner/?pruner.model=brown-char&pruner.prompt=${encodeURIComponent('café 🙂 <b>')}`);
    const r = await settle(w.page, 'model-pruner', 20_000);
    expect(r.status).toBe('error');
    expect(r.error).toMatch(/"é" \(U\+00E9\)/);
    expect(r.error).toMatch(/"<" \(U\+003C\)/);
    await w.page.context().close();
  });

  it('linear vs attention with nothing pruned says so, with no NaN', async () => {
    const w = await watchedPage(browser, site.url);
    await w.page.goto(`${site.url}/embed/linear-vs-attention/?linatt.d=4&linatt.sparsity=0.05`);
    const r = await settle(w.page, 'linear-vs-attention');
    expect(r.status).toBe('error');
    expect(r.error).toMatch(/no weight of the 16 is pruned.*raise the sparsity to at least 0\.0625/);
    expect(await w.page.locator('linear-vs-attention').textContent()).not.toMatch(/NaN/);
    expectClean(w, 'linatt nothing pruned');
    await w.page.context().close();
  });

  it.each([
    ['exercise-winner', 'ex-winner', 'Z'],
    ['exercise-gradient', 'ex-gradient', '%3Cb%3E'],
  ])('%s names a bad problem from the link', async (slug, prefix, value) => {
    const w = await watchedPage(browser, site.url);
    await w.page.goto(`${site.url}/embed/${slug}/?${prefix}.problem=${value}`);
    const r = await settle(w.page, slug);
    expect(r.status).toBe('done');
    expect(r.notes).toMatch(new RegExp(`Ignored Problem = "${decodeURIComponent(value)}" from the link \\(expected one of .*\\); using the default`));
    await expectNoInjectedMarkup(w.page);
    expectClean(w, slug);
    await w.page.context().close();
  });

  it('head to head on extreme in-range values (fixed η = 1000) says it diverged, points to Armijo steps, and logs no unhandled rejection', async () => {
    // The sweep (second worker) diverges while the comparison still runs: its rejection must be handled.
    const query = 'h2h.n=16&h2h.d=8&h2h.scale=10&h2h.step=fixed&h2h.eta=1000&h2h.iters=5000';
    for (const path of ['/embed/head-to-head/', '/chapters/head-to-head/']) {
      const w = await watchedPage(browser, site.url);
      await w.page.goto(`${site.url}${path}?${query}`);
      const r = await settle(w.page, 'head-to-head');
      expect(r.status, path).toBe('error');
      // A rejection logged late would come after the error is shown.
      await w.page.waitForTimeout(500);
      expectClean(w, `${path}?${query}`);
      expect(r.error, path).toMatch(/diverged:? at iteration \d+/);
      expect(r.error, path).toMatch(/Armijo steps \(the step rule armijo/);
      expect(r.error, path).not.toMatch(/Lower the step/);
      await w.page.context().close();
    }
  });

  it('numbers written as 0x10, 0b11 or " 8 " are refused with a note', async () => {
    const w = await watchedPage(browser, site.url);
    await w.page.goto(`${site.url}/embed/convergence-lab/?lab.n=0x10&lab.d=0b11&lab.seed=%208%20`);
    const r = await settle(w.page, 'convergence-lab');
    expect(r.status).toBe('done');
    expect(r.notes).toMatch(/"0x10".*only decimal/);
    expect(r.notes).toMatch(/"0b11".*only decimal/);
    expect(r.notes).toMatch(/" 8 ".*spaces/);
    await w.page.context().close();
  });

  it('pasted text too long for a link is used but kept out of the link, and the widget says so', async () => {
    const w = await watchedPage(browser, site.url);
    await w.page.goto(`${site.url}/embed/model-pruner/?pruner.methods=magnitude&pruner.calibration=my%20text`);
    // The link's empty text is refused first; then the reader pastes.
    expect((await settle(w.page, 'model-pruner')).error).toMatch(/calibration text is empty/);
    const text = 'The jury said it did find that the city was well run. '.repeat(360); // 19 440 characters
    const area = w.page.getByLabel('your calibration text (Brown models)');
    await area.fill(text);
    await area.dispatchEvent('change');
    await w.page.waitForFunction(() => document.querySelector('model-pruner')?.getAttribute('data-status') === 'running', null, { timeout: 10_000 });
    const r = await settle(w.page, 'model-pruner');
    expect(r.status, r.error).toBe('done');
    expect(await w.page.locator('model-pruner .widget-output').textContent()).toMatch(/too long to travel in the shareable link/);
    const href = await w.page.evaluate(() => location.href);
    expect(href.length).toBeLessThan(8000);
    expect(new URL(href).searchParams.has('pruner.calibText')).toBe(false);
    // A short text does travel.
    const short = 'The jury said it did find that the city was well run. '.repeat(4);
    await area.fill(short);
    await area.dispatchEvent('change');
    await expect.poll(async () => new URL(await w.page.evaluate(() => location.href)).searchParams.get('pruner.calibText')).toBe(short);
    expectClean(w, 'long paste');
    await w.page.context().close();
  });
});

/**
 * The environment for a child `astro build`: Vitest puts Vite's own variables (BASE_URL,
 * MODE, DEV, PROD, SSR) into process.env, and a child build would take BASE_URL = "/" from
 * there over the configured base. They are left out.
 */
function buildEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const k of ['BASE_URL', 'MODE', 'DEV', 'PROD', 'SSR']) delete env[k];
  for (const k of Object.keys(env)) if (k.startsWith('VITEST') || k.startsWith('VITE_')) delete env[k];
  return env;
}

describe('built under another address', () => {
  const SITE = 'https://example.org';
  const BASE = '/course/pruning/';
  let root: string;
  let based: SiteServer;
  let owned = false;

  beforeAll(async () => {
    if (process.env.SITE_BASE_DIST) root = resolve(process.env.SITE_BASE_DIST);
    else {
      root = mkdtempSync(join(tmpdir(), 'site-base-'));
      owned = true;
      await new Promise<void>((ok, fail) =>
        execFile('npx', ['astro', 'build', '--outDir', root], { env: { ...buildEnv(), SITE, BASE }, maxBuffer: 64 << 20 }, (e, _out, err) =>
          e ? fail(new Error(`astro build under ${BASE} failed: ${err.slice(-2000)}`)) : ok(),
        ),
      );
    }
    based = await serveDist(`${root.replace(/\/?$/, '/')}`, BASE);
  }, 600_000);
  afterAll(async () => {
    await based?.close();
    if (owned) rmSync(root, { recursive: true, force: true });
  });

  it('every internal link and asset of every page answers 200 under the base path', async () => {
    const origin = based.url;
    const seen = new Set<string>();
    const queue = [`${origin}${BASE}`];
    const bad: string[] = [];
    const outside: string[] = [];
    let pages = 0;
    while (queue.length) {
      const url = queue.shift()!;
      if (seen.has(url)) continue;
      seen.add(url);
      const res = await fetch(url);
      if (res.status !== 200) {
        bad.push(`${url} (${res.status})`);
        continue;
      }
      const type = res.headers.get('content-type') ?? '';
      if (!type.startsWith('text/html') && !type.startsWith('text/css')) continue;
      const body = await res.text();
      if (type.startsWith('text/html')) pages++;
      const refs = type.startsWith('text/html')
        ? [...body.matchAll(/\s(?:href|src)="([^"]+)"/g)].map((m) => m[1].replaceAll('&amp;', '&'))
        : [...body.matchAll(/url\(\s*['"]?([^'")]+)['"]?\s*\)/g)].map((m) => m[1]);
      for (const ref of refs) {
        if (/^(data:|blob:|mailto:|#|https?:\/\/(?!127\.0\.0\.1))/.test(ref)) continue;
        const abs = new URL(ref, url);
        if (abs.origin !== origin) continue;
        if (!abs.pathname.startsWith(BASE)) outside.push(`${ref} (in ${url})`);
        abs.hash = '';
        if (!seen.has(abs.href)) queue.push(abs.href);
      }
    }
    expect(outside).toEqual([]);
    expect(bad).toEqual([]);
    expect(pages).toBeGreaterThanOrEqual(25);
  });

  it('the model pruner runs there: worker, wasm, model and data under the base path', async () => {
    const w = await watchedPage(browser, based.url);
    const requests: string[] = [];
    w.page.on('response', (r) => requests.push(`${r.status()} ${new URL(r.url()).pathname}`));
    await w.page.goto(`${based.url}${BASE}embed/model-pruner/?pruner.methods=magnitude`);
    const r = await settle(w.page, 'model-pruner');
    expect(r.status, r.error).toBe('done');
    const paths = requests.filter((x) => !x.includes('data:') && !x.includes('blob:'));
    expect(paths.filter((x) => !x.startsWith(`200 ${BASE}`))).toEqual([]);
    for (const what of [
      /\/models\/brown-word\/manifest\.json$/,
      /\/models\/brown-word\/weights\.bin$/,
      /\/data\/brown-word-calibration\.json$/,
      /solver\.worker.*\.js$/,
      /\.wasm$/,
    ]) {
      expect(
        paths.some((x) => what.test(x)),
        `${what} in ${paths.join(', ')}`,
      ).toBe(true);
    }
    expectClean(w, 'pruner under base');
    await w.page.context().close();
  });

  it('the sweep widget, generated text and the exercises run there too', async () => {
    for (const [slug, query] of [
      ['model-sweep', ''],
      ['generated-text', 'gen.methods=magnitude&gen.chars=5'],
      ['exercise-winner', ''],
      ['convergence-lab', 'lab.n=16&lab.d=8'],
    ]) {
      const w = await watchedPage(browser, based.url);
      await w.page.goto(`${based.url}${BASE}embed/${slug}/?${query}`);
      const tag = slug === 'exhaustive' ? 'exhaustive-search' : slug;
      const r = await settle(w.page, tag);
      expect(r.status, `${slug}: ${r.error}`).toBe('done');
      expect(w.failedRequests, slug).toEqual([]);
      expectClean(w, slug);
      await w.page.context().close();
    }
  });

  it('iframe code, BibTeX and the handout show https://example.org/course/pruning/…', async () => {
    const w = await watchedPage(browser, based.url);
    await w.page.goto(`${based.url}${BASE}chapters/for-teachers/`);
    const code = (await w.page.locator('#embed-code-exercise-gradient').textContent()) ?? '';
    expect(code).toContain(`src="${SITE}${BASE}embed/exercise-gradient/"`);
    expect((await w.page.locator('#bibtex-site').textContent()) ?? '').toContain(`\\url{${SITE}${BASE}}`);
    const links = await w.page.locator('main a[href^="/"]').evaluateAll((as) => as.map((a) => a.getAttribute('href') ?? ''));
    expect(links.filter((h) => !h.startsWith(BASE))).toEqual([]);
    await w.page.goto(`${based.url}${BASE}handout/`);
    const printed = await w.page.locator('.url span, p a span').allTextContents();
    expect(printed.length).toBeGreaterThan(4);
    for (const p of printed) expect(p.startsWith(`${SITE}${BASE}chapters/`), p).toBe(true);
    expect(await w.page.locator('a[href*="handout-answers"]').count()).toBe(0);
    expectClean(w, 'teachers under base');
    await w.page.context().close();
  });
});

describe('the printed handout', () => {
  it('prints one exercise per page on A4 and Letter, with room for η, and no answer key', async () => {
    const w = await watchedPage(browser, site.url);
    await w.page.goto(`${site.url}/handout/`);
    expect(await w.page.locator('a[href*="handout-answers"]').count()).toBe(0);
    await w.page.emulateMedia({ media: 'print' });
    for (const [format, width] of [
      ['A4', 688],
      ['Letter', 710],
    ] as const) {
      const pdf = (await w.page.pdf({ format })).toString('latin1');
      expect(pdf.match(/\/Type\s*\/Page\b/g)?.length ?? 0, format).toBe(3);
      await w.page.setViewportSize({ width, height: 1000 });
      const eta = await w.page
        .locator('.tries th')
        .first()
        .evaluate((th) => th.getBoundingClientRect().width);
      expect(eta, format).toBeGreaterThanOrEqual(100);
    }
    await w.page.context().close();
  });
});

describe('built without SITE', () => {
  it('the copied addresses use the origin the page is served from', async () => {
    const w = await watchedPage(browser, site.url);
    await w.page.goto(`${site.url}/chapters/for-teachers/`);
    expect((await w.page.locator('#embed-code-exercise-gradient').textContent()) ?? '').toContain(`src="${site.url}/embed/exercise-gradient/"`);
    expect((await w.page.locator('#bibtex-site').textContent()) ?? '').toContain(`\\url{${site.url}/}`);
    await w.page.goto(`${site.url}/handout/`);
    for (const p of await w.page.locator('.url span, p a span').allTextContents()) expect(p.startsWith(`${site.url}/chapters/`), p).toBe(true);
    await w.page.context().close();
  });
});
