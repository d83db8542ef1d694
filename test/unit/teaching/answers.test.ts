import { describe, expect, it } from 'vitest';
import { judgeMatrix, judgeWinner, parseReaderNumber } from '../../../src/teaching/answers.ts';
import { ETA_EXAMPLES, MAX_READER_ETA } from '../../../src/teaching/presets.ts';

describe('reading a number as a reader types it', () => {
  it.each([
    ['-0.25', -0.25],
    ['−0.25', -0.25],
    ['  .5 ', 0.5],
    ['+2', 2],
    ['1e-3', 0.001],
    ['1.5E+2', 150],
    ['-0', -0],
    ['- 0.3', -0.3],
  ])('accepts %j', (raw, value) => {
    expect(parseReaderNumber(raw)).toEqual({ ok: true, value });
  });

  it.each(['', '   ', 'abc', '1..2', '0,2,3', '1,5.2', '1e', '--1', 'Infinity', 'NaN', '0x10', '1/3', '1e999'])('refuses %j with a reason in words', (raw) => {
    const r = parseReaderNumber(raw);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.why).toMatch(/empty|not a number|too large/);
  });

  it.each(['1,5', '0,25', '-1,5e-3', ',5'])('refuses the decimal comma %j, saying the point is the decimal mark (issue 20)', (raw) => {
    const r = parseReaderNumber(raw);
    expect(r).toEqual({ ok: false, why: expect.stringMatching(/has a decimal comma: write the decimal mark as a point \(/) });
  });

  it('suggests numbers the field accepts: the η prompt only positive steps within its limit (issue 20)', () => {
    for (const raw of ['', 'abc']) {
      const r = parseReaderNumber(raw, ETA_EXAMPLES);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.why).not.toMatch(/-0\.125|−/);
    }
    for (const e of ETA_EXAMPLES) {
      const r = parseReaderNumber(e);
      expect(r.ok && r.value > 0 && r.value <= MAX_READER_ETA).toBe(true);
    }
    expect(parseReaderNumber('', ETA_EXAMPLES)).toEqual({ ok: false, why: 'is empty: enter a number such as 0.05' });
    expect(parseReaderNumber('x', ETA_EXAMPLES)).toEqual({ ok: false, why: '"x" is not a number: write it like 0.05 or 2e-3' });
  });

  it('says an empty field is empty and quotes what is not a number', () => {
    expect(parseReaderNumber('')).toEqual({ ok: false, why: expect.stringMatching(/^is empty/) });
    expect(parseReaderNumber('abc')).toEqual({ ok: false, why: expect.stringMatching(/^"abc" is not a number/) });
  });
});

describe('judging a matrix entry by entry', () => {
  const expected = [0.2817, -0.3634, -0.0589, 0.0411];
  const noReg = [0.1817, -0.3634, -0.0589, -0.0589];

  it('accepts entries within the tolerance, rejects those outside it', () => {
    expect(judgeMatrix([0.2814, -0.3631, -0.059, 0.041], expected, 2, 1e-3).allRight).toBe(true);
    const j = judgeMatrix([0.2817, -0.3634, -0.0569, 0.0411], expected, 2, 1e-3);
    expect(j.allRight).toBe(false);
    expect(j.entries.filter((e) => !e.ok).map((e) => [e.row, e.col, e.direction])).toEqual([[1, 0, 'too large']]);
  });

  it('recognises a forgotten λM and a flipped sign', () => {
    const j = judgeMatrix([0.1817, 0.3634, -0.0589, 0.0411], expected, 2, 1e-3, noReg);
    expect(j.entries[0].hint).toMatch(/λM/);
    expect(j.entries[1].hint).toMatch(/wrong sign/);
    expect(j.entries[2].ok && j.entries[3].ok).toBe(true);
  });

  it('recognises the transpose of a non-symmetric answer', () => {
    const j = judgeMatrix([0.2817, -0.0589, -0.3634, 0.0411], expected, 2, 1e-3);
    expect(j.allRight).toBe(false);
    expect(j.overall).toMatch(/transpose/);
  });

  it('refuses an answer of the wrong size', () => {
    expect(() => judgeMatrix([1, 2, 3], expected, 2, 1e-3)).toThrow(/4 entries/);
  });
});

describe('judging a predicted winner', () => {
  const scores = [
    { method: 'gd', error: 0.405 },
    { method: 'magnitude', error: 0.638 },
    { method: 'wanda', error: 0.592 },
    { method: 'sparsegpt', error: 0.604 },
  ];

  it('accepts the method with the lowest error and ranks the rest', () => {
    const j = judgeWinner('gd', scores);
    expect(j.verdict).toBe('right');
    expect(j.winners).toEqual(['gd']);
    expect(j.ranking.map((s) => s.method)).toEqual(['gd', 'wanda', 'sparsegpt', 'magnitude']);
    expect(j.pickPlace).toBe(1);
  });

  it('rejects any other pick and says where it came', () => {
    const j = judgeWinner('sparsegpt', scores);
    expect(j.verdict).toBe('wrong');
    expect(j.pickPlace).toBe(3);
  });

  it('treats a difference in the last bits as a tie', () => {
    const tied = [
      { method: 'a', error: 0.5 },
      { method: 'b', error: 0.5 * (1 + 1e-13) },
      { method: 'c', error: 0.7 },
    ];
    expect(judgeWinner('b', tied).verdict).toBe('right');
    expect(judgeWinner('b', tied).winners).toEqual(['a', 'b']);
    expect(judgeWinner('c', tied).pickPlace).toBe(3);
  });

  it('leaves a method that failed out of the ranking', () => {
    const j = judgeWinner('x', [
      { method: 'x', error: Number.NaN },
      { method: 'y', error: 0.3 },
    ]);
    expect(j.verdict).toBe('wrong');
    expect(j.pickPlace).toBeUndefined();
    expect(() => judgeWinner('x', [{ method: 'x', error: Infinity }])).toThrow(/finite/);
  });
});
