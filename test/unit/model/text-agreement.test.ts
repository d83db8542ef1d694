/**
 * The generated-text figure's two measures (src/model/textAgreement.ts) on hand-made
 * cases: the first departure of a pruned continuation (in tokens, with the departing
 * token's characters for characters and for words), top-1 agreement, and the arg-max
 * tokens taken from the scoring pass, checked against the forward pass's logits.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src/core/tf/backend.ts';
import { departureJson, departureText, firstDeparture, textDeparture, tokenSpan, tokenUnit, top1Agreement } from '../../../src/model/textAgreement.ts';
import { agreementOn, argmaxTokens, score } from '../../../src/model/evaluate.ts';
import { forward } from '../../../src/model/transformer.ts';
import { loadModelNode, type Model } from '../../../src/model/weights.ts';
import type { HeadOverride } from '../../../src/model/transformer.ts';

const chars = (ids: number[]) => ids.map((i) => 'abcdefgh'[i]).join('');
const WORDS = ['the', 'jury', 'said', 'it', 'was'];
const words = (ids: number[]) => ids.map((i) => WORDS[i]).join(' ');

describe('first departure', () => {
  it('is the 1-based position of the first token that differs', () => {
    expect(firstDeparture([1, 2, 3], [4, 2, 3])).toEqual({ kind: 'at', token: 1 });
    expect(firstDeparture([1, 2, 3, 4], [1, 2, 5, 4])).toEqual({ kind: 'at', token: 3 });
    expect(firstDeparture(Int32Array.from([1, 2, 3]), Int32Array.from([1, 2, 0]))).toEqual({ kind: 'at', token: 3 });
  });

  it('is "never" for equal continuations, said in words, and where the shorter ends for unequal lengths', () => {
    expect(firstDeparture([1, 2, 3], [1, 2, 3])).toEqual({ kind: 'never', tokens: 3 });
    expect(firstDeparture([], [])).toEqual({ kind: 'never', tokens: 0 });
    expect(firstDeparture([1, 2], [1, 2, 3])).toEqual({ kind: 'at', token: 3 });
    expect(departureJson({ kind: 'at', token: 7 })).toBe(7);
    expect(departureJson({ kind: 'never', tokens: 80 })).toBe("never: the 80 generated tokens equal the dense model's");
    expect(departureText({ kind: 'at', token: 7 }, 'character')).toBe('at character 7');
    expect(departureText({ kind: 'never', tokens: 80 }, 'character')).toBe('never: the same 80 characters');
    expect(departureText({ kind: 'never', tokens: 1 })).toBe('never: the same 1 token');
  });

  it('marks the departing token’s own characters: a character, or a word without the space before it', () => {
    expect(tokenSpan(chars, [0, 1, 2, 3], 2)).toEqual({ start: 2, end: 3 });
    expect(textDeparture(chars, [0, 1, 2], [0, 1, 3])).toEqual({ kind: 'at', token: 3, start: 2, end: 3 });
    // "the jury was": the third word starts after "the jury ".
    const d = textDeparture(words, [0, 1, 2], [0, 1, 4]);
    expect(d).toEqual({ kind: 'at', token: 3, start: 9, end: 12 });
    expect(words([0, 1, 4]).slice(9, 12)).toBe('was');
    expect(tokenSpan(words, [0, 1], 0)).toEqual({ start: 0, end: 3 });
    expect(textDeparture(words, [0, 1], [0, 1])).toEqual({ kind: 'never', tokens: 2 });
  });

  it('falls back to the rest of the text when a tokenizer merges across tokens', () => {
    // A decoder whose prefixes are not prefixes of the whole text (it rewrites "ab" to "X").
    const merging = (ids: number[]) => chars(ids).replace('ab', 'X');
    expect(tokenSpan(merging, [0, 1, 2], 0)).toEqual({ start: 0, end: 2 });
  });

  it('names the unit: characters when every token is one character', () => {
    expect(tokenUnit(['a', 'b', ' '])).toBe('character');
    expect(tokenUnit(['the', 'a', ' '])).toBe('token');
  });
});

describe('top-1 agreement', () => {
  it('is the share of positions with the same arg-max token', () => {
    const dense = [Int32Array.from([1, 2, 3, 4]), Int32Array.from([5, 6, 7, 8])];
    const pruned = [Int32Array.from([1, 0, 3, 4]), Int32Array.from([5, 6, 0, 0])];
    expect(top1Agreement(dense, pruned)).toEqual({ agreement: 5 / 8, positions: 8 });
    expect(top1Agreement(dense, dense)).toEqual({ agreement: 1, positions: 8 });
  });

  it('counts only the scored positions when the evaluation scores some', () => {
    const dense = [Int32Array.from([1, 2, 3, 4])];
    const pruned = [Int32Array.from([9, 9, 3, 4])];
    expect(top1Agreement(dense, pruned, [Uint8Array.from([0, 0, 1, 1])])).toEqual({ agreement: 1, positions: 2 });
    expect(top1Agreement(dense, pruned, [Uint8Array.from([1, 1, 0, 1])])).toEqual({ agreement: 1 / 3, positions: 3 });
  });

  it('refuses mismatched or empty inputs in words, never NaN', () => {
    expect(() => top1Agreement([Int32Array.from([1])], [])).toThrow(/1 dense sequences but 0 pruned/);
    expect(() => top1Agreement([Int32Array.from([1, 2])], [Int32Array.from([1])])).toThrow(/2 dense positions but 1 pruned/);
    expect(() => top1Agreement([], [])).toThrow(/no positions/);
    expect(() => top1Agreement([Int32Array.from([1])], [Int32Array.from([1])], [Uint8Array.from([0])])).toThrow(/no positions/);
  });
});

describe('arg-max tokens from the scoring pass', () => {
  let brown: Model;
  beforeAll(async () => {
    await initBackend(['wasm', 'cpu']);
    brown = await loadModelNode('brown-char');
  });

  it('are the forward pass’s arg-max (lowest id on ties) at every input position, and leave the score as it was', () => {
    const ids = brown.tokenizer.encode('The jury said it did find that many of the registration and election laws are outmoded.');
    const set = { sequences: [ids.slice(0, 30), ids.slice(30, 60), ids.slice(5, 20)], description: 'hand-made' };
    const argmax = argmaxTokens(brown, set);
    expect(argmax.map((a) => a.length)).toEqual([29, 29, 14]);
    const V = brown.config.vocabSize;
    set.sequences.forEach((s, i) => {
      const { logits } = forward(brown, [s.subarray(0, s.length - 1)]);
      const want = Array.from({ length: s.length - 1 }, (_, t) => {
        let best = 0;
        for (let v = 1; v < V; v++) if (logits[t * V + v] > logits[t * V + best]) best = v;
        return best;
      });
      expect(Array.from(argmax[i]), `sequence ${i}`).toEqual(want);
    });
    const withArgmax: Int32Array[] = [];
    expect(score(brown, set, undefined, withArgmax)).toEqual(score(brown, set));
    expect(withArgmax).toEqual(argmax);
  });

  it('agree fully with an unpruned model and less with a head zeroed out', () => {
    const ids = brown.tokenizer.encode('It was a bright cold day in April, and the clocks were striking thirteen.');
    const set = { sequences: [ids.slice(0, 40), ids.slice(30, 70)], description: 'hand-made' };
    expect(agreementOn(brown, set, () => undefined)).toEqual({ agreement: 1, positions: 78 });
    const d = brown.config.dModel;
    const zero: HeadOverride = { kind: 'merged', W: new Float32Array(d * d) };
    const pruned = agreementOn(brown, set, () => zero);
    expect(pruned.positions).toBe(78);
    expect(pruned.agreement).toBeGreaterThan(0);
    expect(pruned.agreement).toBeLessThan(1);
  });
});
