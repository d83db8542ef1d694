/** Every page of the built site, found by walking dist/ (so a new chapter is tested without listing it). */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/** The built site: dist/, or SITE_DIST (a build made with `astro build --outDir <dir>`, so parallel builds do not collide). */
export const DIST = process.env.SITE_DIST
  ? new URL(`${process.env.SITE_DIST.replace(/\/?$/, '/')}`, `file://${process.cwd()}/`).pathname
  : new URL('../../dist/', import.meta.url).pathname;

export function builtPages(root = DIST): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) {
        if (name !== '_astro' && name !== 'models') walk(path);
      } else if (name.endsWith('.html')) {
        const rel =
          '/' +
          relative(root, path)
            .replace(/index\.html$/, '')
            .replace(/\.html$/, '');
        out.push(rel);
      }
    }
  };
  walk(root);
  return out.filter((p) => p !== '/404').sort();
}

/** The first built page whose HTML contains a custom element, e.g. "convergence-lab". */
export function pageWith(tag: string, root = DIST): string {
  for (const path of builtPages(root)) {
    const file = path === '/' ? join(root, 'index.html') : join(root, path, 'index.html');
    try {
      if (readFileSync(file, 'utf8').includes(`<${tag}`)) return path;
    } catch {
      /* not a directory page */
    }
  }
  throw new Error(`no built page contains <${tag}>`);
}
