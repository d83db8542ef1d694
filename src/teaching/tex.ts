/**
 * The exercises' matrices as TeX, rendered with KaTeX while the site builds (the
 * chapter's wrappers and the handout import this; the page's scripts do not, so KaTeX
 * is not shipped to the browser for it).
 */
import katex from 'katex';
import type { Matrix } from '../core/matrix.ts';

/** A number for a worked solution: integers as they are, others to `digits` decimals. */
export function texNumber(x: number, digits = 4): string {
  if (Object.is(x, -0) || Math.abs(x) < 0.5 * 10 ** -digits) return '0';
  const s = Number.isInteger(x) ? String(x) : x.toFixed(digits);
  return s.startsWith('-') ? `-${s.slice(1)}` : s;
}

/** A bracketed matrix from rows of numbers or a core Matrix. */
export function texMatrix(m: readonly (readonly number[])[] | Matrix, digits = 4): string {
  const rows: number[][] = Array.isArray(m)
    ? (m as number[][])
    : Array.from({ length: (m as Matrix).rows }, (_, i) => Array.from((m as Matrix).data.subarray(i * (m as Matrix).cols, (i + 1) * (m as Matrix).cols)));
  return `\\begin{pmatrix} ${rows.map((r) => r.map((x) => texNumber(x, digits)).join(' & ')).join(' \\\\ ')} \\end{pmatrix}`;
}

/** KaTeX HTML for a formula (display style unless `inline`). */
export function renderTex(tex: string, inline = false): string {
  return katex.renderToString(tex, { displayMode: !inline, throwOnError: true, strict: 'error' });
}
