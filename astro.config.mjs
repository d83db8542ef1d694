// @ts-check
import { defineConfig } from 'astro/config';
import mdx from '@astrojs/mdx';
import remarkMath from 'remark-math';
import rehypeKatex from 'rehype-katex';
import remarkEquations from './src/site/plugins/remark-equations.ts';
import remarkCitations from './src/site/plugins/remark-citations.ts';
import remarkWidgetSlots from './src/site/plugins/remark-widget-slots.ts';
import rehypeMathErrors from './src/site/plugins/rehype-math-errors.ts';

/** KaTeX may only make links inside the page (\eqref becomes \href{#eq-…}). */
const katexOptions = {
  strict: 'error',
  throwOnError: true,
  trust: (/** @type {{ command: string; url?: string }} */ ctx) => ctx.command === '\\href' && typeof ctx.url === 'string' && ctx.url.startsWith('#'),
};

export default defineConfig({
  site: 'http://127.0.0.1:4321',
  trailingSlash: 'ignore',
  markdown: {
    remarkPlugins: [remarkMath, remarkEquations, remarkCitations, remarkWidgetSlots],
    rehypePlugins: [[rehypeKatex, katexOptions], rehypeMathErrors],
    // GFM footnotes carry each chapter's "how to reproduce this number" notes: give them a visible heading.
    remarkRehype: { footnoteLabel: 'Notes', footnoteLabelProperties: { className: ['notes-heading'] }, footnoteBackLabel: (i) => `Back to note reference ${i + 1}` },
  },
  integrations: [mdx()],
  vite: {
    // The solver worker is an ES module (it imports the core and code-splits tfjs).
    worker: { format: 'es' },
  },
});
