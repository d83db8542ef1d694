/**
 * The solvers' notes as sentences a reader can follow: each note once, after the names of
 * every method that wrote it (swap search + reconstruction repeats the swap search's note),
 * and each ending with a full stop, so that notes joined in a paragraph do not run together.
 */
export interface MethodNotes {
  /** The method's label, as the page shows it. */
  label: string;
  notes: readonly string[];
}

/** "A", "A and B", "A, B and C". */
function listOf(names: readonly string[]): string {
  return names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

export function solverSentences(all: readonly MethodNotes[]): string[] {
  const byNote = new Map<string, string[]>();
  for (const { label, notes } of all)
    for (const raw of notes) {
      const note = raw.trim().replace(/[.;,:\s]+$/, '');
      if (!note) continue;
      const who = byNote.get(note) ?? [];
      if (!who.includes(label)) who.push(label);
      byNote.set(note, who);
    }
  return [...byNote].map(([note, who]) => `${listOf(who)}: ${note}.`);
}
