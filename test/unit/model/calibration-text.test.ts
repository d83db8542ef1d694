/** Calibration from the reader's own text: the windows it takes, and every refusal in words. */
import { describe, expect, it } from 'vitest';
import { CharTokenizer } from '../../../src/model/tokenizer.ts';
import { calibrationFromText, CalibrationTextError } from '../../../src/model/calibrationText.ts';

const tok = CharTokenizer.fromText('abcdefghijklmnopqrstuvwxyz .,\n');
const T = 8;

describe('calibrationFromText', () => {
  it('takes the first consecutive windows of the context length', () => {
    const text = 'the cat sat on the mat, and then it slept.';
    const c = calibrationFromText(tok, text, T, 3);
    expect(c.windows).toHaveLength(3);
    expect(c.windows.map((w) => tok.decode(w))).toEqual([text.slice(0, 8), text.slice(8, 16), text.slice(16, 24)]);
    expect(c.description).toBe('the first 3 windows of 8 characters of the given text (42 characters)');
  });

  it('says when the text gives fewer windows than asked', () => {
    const c = calibrationFromText(tok, 'abcdefghijklmnopq', T, 8);
    expect(c.windows).toHaveLength(2);
    expect(c.description).toContain('8 windows need 64');
  });

  it('refuses empty, unknown, too short and too long text in words', () => {
    const refuse = (text: string, max?: number) => {
      try {
        calibrationFromText(tok, text, T, 8, max);
      } catch (e) {
        expect(e).toBeInstanceOf(CalibrationTextError);
        return (e as Error).message;
      }
      throw new Error('accepted');
    };
    expect(refuse('   \n ')).toMatch(/is empty/);
    const unknown = refuse('caf\u00e9 costs 5 \u20ac\ttoday');
    expect(unknown).toContain('4 characters the model never saw');
    for (const shown of ['“é”', '“5”', '“€”', 'tab']) expect(unknown).toContain(shown);
    expect(refuse('abc')).toMatch(/too short: 3 characters.*needs 8/);
    expect(refuse('a'.repeat(101), 100)).toMatch(/too long: 101 characters, and at most 100/);
  });
});
