/**
 * The bibliography: content/references.json, one entry per key. Shared by the
 * citation plugin (which checks keys at build time) and the Bibliography component.
 */
import raw from '../../../content/references.json';

export interface Reference {
  authors: string[];
  title: string;
  venue: string;
  year: number;
  /** arXiv identifier, e.g. "2410.11261" (shown as text; the site links to nothing off-origin by itself). */
  arxiv?: string;
  note?: string;
}

export const REFERENCES: Readonly<Record<string, Reference>> = raw as Record<string, Reference>;

/** "A, B and C" with "et al." kept as written. */
export function formatAuthors(authors: readonly string[]): string {
  if (authors.length <= 1) return authors.join('');
  const last = authors[authors.length - 1];
  if (last === 'et al.') return `${authors.slice(0, -1).join(', ')} et al.`;
  return `${authors.slice(0, -1).join(', ')} and ${last}`;
}

/** "Liang et al. 2025" or "Hassibi and Stork 1993": a short form for tooltips. */
export function shortCitation(ref: Reference): string {
  const surname = (name: string): string => name.split(' ').slice(-1)[0];
  const a = ref.authors.filter((x) => x !== 'et al.');
  const who = a.length === 1 ? surname(a[0]) : a.length === 2 ? `${surname(a[0])} and ${surname(a[1])}` : `${surname(a[0])} et al.`;
  return `${who} ${ref.year}`;
}

/** The element id of a reference list entry. */
export function referenceId(key: string): string {
  return `ref-${key}`;
}
