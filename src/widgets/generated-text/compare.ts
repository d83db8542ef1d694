/**
 * The generated-text widget's bookkeeping, kept apart from the DOM so a Node test can
 * check it: which characters of a prompt the model does not know (named, and where
 * they are), and the texts with where each departs from the dense text and its top-1
 * agreement (both computed by src/model/textAgreement.ts in the job) as rows for the downloads.
 */
import type { ModelGenerateJobResult } from '../../jobs/protocol.ts';
import { departureJson, departureText } from '../../model/textAgreement.ts';

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

export type GeneratedRow = {
  model: string;
  method: string;
  /** The refit after the method's mask ('' for the dense model). */
  refit: string;
  perplexity: number;
  /** The 1-based generated token where the text first departs from the dense text, or why it never does (departureJson); '' for the dense model. */
  first_departure: number | string;
  /** Top-1 agreement with the dense model on the evaluation windows (1 for the dense model itself). */
  top1_agreement: number;
  text: string;
};

/** One row per model, dense first: what the downloads hold. `text` is the prompt and its continuation, as `cli -- generate` prints it. */
export function generatedRows(r: ModelGenerateJobResult): GeneratedRow[] {
  const dense: GeneratedRow = {
    model: 'dense',
    method: '',
    refit: '',
    perplexity: r.dense.perplexity,
    first_departure: '',
    top1_agreement: 1,
    text: r.prompt + r.denseText,
  };
  return [
    dense,
    ...r.runs.map((run) => ({
      model: 'pruned',
      method: run.method,
      refit: run.refit,
      perplexity: run.pruned.perplexity,
      first_departure: departureJson(run.departure),
      top1_agreement: run.agreement.agreement,
      text: r.prompt + run.text,
    })),
  ];
}

/** How the models chose each token, in words: "greedy" or "sampled at temperature 0.8, seed 1". */
export function decodingText(r: Pick<ModelGenerateJobResult, 'temperature' | 'seed'>): string {
  return r.temperature === 0 ? 'greedy' : `sampled at temperature ${r.temperature}, seed ${r.seed}`;
}

/** "swap", "swap + attention refit": a pruned row's recipe in the downloads' words. */
export function prunedWith(row: Pick<GeneratedRow, 'method' | 'refit'>): string {
  return row.refit === '' || row.refit === 'none' ? row.method : `${row.method} + ${row.refit} refit`;
}

/** The settings a download needs to be reproduced with the command line. */
export function settingsLine(r: ModelGenerateJobResult): string {
  const pattern = r.pattern === 'unstructured' ? `sparsity ${r.sparsity}` : `${r.pattern} (sparsity ${r.sparsity})`;
  return `${r.model}, ${pattern}, ${r.mode} masks, ${decodingText(r)}, ${r.tokens} ${r.unit}s; perplexity and top-1 agreement on ${r.evaluation}`;
}

/** The texts as a plain-text file: the settings, then each model's text under a heading. */
export function generatedTxt(r: ModelGenerateJobResult): string {
  const blocks = generatedRows(r).map((row, i) => {
    const title = row.model === 'dense' ? 'dense model' : `pruned with ${prunedWith(row)}`;
    const run = r.runs[i - 1];
    const diff = run ? `, first departs from the dense text ${departureText(run.departure, r.unit)}, top-1 agreement ${row.top1_agreement}` : '';
    return `== ${title} (perplexity ${row.perplexity}${diff}) ==\n${row.text}\n`;
  });
  return `Generated text: ${settingsLine(r)}\n\n${blocks.join('\n')}`;
}
