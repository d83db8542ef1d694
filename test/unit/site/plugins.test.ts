/**
 * The site's remark/rehype plugins (src/site/plugins/), run through the real MDX pipeline in-process:
 * @mdx-js/mdx (what @astrojs/mdx drives) with the remark/rehype plugins and options of astro.config.mjs,
 * plus remark-gfm and remark-smartypants, which @astrojs/mdx adds by default. As in Astro's MDX
 * plugin, the frontmatter is not part of the MDX text: it arrives as `file.data.astro.frontmatter`
 * (and Astro blanks the frontmatter lines, so the line numbers below are those of the chapter file).
 * The compiled chapter is evaluated with a tiny string JSX runtime, so each test asserts exact HTML.
 */
import { evaluate } from '@mdx-js/mdx';
import remarkGfm from 'remark-gfm';
import remarkSmartypants from 'remark-smartypants';
import { VFile } from 'vfile';
import { beforeAll, describe, expect, it } from 'vitest';
import { astroFrontmatter, location } from '../../../src/site/plugins/jsx-attributes.ts';
import { chapterReadingTime, readingTimeMinutes } from '../../../src/site/plugins/reading-time.ts';
import { REFERENCES, formatAuthors, referenceId, shortCitation } from '../../../src/site/plugins/references.ts';
import rehypeMathErrors from '../../../src/site/plugins/rehype-math-errors.ts';
import { equationId } from '../../../src/site/plugins/remark-equations.ts';

// biome-ignore lint/suspicious/noExplicitAny: the unified plugin lists are heterogeneous
type PluginList = any[];
let markdown: { remarkPlugins: PluginList; rehypePlugins: PluginList; remarkRehype: Record<string, unknown> };

beforeAll(async () => {
  // The wiring the site is built with (plugin order, KaTeX's strict/trust options), not a copy of it.
  markdown = (await import('../../../astro.config.mjs')).default.markdown as typeof markdown;
});

// ---------------------------------------------------------------------------------------------
// A string JSX runtime: elements are { type, props }; components are called; the chapter's own
// components (Cite, Eq, Widget) render as tags named after them with the props they receive.

const Fragment = Symbol('Fragment');
interface El {
  type: unknown;
  props: Record<string, unknown>;
}
const jsx = (type: unknown, props: Record<string, unknown>): El => ({ type, props });
const stub = (name: string) => (props: Record<string, unknown>) => jsx(name, props);
const components = { Cite: stub('Cite'), Eq: stub('Eq'), Widget: stub('Widget') };

const escapeHtml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const isEl = (n: unknown): n is El => typeof n === 'object' && n !== null && 'props' in n;
const classes = (el: El): string[] => String(el.props.class ?? '').split(' ');

/** The TeX source KaTeX keeps in its MathML annotation. */
function texOf(n: unknown): string | undefined {
  if (Array.isArray(n)) return n.map(texOf).find((t) => t !== undefined);
  if (!isEl(n)) return undefined;
  if (n.type === 'annotation') return render(n.props.children);
  return texOf(n.props.children);
}

/**
 * HTML of a rendered tree. KaTeX's output is shown compactly as [$tex$] (inline) or [$$tex$$]
 * (display) unless `katex` is true, in which case it is written out in full.
 */
function render(n: unknown, katex = false): string {
  if (n === null || n === undefined || typeof n === 'boolean') return '';
  if (Array.isArray(n)) return n.map((c) => render(c, katex)).join('');
  if (typeof n === 'string' || typeof n === 'number') return escapeHtml(String(n));
  if (!isEl(n)) throw new Error(`cannot render ${String(n)}`);
  if (n.type === Fragment) return render(n.props.children, katex);
  if (typeof n.type === 'function') return render(n.type(n.props), katex);
  if (!katex && classes(n).includes('katex-display')) return `[$$${texOf(n)}$$]`;
  if (!katex && classes(n).includes('katex')) return `[$${texOf(n)}$]`;
  const attrs = Object.entries(n.props)
    .filter(([k]) => k !== 'children')
    .map(([k, v]) => {
      const value =
        typeof v === 'object' && v !== null
          ? Object.entries(v)
              .map(([p, x]) => `${p}:${x}`)
              .join(';')
          : String(v);
      return ` ${k}="${escapeHtml(value)}"`;
    })
    .join('');
  return `<${String(n.type)}${attrs}>${render(n.props.children, katex)}</${String(n.type)}>`;
}

const PATH = 'content/test-chapter.mdx';

