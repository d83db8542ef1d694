/**
 * Word tokenizer (brown-word): tokens are words and punctuation marks, matched
 * case-insensitively by one regular expression (WORD_PATTERN) and looked up in
 * lower case; the vocabulary is `<unk>`, the file separator "\n" and the most
 * frequent words of the training split, each stored in its usual written form
 * ("the", "I", "Kennedy", "Mr."), so decoding needs no dictionary of names.
 *
 * Unknown-word policy: a word outside the vocabulary becomes `<unk>` (id 0), as it
 * did in training; `findUnknown()` names those words so a page or the CLI can
 * tell the reader. Prompts are refused when they have any (see generate), text to
 * score or calibrate on is encoded with them. Sampling never emits `<unk>`.
 *
 * Decoding (prefix-stable: the text of a prefix of ids is a prefix of the text of
 * all of them, so a continuation's text is `decodeAfter(context, ids)`):
 *  - one space between tokens, except none before , . ; : ? ! ) ] } % 's n't and a
 *    closing quote, none after ( [ { $ and an opening quote, none on either side of
 *    - / and the file separator;
 *  - `"` alternates opening and closing, counted from the start of the text;
 *  - a word's first letter is capitalised at the start of the text and after
 *    . ? ! or a file separator (through any opening quotes or brackets).
 */
import type { Tokenizer } from './tokenizer.ts';

export const UNKNOWN_TOKEN = '<unk>';
export const FILE_SEPARATOR = '\n';

/**
 * One token: `<unk>` as written by decode (so decoded text encodes back to the same ids;
 * the corpus never has it), an abbreviation that keeps its period (u.s., a.m., mr., mrs.,
 * dr., …), a run of letters and digits with inner apostrophes (don't, o'clock) but with a
 * final 's split off, 's itself, --, the file separator, or any other single non-space character.
 */
