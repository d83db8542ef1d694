/**
 * Calibration from the reader's own text (the Brown models), in one place for the
 * CLI's --calib-text and the page's paste box: the first `count` consecutive
 * windows of the model's context length. Every way it can go wrong is refused in
 * words the reader can act on: empty text, characters the model does not know
 * (listed), text shorter than one window, and (on the page) text too long to keep
 * in a shareable URL. The word model reads unknown words as `<unk>`, as in its
 * training, and the description names how many.
 */
import { tokenNoun, type Tokenizer } from './tokenizer.ts';
import { quoteWords } from './wordTokenizer.ts';
import { leadingWindows } from './evaluate.ts';

export { PAGE_MAX_CALIBRATION_CHARS } from './limits.ts';

export class CalibrationTextError extends Error {
  override name = 'CalibrationTextError';
}

export interface TextCalibration {
  windows: Int32Array[];
  /** What was used, in words, e.g. "the first 8 windows of 64 characters of your text (2 000 characters)". */
  description: string;
}

/**
 * A character as a reader can identify it, named by its code point (so an emoji is one
 * character, U+1F600, not two halves): “é” (U+00E9), tab (U+0009), U+0007.
 */
export function showCharacter(ch: string): string {
  const code = ch.codePointAt(0) ?? 0;
  const hex = `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  if (ch === '\t') return `tab (${hex})`;
  if (ch === '\r') return `carriage return (${hex})`;
  if (code < 32 || (code >= 0x7f && code < 0xa0) || (code >= 0xd800 && code <= 0xdfff)) return hex;
  return code < 0x80 ? `“${ch}”` : `“${ch}” (${hex})`;
}

/** The distinct characters of `text` the tokenizer does not know, by code point, in order of first appearance. */
export function unknownCharacters(tokenizer: { has(ch: string): boolean }, text: string): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const ch of text) {
    if (!tokenizer.has(ch) && !seen.has(ch)) {
      seen.add(ch);
      out.push(ch);
    }
  }
  return out;
}

export function calibrationFromText(tokenizer: Tokenizer, text: string, contextLength: number, count: number, maxChars = Infinity): TextCalibration {
  const unit = (n: number) => tokenNoun(tokenizer.kind, n);
  if (text.trim() === '')
    throw new CalibrationTextError(`the calibration text is empty: paste some English prose (at least one window of ${contextLength} ${unit(contextLength)})`);
  if (text.length > maxChars) {
    throw new CalibrationTextError(
      `the calibration text is too long: ${text.length.toLocaleString('en-US')} characters, and at most ${maxChars.toLocaleString('en-US')} are accepted (only the first ${count} windows of ${contextLength} characters, ${count * contextLength} characters, are used anyway)`,
    );
  }
  if (tokenizer.kind === 'word') return wordCalibration(tokenizer, text, contextLength, count);
  const known = new Set(tokenizer.vocabulary);
  const unknown = unknownCharacters({ has: (ch) => known.has(ch) }, text);
  if (unknown.length > 0) {
    const shown = unknown.slice(0, 12).map(showCharacter).join(', ');
    throw new CalibrationTextError(
      `the calibration text has ${unknown.length} character${unknown.length === 1 ? '' : 's'} the model never saw in training: ${shown}${unknown.length > 12 ? ', …' : ''}. Remove or replace ${unknown.length === 1 ? 'it' : 'them'} (the model knows the ${tokenizer.size} characters of the Brown corpus: letters, digits, common punctuation, space and newline)`,
    );
  }
  const ids = tokenizer.encode(text);
  if (ids.length < contextLength)
    throw new CalibrationTextError(`the calibration text is too short: ${ids.length} characters, and one window of the model's context needs ${contextLength}`);
  const windows = leadingWindows(ids, contextLength, count);
  const description = `the first ${windows.length} window${windows.length === 1 ? '' : 's'} of ${contextLength} characters of the given text (${ids.length.toLocaleString('en-US')} characters${windows.length < count ? `; ${count} windows need ${count * contextLength}` : ''})`;
  return { windows, description };
}

/** The word model's calibration: unknown words are `<unk>` (as in training), and the description says which. */
function wordCalibration(tokenizer: Tokenizer, text: string, contextLength: number, count: number): TextCalibration {
  const ids = tokenizer.encode(text);
  if (ids.length < contextLength)
    throw new CalibrationTextError(
      `the calibration text is too short: ${ids.length} tokens (words and punctuation marks), and one window of the model's context needs ${contextLength}`,
    );
  const windows = leadingWindows(ids, contextLength, count);
  const unknown = tokenizer.findUnknown(text);
  const unknownNote =
    unknown.length === 0
      ? ''
      : `; ${unknown.length} word${unknown.length === 1 ? '' : 's'} outside the model's vocabulary read as <unk>: ${quoteWords(unknown, 6)}`;
  const description = `the first ${windows.length} window${windows.length === 1 ? '' : 's'} of ${contextLength} tokens of the given text (${ids.length.toLocaleString('en-US')} tokens${windows.length < count ? `; ${count} windows need ${count * contextLength}` : ''}${unknownNote})`;
  return { windows, description };
}