/** Compile and run one chapter; returns its HTML and the frontmatter the plugins left behind. */
async function chapter(mdx: string, frontmatter: Record<string, unknown> = {}, options: { katex?: boolean } = {}) {
  const file = new VFile({ value: mdx, path: PATH, data: { astro: { frontmatter: { ...frontmatter } } } });
  const mod = await evaluate(file, {
    Fragment,
    jsx,
    jsxs: jsx,
    elementAttributeNameCase: 'html',
    remarkPlugins: [remarkGfm, remarkSmartypants, ...markdown.remarkPlugins],
    rehypePlugins: markdown.rehypePlugins,
    remarkRehypeOptions: markdown.remarkRehype,
  } as Parameters<typeof evaluate>[1]);
  const Content = mod.default as unknown as (props: { components: typeof components }) => unknown;
  const html = render(Content({ components }), options.katex).replace(/\n+/g, '\n').trim();
  return { html, frontmatter: astroFrontmatter(file as unknown as { data: Record<string, unknown> }) };
}

// ---------------------------------------------------------------------------------------------

describe('remark-equations', () => {
  const source = [
    'The loss <Eq ref="eq:loss"/> and its gradient <Eq ref="eq:grad"/>.', // 1: forward references
    '',
    '$$',
    'L(M) = \\tfrac12\\|F(M) - F_0\\|_F^2 \\label{eq:loss}', // 4
    '$$',
    '',
    '$$',
    'x = y', // 8: no label, no number
    '$$',
    '',
    '$$',
    '\\nabla L = G \\label{eq:grad}', // 12
    '$$',
    '',
    'Inline: $\\eqref{eq:grad}$.',
  ].join('\n');

  it('numbers labelled display equations in order, strips the label, and resolves <Eq ref> and \\eqref', async () => {
    const { html, frontmatter } = await chapter(source);
    expect(html).toBe(
      [
        '<p>The loss <Eq label="eq:loss" n="1" target="eq-loss"></Eq> and its gradient <Eq label="eq:grad" n="2" target="eq-grad"></Eq>.</p>',
        '<div id="eq-loss" class="equation">[$$L(M) = \\tfrac12\\|F(M) - F_0\\|_F^2$$]<span class="eq-num">(1)</span></div>',
        '[$$x = y$$]',
        '<div id="eq-grad" class="equation">[$$\\nabla L = G$$]<span class="eq-num">(2)</span></div>',
        '<p>Inline: [$\\href{#eq-grad}{(2)}$].</p>',
      ].join('\n'),
    );
    expect(frontmatter.equations).toEqual({ 'eq:loss': 1, 'eq:grad': 2 });
  });

  it('lets KaTeX draw \\eqref as a link inside the page', async () => {
    const { html } = await chapter(source, {}, { katex: true });
    expect(html).toContain('<a href="#eq-grad">');
    expect(html).not.toContain('katex-error');
    expect(html).not.toContain('\\label');
  });

  it('maps labels to element ids', () => {
    expect(equationId('eq:loss')).toBe('eq-loss');
    expect(equationId('eq:a.b:c')).toBe('eq-a-b-c');
    expect(equationId('thm_1')).toBe('eq-thm_1');
  });

  it('fails on an unknown <Eq ref>, with the file and line', async () => {
    await expect(chapter('$$\na \\label{eq:a}\n$$\n\nSee <Eq ref="eq:b"/>.')).rejects.toThrow(
      `${PATH}:5: no display equation has \\label{eq:b} in this chapter (labels: eq:a)`,
    );
  });

  it('fails on an unknown \\eqref, with the file and line', async () => {
    await expect(chapter('Text.\n\nSee $\\eqref{eq:nope}$.')).rejects.toThrow(
      `${PATH}:3: no display equation has \\label{eq:nope} in this chapter (labels: none)`,
    );
  });

  it('fails on a duplicate label, at the second equation', async () => {
    await expect(chapter('$$\na \\label{eq:a}\n$$\n\n$$\nb \\label{eq:a}\n$$')).rejects.toThrow(`${PATH}:5: equation label "eq:a" is used twice`);
  });

  it('fails on two labels in one equation, a malformed label, a missing ref and an expression ref', async () => {
    await expect(chapter('$$\na \\label{eq:a} \\label{eq:b}\n$$')).rejects.toThrow(`${PATH}:1: one \\label per display equation (found eq:a, eq:b)`);
    await expect(chapter('$$\na \\label{1st}\n$$')).rejects.toThrow(`${PATH}:1: bad equation label "1st" (letters, digits, : _ . -)`);
    await expect(chapter('Text <Eq/>.')).rejects.toThrow(`${PATH}:1: <Eq> needs ref="eq:…"`);
    await expect(chapter('Text <Eq ref={"eq:a"}/>.')).rejects.toThrow(`${PATH}:1: <Eq ref=…> must be a plain string, like ref="…"`);
  });
});

