/**
 * How much of a model's text is English words: the share of its words found in a
 * word list (Debian's `wamerican`, /usr/share/dict/american-english). Issue 19's
 * measure of whether a reader can read what a model writes.
 *
 * A word is a run of letters with inner apostrophes (don't, Smith's); digits and
 * marks are not words. A word counts as English when the list has it as written or
 * in lower case (the list has "Smith's" and "jury"; a sentence-initial "The" is "the").
 */
import { readFileSync } from 'node:fs';

export const DICTIONARY_PATH = '/usr/share/dict/american-english';

const WORD = /[A-Za-z]+(?:'[A-Za-z]+)*/g;

/** The word list as a set (one word a line). Throws in words when it is not installed. */
export function readDictionary(path = DICTIONARY_PATH): Set<string> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new Error(`no word list at ${path}: install Debian's wamerican (apt-get install -y wamerican)`);
  }
  return new Set(text.split('\n').filter((w) => w.length > 0));
}

export interface DictionaryShare {
  words: number;
  english: number;
  /** english / words (0 when there are no words). */
  share: number;
  /** The distinct words the list does not have, in order of first appearance. */
  notFound: string[];
}

export function dictionaryShare(text: string, dictionary: ReadonlySet<string>): DictionaryShare {
  const words = text.match(WORD) ?? [];
  let english = 0;
  const notFound = new Set<string>();
  for (const w of words) {
    if (dictionary.has(w) || dictionary.has(w.toLowerCase())) english++;
    else notFound.add(w);
  }
  return { words: words.length, english, share: words.length ? english / words.length : 0, notFound: [...notFound] };
}
