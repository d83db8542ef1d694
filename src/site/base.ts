/**
 * The path the site is served under (Astro's `base`, set by the BASE environment
 * variable at build time: `BASE=/course/pruning/ astro build`), so that every link,
 * and every file the pages and the worker fetch from public/ (models, data, the
 * favicon), works wherever a teacher hosts the site. Vite writes the value into the
 * bundles (import.meta.env.BASE_URL); in Node (the CLI, tests) it is "/".
 */
const env: { BASE_URL?: string } | undefined = import.meta.env;
const configured = env?.BASE_URL || '/';

/** The base path, starting and ending with "/": "/" or "/course/pruning/". */
export const BASE: string = `/${configured.replace(/^\/+|\/+$/g, '')}/`.replace(/^\/\/$/, '/');

/**
 * A site path ("/chapters/x/", "/models/brown-char/manifest.json", "/") under the base
 * path. Anything that is not a root-relative path (a fragment, "https://…") is returned
 * unchanged, and so is a path already under the base.
 */
export function withBase(path: string): string {
  if (!path.startsWith('/') || path.startsWith('//')) return path;
  if (BASE === '/' || path.startsWith(BASE) || `${path}/` === BASE) return path;
  return BASE + path.slice(1);
}
