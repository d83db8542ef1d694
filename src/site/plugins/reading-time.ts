/**
 * Reading time of a chapter, computed from its MDX source so that it cannot go
 * stale: prose at 200 words a minute, plus half a minute per display equation
 * (derivations are read slowly) and a minute per widget slot. Imports, exports,
 * comments and JSX tags are not words.
 */
export function readingTimeMinutes(body: string): number {
  let text = body;
  const displayMath = (text.match(/^\s*\$\$/gm) ?? []).length / 2;
  const widgets = (text.match(/\{\/\*\s*WIDGET:/g) ?? []).length;
  text = text
    .replace(/\{\/\*[\s\S]*?\*\/\}/g, ' ') // MDX comments (widget slots, notes)
    .replace(/^\s*(import|export)\s.*$/gm, ' ')
    .replace(/\$\$[\s\S]*?\$\$/g, ' ')
    .replace(/<[^>]+>/g, ' ');
  const words = text.split(/\s+/).filter((w) => /[A-Za-z0-9]/.test(w)).length;
  return Math.max(1, Math.round(words / 200 + 0.5 * displayMath + widgets));
}

/**
 * The reading time a chapter shows: the computed one, or the frontmatter's when given,
 * which must then agree with the computed one to within 50 % (else the build fails).
 */
export function chapterReadingTime(entry: { id: string; body?: string; data: { readingTime?: number } }): number {
  const computed = readingTimeMinutes(entry.body ?? '');
  const given = entry.data.readingTime;
  if (given === undefined) return computed;
  if (given < computed / 1.5 || given > computed * 1.5) {
    throw new Error(`content/${entry.id}: frontmatter readingTime ${given} min disagrees with the computed ${computed} min`);
  }
  return given;
}
