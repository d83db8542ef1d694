/**
 * The generated-text widget's bookkeeping, kept apart from the DOM so a Node test can
 * check it: which characters of a prompt the model does not know (named, and where
 * they are), where a pruned model's text first departs from the dense model's, and
 * the texts as rows for the downloads.
 */
import type { ModelGenerateJobResult } from '../../jobs/protocol.ts';

export interface UnknownCharacter {
  char: string;
  /** 1-based positions in the prompt. */
  positions: number[];
}

/** Distinct characters of `prompt` outside `vocabulary`, in order of first appearance, with their positions. */
export function unknownPromptCharacters(vocabulary: readonly string[], prompt: string): UnknownCharacter[] {
  const known = new Set(vocabulary);
  const found = new Map<string, number[]>();
  for (let i = 0; i < prompt.length; i++) {
    const ch = prompt[i];
    if (known.has(ch)) continue;
    const at = found.get(ch);
    if (at) at.push(i + 1);
    else found.set(ch, [i + 1]);
  }
  return [...found].map(([char, positions]) => ({ char, positions }));
}

/** A character as a reader can identify it, even when it is invisible: "€" (U+20AC), tab (U+0009). */
export function describeCharacter(ch: string): string {
  const code = `U+${ch.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
  const names: Record<string, string> = { '\t': 'tab', '\r': 'carriage return', '\u00a0': 'no-break space', '\u200b': 'zero-width space' };
  const name = names[ch];
  if (name) return `${name} (${code})`;
  return /\p{C}|\p{Z}/u.test(ch) && ch !== ' ' ? `an invisible character (${code})` : `${JSON.stringify(ch)} (${code})`;
}

/**
 * The vocabulary in a few words: complete runs A–Z, a–z and 0–9 as ranges, space and
 * newline by name, every other character as itself.
 */
export function describeVocabulary(vocabulary: readonly string[]): string {
  const has = new Set(vocabulary);
  const parts: string[] = [];
  const covered = new Set<string>();
  for (const [from, to] of [
    ['A', 'Z'],
    ['a', 'z'],
    ['0', '9'],
  ] as const) {
    const run: string[] = [];
    for (let c = from.charCodeAt(0); c <= to.charCodeAt(0); c++) run.push(String.fromCharCode(c));
    if (run.every((c) => has.has(c))) {
      parts.push(`${from}–${to}`);
      for (const c of run) covered.add(c);
    }
  }
  if (has.has(' ')) parts.push('space');
  if (has.has('\n')) parts.push('newline');
  covered.add(' ').add('\n');
  const others = vocabulary.filter((c) => !covered.has(c)).join('');
  return `${parts.join(', ')}${others ? ` and ${others}` : ''}`;
}

/** Why a prompt cannot be used, in words (empty when every character is known). */
export function unknownPromptMessage(vocabulary: readonly string[], prompt: string): string {
  const unknown = unknownPromptCharacters(vocabulary, prompt);
  if (unknown.length === 0) return '';
  const listed = unknown.map((u) => `${describeCharacter(u.char)} at character ${u.positions.join(', ')}`).join('; ');
  const n = unknown.length;
  return (
    `the prompt has ${n} character${n === 1 ? '' : 's'} the model does not know: ${listed}. ` +
    `The model learned the ${vocabulary.length} characters of its training text (${describeVocabulary(vocabulary)}); remove or replace ${n === 1 ? 'it' : 'them'}`
  );
}

/** Index of the first character where `b` departs from `a`, or -1 when they are equal. */
export function firstDifference(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : n;
}

export type GeneratedRow = {
  model: string;
  method: string;
  /** The refit after the method's mask ('' for the dense model). */
  refit: string;
  perplexity: number;
  /** 1-based position in the generated characters where the text first departs from the dense text; 0 when it never does. */
  first_difference: number;
  text: string;
};

/** One row per model, dense first: what the downloads hold. `text` is the prompt and its continuation, as `cli -- generate` prints it. */
export function generatedRows(r: ModelGenerateJobResult): GeneratedRow[] {
  const dense: GeneratedRow = { model: 'dense', method: '', refit: '', perplexity: r.dense.perplexity, first_difference: 0, text: r.prompt + r.denseText };
  return [
    dense,
    ...r.runs.map((run) => ({
      model: 'pruned',
      method: run.method,
      refit: run.refit,
      perplexity: run.pruned.perplexity,
      first_difference: firstDifference(r.denseText, run.text) + 1,
      text: r.prompt + run.text,
    })),
  ];
}

/** "swap", "swap + attention refit": a pruned row's recipe in the downloads' words. */
export function prunedWith(row: Pick<GeneratedRow, 'method' | 'refit'>): string {
  return row.refit === '' || row.refit === 'none' ? row.method : `${row.method} + ${row.refit} refit`;
}

/** The settings a download needs to be reproduced with the command line. */
export function settingsLine(r: ModelGenerateJobResult): string {
  const pattern = r.pattern === 'unstructured' ? `sparsity ${r.sparsity}` : `${r.pattern} (sparsity ${r.sparsity})`;
  return `${r.model}, ${pattern}, ${r.mode} masks, seed ${r.seed}, temperature ${r.temperature}, ${r.tokens} characters; perplexity on ${r.evaluation}`;
}

/** The texts as a plain-text file: the settings, then each model's text under a heading. */
export function generatedTxt(r: ModelGenerateJobResult): string {
  const blocks = generatedRows(r).map((row) => {
    const title = row.model === 'dense' ? 'dense model' : `pruned with ${prunedWith(row)}`;
    const diff =
      row.model === 'dense' ? '' : row.first_difference === 0 ? ', same text as the dense model' : `, first differs at character ${row.first_difference}`;
    return `== ${title} (perplexity ${row.perplexity}${diff}) ==\n${row.text}\n`;
  });
  return `Generated text: ${settingsLine(r)}\n\n${blocks.join('\n')}`;
}