export const WORD_PATTERN =
  /<unk>|(?:[a-z]\.){2,}|(?:mr|mrs|ms|dr|st|jr|sr|mt|messrs|gen|gov|sen|rep|col|capt|lt|prof|rev)\.(?![a-z])|[a-z0-9]+(?:'(?!s\b)[a-z]+)*|'s\b|--|\n|\S/giu;

const NO_SPACE_BEFORE = new Set([',', '.', ';', ':', '?', '!', ')', ']', '}', '%', "'s", '-', '/', FILE_SEPARATOR]);
const NO_SPACE_AFTER = new Set(['(', '[', '{', '$', '-', '/', FILE_SEPARATOR]);
const SENTENCE_END = new Set(['.', '?', '!', FILE_SEPARATOR]);
const QUOTE = '"';

/** The tokens of `text` as written (case kept), in order. */
export function splitWords(text: string): string[] {
  return text.match(WORD_PATTERN) ?? [];
}

export interface WordVocabularyOptions {
  /** Number of words besides `<unk>` and the file separator. */
  words: number;
}

/**
 * The vocabulary of a training text: `<unk>`, "\n", then the `words` most frequent
 * lower-cased tokens (ties in code-unit order), each in the written form it takes most
 * often where case is not forced by a sentence start (ties: the lower-case form).
 */
export function wordVocabulary(text: string, o: WordVocabularyOptions): string[] {
  const counts = new Map<string, number>();
  const forms = new Map<string, Map<string, number>>();
  let sentenceStart = true;
  for (const tok of splitWords(text)) {
    const key = tok.toLowerCase();
    if (key === FILE_SEPARATOR) {
      sentenceStart = true;
      continue;
    }
    counts.set(key, (counts.get(key) ?? 0) + 1);
    if (!sentenceStart) {
      const f = forms.get(key) ?? new Map<string, number>();
      forms.set(key, f);
      f.set(tok, (f.get(tok) ?? 0) + 1);
    }
    if (SENTENCE_END.has(key)) sentenceStart = true;
    else if (key !== QUOTE && key !== '(' && key !== '[') sentenceStart = false;
  }
  const ranked = [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const written = (key: string): string => {
    const f = forms.get(key);
    if (!f) return key;
    let best = key;
    let n = f.get(key) ?? 0;
    for (const [form, c] of f) if (c > n) [best, n] = [form, c];
    return best;
  };
  return [UNKNOWN_TOKEN, FILE_SEPARATOR, ...ranked.slice(0, o.words).map(([k]) => written(k))];
}

export class WordTokenizer implements Tokenizer {
  readonly kind = 'word';
  readonly vocabulary: readonly string[];
  readonly unknownId = 0;
  private readonly index: Map<string, number>;

  constructor(vocabulary: readonly string[]) {
    if (vocabulary[0] !== UNKNOWN_TOKEN) throw new Error(`word tokenizer: the first vocabulary entry must be ${UNKNOWN_TOKEN}`);
    this.index = new Map();
    vocabulary.forEach((w, i) => {
      if (typeof w !== 'string' || w.length === 0) throw new Error(`word tokenizer: vocabulary entry ${i} is not a word`);
      const key = i === 0 ? w : w.toLowerCase();
      if (this.index.has(key)) throw new Error(`word tokenizer: duplicate vocabulary entry ${JSON.stringify(w)}`);
      this.index.set(key, i);
    });
    this.vocabulary = [...vocabulary];
  }

  get size(): number {
    return this.vocabulary.length;
  }

  /** Token ids; a word outside the vocabulary is `<unk>` (id 0). */
  encode(text: string): Int32Array {
    const toks = splitWords(text);
    const out = new Int32Array(toks.length);
    toks.forEach((t, i) => {
      out[i] = this.index.get(t.toLowerCase()) ?? this.unknownId;
    });
    return out;
  }

  /** Distinct words of `text` (as written) that encode as `<unk>`, in order of first appearance. */
  findUnknown(text: string): string[] {
    const out: string[] = [];
    const seen = new Set<string>();
    for (const t of splitWords(text)) {
      const key = t.toLowerCase();
      if (!this.index.has(key) && !seen.has(key)) {
        seen.add(key);
        out.push(t);
      }
    }
    return out;
  }

  decode(ids: ArrayLike<number>): string {
    return this.decodeAfter([], ids);
  }

  /** The text of `ids` as it continues the text of `context` (spacing, quotes and capitals follow from it). */
  decodeAfter(context: ArrayLike<number>, ids: ArrayLike<number>): string {
    let prev: string | null = null;
    let quotes = 0;
    let capital = true;
    let out = '';
    const total = context.length + ids.length;
    for (let i = 0; i < total; i++) {
      const id = i < context.length ? context[i] : ids[i - context.length];
      const word = this.vocabulary[id];
      if (word === undefined) throw new Error(`tokenizer: token id ${id} is outside the vocabulary (size ${this.size})`);
      const key = word.toLowerCase();
      const opening = key === QUOTE && quotes % 2 === 0;
      const closing = key === QUOTE && !opening;
      const glued =
        prev === null || NO_SPACE_BEFORE.has(key) || key.startsWith("n't") || closing || NO_SPACE_AFTER.has(prev) || (prev === QUOTE && quotes % 2 === 1);
      let text = word;
      if (capital && /^[a-z]/.test(word)) text = word[0].toUpperCase() + word.slice(1);
      if (i >= context.length) out += (glued ? '' : ' ') + text;
      if (key === QUOTE) quotes++;
      if (SENTENCE_END.has(key)) capital = true;
      else if (!opening && key !== '(' && key !== '[') capital = false;
      prev = key;
    }
    return out;
  }
}

/** A list of words as a reader reads it: “Ierulli”, “aiding”, … (at most `max`). */
export function quoteWords(words: readonly string[], max = 12): string {
  return (
    words
      .slice(0, max)
      .map((w) => `“${w}”`)
      .join(', ') + (words.length > max ? ', …' : '')
  );
}

/**
 * Why a prompt cannot be used by the word model, in words (empty when every word is
 * known): the words it would read as <unk>, and what it knows instead.
 */
export function unknownWordsMessage(tokenizer: Pick<WordTokenizer, 'findUnknown' | 'size'>, prompt: string, what = 'the prompt'): string {
  const unknown = tokenizer.findUnknown(prompt);
  const n = unknown.length;
  if (n === 0) return '';
  return `${what} has ${n} word${n === 1 ? '' : 's'} the model does not know: ${quoteWords(unknown)}. The model learned the ${(tokenizer.size - 2).toLocaleString('en-US')} most frequent words and marks of the Brown corpus; replace ${n === 1 ? 'it' : 'them'}`;
}
