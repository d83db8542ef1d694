// @ts-check
import { defineConfig } from 'astro/config';
import mdx from '@astrojs/mdx';
import remarkMath from 'remark-math';
import rehypeKatex from 'rehype-katex';
import remarkEquations from './src/site/plugins/remark-equations.ts';
import remarkCitations from './src/site/plugins/remark-citations.ts';
import remarkWidgetSlots from './src/site/plugins/remark-widget-slots.ts';
import rehypeMathErrors from './src/site/plugins/rehype-math-errors.ts';
import { readFile } from 'node:fs/promises';

/** KaTeX may only make links inside the page (\eqref becomes \href{#eq-…}). */
const katexOptions = {
  strict: 'error',
  throwOnError: true,
  trust: (/** @type {{ command: string; url?: string }} */ ctx) => ctx.command === '\\href' && typeof ctx.url === 'string' && ctx.url.startsWith('#'),
};

/**
 * Where the site is hosted, from the environment, so a teacher can host it anywhere:
 * `SITE=https://example.org BASE=/course/pruning/ astro build`. SITE is the origin the
 * copied addresses (iframe code, BibTeX, the handout's links) are written with; without
 * it, the pages put in the origin they are served from when they load. BASE is the path
 * every page, asset, model, worker and wasm file is served under (default "/").
 */
const SITE = process.env.SITE?.trim() || undefined;
if (SITE && !/^https?:\/\/[^/]+/.test(SITE)) throw new Error(`SITE must be an http(s) address such as https://example.org (got ${JSON.stringify(SITE)})`);
const BASE = `/${(process.env.BASE ?? '/').trim().replace(/^\/+|\/+$/g, '')}/`.replace(/^\/\/$/, '/');

/** Markdown links to site pages (`[handout](/handout/)`) written under BASE. */
function rehypeBaseLinks() {
  /** @param {any} node */
  const walk = (node) => {
    if (node.type === 'element' && node.properties) {
      for (const attr of ['href', 'src']) {
        const v = node.properties[attr];
        if (typeof v === 'string' && v.startsWith('/') && !v.startsWith('//') && !v.startsWith(BASE)) node.properties[attr] = BASE + v.slice(1);
      }
    }
    for (const child of node.children ?? []) walk(child);
  };
  return (/** @type {any} */ tree) => {
    if (BASE !== '/') walk(tree);
  };
}

/**
 * TensorFlow.js reads the page's address when it loads (`?tfjsflags=…`, parsed with
 * decodeURIComponent): a stray `%` in any link (`?x=%ff`) threw at module load, and a
 * link could set its internal flags. No third-party code reads our URL: its URL-flag
 * parser is turned off in every bundle (pages, the worker, and Vite's dev pre-bundle).
 * The build fails if a tfjs upgrade moves the parser, rather than silently re-enabling it.
 */
const TFJS_ENVIRONMENT = /[\\/]@tensorflow[\\/]tfjs-core[\\/]dist[\\/]environment\.js$/;
/** @param {string} code @param {string} id */
function withoutTfjsUrlFlags(code, id) {
  const out = code.replace(/populateURLFlags\(\)\s*\{/, '$& return; /* URL flags disabled (astro.config.mjs) */');
  if (out === code) throw new Error(`${id}: TensorFlow.js's URL-flag parser (populateURLFlags) was not found; update astro.config.mjs for this tfjs version`);
  return out;
}
/** @returns {import('vite').Plugin} */
function noTfjsUrlFlags() {
  return {
    name: 'no-tfjs-url-flags',
    enforce: 'pre',
    transform(code, id) {
      const file = id.split('?')[0];
      if (TFJS_ENVIRONMENT.test(file)) return { code: withoutTfjsUrlFlags(code, file), map: null };
      return undefined;
    },
  };
}
const noTfjsUrlFlagsEsbuild = {
  name: 'no-tfjs-url-flags',
  /** @param {any} build */
  setup(build) {
    build.onLoad({ filter: TFJS_ENVIRONMENT }, async (/** @type {{ path: string }} */ args) => ({
      contents: withoutTfjsUrlFlags(await readFile(args.path, 'utf8'), args.path),
      loader: 'js',
    }));
  },
};

export default defineConfig({
  ...(SITE ? { site: SITE } : {}),
  base: BASE,
  trailingSlash: 'ignore',
  markdown: {
    remarkPlugins: [remarkMath, remarkEquations, remarkCitations, remarkWidgetSlots],
    rehypePlugins: [[rehypeKatex, katexOptions], rehypeMathErrors, rehypeBaseLinks],
    // GFM footnotes carry each chapter's "how to reproduce this number" notes: give them a visible heading.
    remarkRehype: {
      footnoteLabel: 'Notes',
      footnoteLabelProperties: { className: ['notes-heading'] },
      footnoteBackLabel: (i) => `Back to note reference ${i + 1}`,
    },
  },
  integrations: [mdx()],
  vite: {
    plugins: [noTfjsUrlFlags()],
    optimizeDeps: { esbuildOptions: { plugins: [noTfjsUrlFlagsEsbuild] } },
    // The solver worker is an ES module (it imports the core and code-splits tfjs).
    worker: { format: 'es', plugins: () => [noTfjsUrlFlags()] },
  },
});
