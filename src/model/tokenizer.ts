/**
 * Character tokenizer. The vocabulary is the sorted set of characters of the
 * training split (sorted by UTF-16 code unit, so it is the same everywhere);
 * token i is vocabulary[i].
 *
 * Unknown-character policy: a character that is not in the vocabulary is never
 * silently dropped or mapped. `encode()` throws an UnknownCharactersError that
 * lists every distinct unknown character (so a page can tell the reader which
 * characters of pasted text the model does not know); `findUnknown()` returns
 * that list without throwing, and `encodeLenient()` drops unknown characters
 * and reports what it dropped.
 */

/**
 * What every model's tokenizer offers the loader, the forward's callers and the page:
 * the character tokenizer (brown-char, induction's digits) and the word tokenizer
 * (brown-word, wordTokenizer.ts). The manifest's `tokenizer.kind` says which.
 */
export type TokenizerKind = 'char' | 'word';

export interface Tokenizer {
  readonly kind: TokenizerKind;
  readonly vocabulary: readonly string[];
  readonly size: number;
  /** The id sampling must never produce (the word model's `<unk>`), or −1. */
  readonly unknownId: number;
  /** Token ids of `text`. Characters: throws UnknownCharactersError on an unknown one; words: unknown words are `<unk>`. */
  encode(text: string): Int32Array;
  /** What of `text` the model does not know: characters, or words that would be `<unk>`; in order of first appearance. */
  findUnknown(text: string): string[];
  decode(ids: ArrayLike<number>): string;
  /** The text of `ids` as it continues the text of `context` (words: spacing and capitals depend on it). */
  decodeAfter(context: ArrayLike<number>, ids: ArrayLike<number>): string;
}

/** What a token of a kind is called in a sentence ("64 characters", "64 tokens"). */
export function tokenNoun(kind: TokenizerKind, n: number): string {
  const noun = kind === 'word' ? 'token' : 'character';
  return n === 1 ? noun : `${noun}s`;
}

export class UnknownCharactersError extends Error {
  override name = 'UnknownCharactersError';
  constructor(readonly unknown: string[]) {
    super(`text has ${unknown.length} character(s) the model does not know: ${unknown.map((c) => JSON.stringify(c)).join(' ')}`);
  }
}

export class CharTokenizer implements Tokenizer {
  readonly kind = 'char';
  readonly unknownId = -1;
  readonly vocabulary: readonly string[];
  private readonly index: Map<string, number>;

  constructor(vocabulary: readonly string[]) {
    const seen = new Set<string>();
    for (const ch of vocabulary) {
      if (typeof ch !== 'string' || ch.length !== 1)
        throw new Error(`tokenizer: vocabulary entries must be single UTF-16 characters (got ${JSON.stringify(ch)})`);
      if (seen.has(ch)) throw new Error(`tokenizer: duplicate vocabulary entry ${JSON.stringify(ch)}`);
      seen.add(ch);
    }
    this.vocabulary = [...vocabulary];
    this.index = new Map(this.vocabulary.map((ch, i) => [ch, i]));
  }

  /** The vocabulary of a training text: its sorted set of characters. */
  static fromText(text: string): CharTokenizer {
    return new CharTokenizer([...new Set(text.split(''))].sort());
  }

  get size(): number {
    return this.vocabulary.length;
  }

  has(ch: string): boolean {
    return this.index.has(ch);
  }

  /** Distinct characters of `text` that are not in the vocabulary, in order of first appearance. */
  findUnknown(text: string): string[] {
    const out: string[] = [];
    const seen = new Set<string>();
    for (let i = 0; i < text.length; i++) {
      const ch = text[i];
      if (!this.index.has(ch) && !seen.has(ch)) {
        seen.add(ch);
        out.push(ch);
      }
    }
    return out;
  }

  /** Token ids of `text`; throws UnknownCharactersError if any character is not in the vocabulary. */
  encode(text: string): Int32Array {
    const out = new Int32Array(text.length);
    for (let i = 0; i < text.length; i++) {
      const id = this.index.get(text[i]);
      if (id === undefined) throw new UnknownCharactersError(this.findUnknown(text));
      out[i] = id;
    }
    return out;
  }

  /** Token ids of the known characters of `text`, and the distinct unknown characters that were dropped. */
  encodeLenient(text: string): { ids: Int32Array; unknown: string[] } {
    const ids: number[] = [];
    for (let i = 0; i < text.length; i++) {
      const id = this.index.get(text[i]);
      if (id !== undefined) ids.push(id);
    }
    return { ids: Int32Array.from(ids), unknown: this.findUnknown(text) };
  }

  decodeAfter(_context: ArrayLike<number>, ids: ArrayLike<number>): string {
    return this.decode(ids);
  }

  decode(ids: ArrayLike<number>): string {
    let s = '';
    for (let i = 0; i < ids.length; i++) {
      const ch = this.vocabulary[ids[i]];
      if (ch === undefined) throw new Error(`tokenizer: token id ${ids[i]} is outside the vocabulary (size ${this.size})`);
      s += ch;
    }
    return s;
  }
}