describe('remark-citations', () => {
  it('numbers works in the order of first use, with several keys and notes', async () => {
    const { html, frontmatter } = await chapter(
      [
        'First <Cite key="sun2023"/>.',
        '',
        'Then <Cite key="liang2025, sun2023"/> and <Cite key="liang2025" note="Algorithm 1"/>.',
        '',
        'Finally <Cite keys="frantar2023"/>.',
      ].join('\n'),
      { title: 'A chapter' },
    );
    expect(html).toBe(
      [
        '<p>First <Cite keys="sun2023" nums="1"></Cite>.</p>',
        '<p>Then <Cite keys="liang2025,sun2023" nums="2,1"></Cite> and <Cite keys="liang2025" nums="2" note="Algorithm 1"></Cite>.</p>',
        '<p>Finally <Cite keys="frantar2023" nums="3"></Cite>.</p>',
      ].join('\n'),
    );
    expect(frontmatter.citations).toEqual(['sun2023', 'liang2025', 'frantar2023']);
    expect(frontmatter.title).toBe('A chapter'); // the frontmatter is added to, not replaced
  });

  it('records an empty list for a chapter that cites nothing', async () => {
    expect((await chapter('No citations.')).frontmatter.citations).toEqual([]);
  });

  it('fails on an unknown key, with the file and line', async () => {
    await expect(chapter('Fine <Cite key="liang2025"/>.\n\nBad <Cite key="liang2025, nobody2099"/>.')).rejects.toThrow(
      `${PATH}:3: unknown citation key "nobody2099" (add it to content/references.json)`,
    );
  });

  it('fails on a <Cite> without a key, or with keys that name no work', async () => {
    await expect(chapter('Text <Cite/>.')).rejects.toThrow(`${PATH}:1: <Cite> needs key="…"`);
    await expect(chapter('Text <Cite key=" , "/>.')).rejects.toThrow(`${PATH}:1: <Cite key=" , "> names no work`);
  });
});

describe('remark-widget-slots', () => {
  it('turns each marker into <Widget id>, leaves other comments alone, and records the slots', async () => {
    const { html, frontmatter } = await chapter(
      ['Before.', '', '{/* WIDGET: convergence-lab */}', '', '{/* an ordinary comment */}', '', '{/*WIDGET:mask-2*/}', '', 'After.'].join('\n'),
      { widgets: ['mask-2', 'convergence-lab'] },
    );
    expect(html).toBe('<p>Before.</p>\n<Widget id="convergence-lab"></Widget>\n<Widget id="mask-2"></Widget>\n<p>After.</p>');
    expect(frontmatter.widgetSlots).toEqual(['convergence-lab', 'mask-2']);
  });

  it('fails when a slot is not listed in the frontmatter', async () => {
    await expect(chapter('{/* WIDGET: convergence-lab */}\n\n{/* WIDGET: extra */}', { widgets: ['convergence-lab'] })).rejects.toThrow(
      `${PATH}: widget slot "extra" is not listed in the frontmatter's widgets`,
    );
    await expect(chapter('{/* WIDGET: convergence-lab */}')).rejects.toThrow(
      `${PATH}: widget slot "convergence-lab" is not listed in the frontmatter's widgets`,
    );
  });

  it('fails when the frontmatter lists a widget that has no slot', async () => {
    await expect(chapter('{/* WIDGET: convergence-lab */}', { widgets: ['convergence-lab', 'missing-one'] })).rejects.toThrow(
      `${PATH}: frontmatter lists widget "missing-one" but the chapter has no {/* WIDGET: missing-one */} slot`,
    );
  });

  it('fails on a slot that appears twice, with the line', async () => {
    await expect(chapter('{/* WIDGET: lab */}\n\nText.\n\n{/* WIDGET: lab */}', { widgets: ['lab'] })).rejects.toThrow(
      `${PATH}:5: widget slot "lab" appears twice`,
    );
  });
});

describe('rehype-math-errors', () => {
  it('turns a formula KaTeX cannot parse into a build error with the file and line', async () => {
    await expect(chapter('Fine $a$.\n\nBroken $\\frac{1}$ here.')).rejects.toThrow(
      `KaTeX could not render 1 formula(s):\n${PATH}:3: KaTeX parse error: Unexpected end of input in a macro argument, expected '}' at end of input: \\frac{1}`,
    );
  });

  it('makes no link that leaves the page (KaTeX trusts only #… links)', async () => {
    const { html } = await chapter('$\\href{https://example.org}{x}$', {}, { katex: true });
    expect(html).not.toContain('<a ');
    expect(html).toContain('<span class="mord" style="color:#cc0000">\\href</span>'); // drawn as an unsupported command
  });

  // Known gap: KaTeX draws an untrusted command in red without raising an error or a vfile
  // message, so rehype-math-errors does not see it and the build passes. Flip to it() once fixed.
  it.fails('fails the build on a link that leaves the page', async () => {
    await expect(chapter('$\\href{https://example.org}{x}$')).rejects.toThrow(/^KaTeX could not render 1 formula/);
  });

  it('reports every KaTeX message and ignores the others', () => {
    const transform = rehypeMathErrors();
    const file = {
      path: 'content/a.mdx',
      messages: [
        { source: 'remark-lint', reason: 'unrelated', line: 1 },
        { source: 'rehype-katex', reason: 'Could not render math with KaTeX', line: 7, cause: new Error('Undefined control sequence: \\foo') },
        { source: 'rehype-katex', reason: 'Could not render math with KaTeX', line: null },
      ],
    };
    expect(() => transform(null, file)).toThrow(
      'KaTeX could not render 2 formula(s):\ncontent/a.mdx:7: Undefined control sequence: \\foo\ncontent/a.mdx:?: Could not render math with KaTeX',
    );
    expect(transform(null, { messages: [{ source: 'remark-lint', reason: 'unrelated' }] })).toBeUndefined();
  });
});

