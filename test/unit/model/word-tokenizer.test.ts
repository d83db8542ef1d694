/**
 * brown-word's tokenizer (issue 19): the vocabulary and its written forms, encoding
 * with <unk>, decoding rules, prefix-stable decoding (a continuation's text), the
 * embedding gradient that training uses, <unk> never sampled, and the dictionary share.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../../src/core/tf/backend.ts';
import { FILE_SEPARATOR, UNKNOWN_TOKEN, WordTokenizer, splitWords, unknownWordsMessage, wordVocabulary } from '../../../src/model/wordTokenizer.ts';
import { dictionaryShare } from '../../../src/model/dictionaryWords.ts';
import { makeModel, makeTokenizer } from '../../../src/model/weights.ts';
import { textDeparture } from '../../../src/model/textAgreement.ts';
import { generate, trainableLookup } from '../../../src/model/transformer.ts';
import { initParams } from '../../../src/model/train.ts';
import type { ModelConfig } from '../../../src/model/config.ts';

beforeAll(async () => {
  await initBackend(['wasm', 'cpu']);
});

const TEXT =
  'The jury said that "it was fine," and Mr. Smith\'s dog didn\'t go. The dog said it was the jury. ' +
  'I said the U.S. jury was long-term fine; the dog, I think, was not. Smith said "no".\nThe second file said it too.';

describe('word vocabulary', () => {
  it('is <unk>, the file separator, then the most frequent words in their usual written form', () => {
    const v = wordVocabulary(TEXT, { words: 12 });
    expect(v.slice(0, 2)).toEqual([UNKNOWN_TOKEN, FILE_SEPARATOR]);
    expect(v.length).toBe(14);
    // "the" (7 times, capitalised only at sentence starts) is written in lower case; "I" and "Smith" keep their capitals.
    expect(v[2]).toBe('the');
    expect(v).toContain('I');
    expect(v).toContain('Smith');
    expect(v).not.toContain('smith');
  });

  it('splits words, marks, abbreviations and the possessive', () => {
    expect(splitWords("Mr. Smith's dog didn't go to the U.S. -- long-term.")).toEqual([
      'Mr.',
      'Smith',
      "'s",
      'dog',
      "didn't",
      'go',
      'to',
      'the',
      'U.S.',
      '--',
      'long',
      '-',
      'term',
      '.',
    ]);
  });
});

describe('WordTokenizer', () => {
  const tok = new WordTokenizer(wordVocabulary(TEXT, { words: 60 }));

  it('encodes case-insensitively, unknown words as <unk>, and names them', () => {
    const ids = tok.encode('THE JURY said Ierulli was fine');
    expect(Array.from(ids.slice(0, 3))).toEqual(Array.from(tok.encode('the jury Said')));
    expect(ids[3]).toBe(tok.unknownId);
    expect(tok.findUnknown('the Ierulli and ierulli, Zog')).toEqual(['Ierulli', 'Zog']);
    expect(unknownWordsMessage(tok, 'the Ierulli')).toMatch(/1 word the model does not know: “Ierulli”/);
    expect(unknownWordsMessage(tok, 'the jury')).toBe('');
  });

  it('marks the departing word of a continuation on the text as shown (decoded after the prompt)', () => {
    const context = tok.encode('The jury said');
    const dense = tok.encode('that it was fine. The dog said it.');
    const pruned = tok.encode('that it was the jury. The dog said it.');
    const shown = tok.decodeAfter(context, pruned);
    const d = textDeparture((ids) => tok.decodeAfter(context, ids), dense, pruned);
    expect(d).toMatchObject({ kind: 'at', token: 4 });
    if (d.kind === 'at') expect(shown.slice(d.start, d.end)).toBe('the');
  });

  it('decodes with the spacing, quote and capital rules', () => {
    expect(tok.decode(tok.encode('the jury said that "it was fine," and mr. smith\'s dog didn\'t go. the dog said it.'))).toBe(
      'The jury said that "it was fine," and Mr. Smith\'s dog didn\'t go. The dog said it.',
    );
    expect(tok.decode(tok.encode('long-term fine; i think\nthe second'))).toBe('Long-term fine; I think\nThe second');
  });

  it('decodes prefix-stably: a continuation is the rest of the whole text', () => {
    const ids = tok.encode(TEXT);
    for (let cut = 0; cut <= ids.length; cut++) {
      const whole = tok.decode(ids);
      expect(tok.decode(ids.subarray(0, cut)) + tok.decodeAfter(ids.subarray(0, cut), ids.subarray(cut))).toBe(whole);
    }
  });

  it('decoded text encodes back to the same tokens, <unk> included', () => {
    const ids = tok.encode(`${TEXT} Ierulli's cousin`);
    expect(Array.from(tok.encode(tok.decode(ids)))).toEqual(Array.from(ids));
  });

  it('the manifest kind picks the tokenizer; a word vocabulary must start with <unk>', () => {
    expect(makeTokenizer('word', tok.vocabulary).kind).toBe('word');
    expect(makeTokenizer('char', ['a', 'b']).kind).toBe('char');
    expect(() => new WordTokenizer(['the', UNKNOWN_TOKEN])).toThrow(/first vocabulary entry/);
    expect(() => new WordTokenizer([UNKNOWN_TOKEN, 'The', 'the'])).toThrow(/duplicate/);
  });
});

describe('training and sampling with words', () => {
  it('the embedding lookup has the one-hot product’s value and gradient', () => {
    const E = tf.randomNormal([7, 5], 0, 1, 'float32', 3) as tf.Tensor2D;
    const ids = tf.tensor1d([3, 1, 3, 6, 0, 3], 'int32');
    const R = tf.randomNormal([6, 5], 0, 1, 'float32', 4);
    const loss = (rows: (e: tf.Tensor2D) => tf.Tensor) => (e: tf.Tensor) => tf.sum(tf.mul(rows(e as tf.Tensor2D), R));
    const viaLookup = (e: tf.Tensor2D) => trainableLookup(e, ids);
    const viaOneHot = (e: tf.Tensor2D) => tf.matMul(tf.cast(tf.oneHot(ids, 7), 'float32') as tf.Tensor2D, e);
    expect(maxDiff(viaLookup(E).dataSync(), viaOneHot(E).dataSync())).toBe(0);
    const g1 = tf.grad(loss(viaLookup))(E).dataSync();
    const g2 = tf.grad(loss(viaOneHot))(E).dataSync();
    expect(maxDiff(g1, g2)).toBeLessThan(1e-6);
    // Row 3 was looked up three times: its gradient is the sum of three rows of R.
    expect(Math.abs(g1[15])).toBeGreaterThan(0);
    tf.dispose([E, ids, R]);
  });

  it('never samples or picks <unk>, even when it is the most likely token', () => {
    const vocab = wordVocabulary(TEXT, { words: 20 });
    const config: ModelConfig = {
      name: 'brown-word',
      vocabSize: vocab.length,
      contextLength: 8,
      dModel: 8,
      nLayers: 1,
      nHeads: 2,
      dMlp: 8,
      activation: 'relu',
      lnEps: 1e-5,
    };
    const params = initParams(config, 1);
    params.get('unembed.b')!.data[0] = 50; // <unk> would win every draw
    const model = makeModel(config, vocab, params, undefined, 'word');
    for (const temperature of [0, 0.8, 5]) {
      const r = generate(model, 'the jury', 30, 2, temperature);
      expect(Array.from(r.ids)).not.toContain(0);
      expect(r.continuation).not.toContain(UNKNOWN_TOKEN);
    }
  });
});

describe('dictionary share', () => {
  it('counts words as written or lower-cased, and not digits or marks', () => {
    const dict = new Set(['the', 'jury', "Smith's", 'said', 'times']);
    const d = dictionaryShare('The jury, 42 times: "Smith\'s jurry said."', dict);
    expect(d).toEqual({ words: 6, english: 5, share: 5 / 6, notFound: ['jurry'] });
  });
});

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}