describe('reading time', () => {
  const words = (n: number, w = 'word'): string => Array.from({ length: n }, () => w).join(' ');

  it('counts prose at 200 words a minute, rounded, at least one minute', () => {
    expect(readingTimeMinutes(words(400))).toBe(2);
    expect(readingTimeMinutes(words(699))).toBe(3);
    expect(readingTimeMinutes(words(701))).toBe(4);
    expect(readingTimeMinutes('')).toBe(1);
  });

  it('adds half a minute per display equation and a minute per widget; code, comments, tags and math are not words', () => {
    const body = [
      "import Lab from '../src/widgets/lab.astro';",
      'export const x = 1;',
      words(440), // 2.2 min
      '<Cite key="liang2025" note="one two three"/>',
      '{/* a comment with several words in it */}',
      '$$',
      words(500, 'x'), // inside display math: not words
      '$$',
      '',
      '$$',
      'y',
      '$$', // two display equations: 1 min
      '{/* WIDGET: lab */}', // 1 min
      '— … -', // no letters or digits: not words
    ].join('\n');
    expect(readingTimeMinutes(body)).toBe(4); // round(2.2 + 1 + 1)
    expect(readingTimeMinutes(body.replace('{/* WIDGET: lab */}', ''))).toBe(3);
  });

  it("uses the frontmatter's reading time only when it agrees within 50 %", () => {
    const body = words(800); // 4 min
    expect(chapterReadingTime({ id: 'c.mdx', body, data: {} })).toBe(4);
    expect(chapterReadingTime({ id: 'c.mdx', body, data: { readingTime: 6 } })).toBe(6);
    expect(chapterReadingTime({ id: 'c.mdx', body, data: { readingTime: 3 } })).toBe(3);
    expect(() => chapterReadingTime({ id: 'c.mdx', body, data: { readingTime: 7 } })).toThrow(
      'content/c.mdx: frontmatter readingTime 7 min disagrees with the computed 4 min',
    );
    expect(() => chapterReadingTime({ id: 'c.mdx', body, data: { readingTime: 2 } })).toThrow('disagrees with the computed 4 min');
  });
});

describe('references and JSX helpers', () => {
  it('formats authors and short citations', () => {
    expect(formatAuthors([])).toBe('');
    expect(formatAuthors(['Ann Lee'])).toBe('Ann Lee');
    expect(formatAuthors(['Ann Lee', 'Bo Chen'])).toBe('Ann Lee and Bo Chen');
    expect(formatAuthors(['Ann Lee', 'Bo Chen', 'Cy Diaz'])).toBe('Ann Lee, Bo Chen and Cy Diaz');
    expect(formatAuthors(['Ann Lee', 'Bo Chen', 'et al.'])).toBe('Ann Lee, Bo Chen et al.');
    expect(shortCitation(REFERENCES.liang2025)).toBe('Liang et al. 2025');
    expect(shortCitation(REFERENCES.hassibi1993)).toBe('Hassibi and Stork 1993');
    expect(shortCitation({ authors: ['Ann Lee', 'et al.'], title: 't', venue: 'v', year: 2020 })).toBe('Lee 2020');
    expect(referenceId('liang2025')).toBe('ref-liang2025');
  });

  it('locates nodes by path, first history entry or <mdx>, and creates the Astro frontmatter when missing', () => {
    const at = { position: { start: { line: 9 } } };
    expect(location({ path: 'a.mdx' }, at)).toBe('a.mdx:9');
    expect(location({ history: ['b.mdx'] }, at)).toBe('b.mdx:9');
    expect(location({}, {})).toBe('<mdx>');
    const file = { data: {} as Record<string, unknown> };
    const fm = astroFrontmatter(file);
    fm.x = 1;
    expect(file.data).toEqual({ astro: { frontmatter: { x: 1 } } });
    expect(astroFrontmatter(file)).toBe(fm);
  });
});
