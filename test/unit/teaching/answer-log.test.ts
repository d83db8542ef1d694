/** The answer log a teacher collects (issue 20): stored in the browser, exported as JSON and CSV, CSV cells quoted and formula-guarded. */
import { describe, expect, it } from 'vitest';
import {
  ANSWER_LOG_KEY,
  ANSWER_LOG_MAX,
  type AnswerRecord,
  answersCsv,
  answersJson,
  clearAnswers,
  csvCell,
  readAnswers,
  recordAnswer,
} from '../../../src/teaching/answerLog.ts';

/** localStorage's interface over a Map; `full` makes setItem throw like a full or disabled storage. */
function memoryStore(full = false) {
  const m = new Map<string, string>();
  return {
    getItem: (k: string) => m.get(k) ?? null,
    setItem: (k: string, v: string) => {
      if (full) throw new DOMException('quota', 'QuotaExceededError');
      m.set(k, v);
    },
    removeItem: (k: string) => void m.delete(k),
    raw: m,
  };
}

const rec = (answer: string, i = 0): AnswerRecord => ({
  exercise: 'Exercise: find a diverging step',
  answer,
  result: 'right: Right: gradient descent diverged at iteration 3.',
  time: `2026-12-07T16:0${i}:00.000Z`,
});

describe('the stored log', () => {
  it('appends records in order and reads them back', () => {
    const s = memoryStore();
    expect(readAnswers(s)).toEqual([]);
    expect(recordAnswer(s, rec('eta=0.2', 1))).toBe(true);
    expect(recordAnswer(s, rec('eta=5', 2))).toBe(true);
    expect(readAnswers(s).map((r) => r.answer)).toEqual(['eta=0.2', 'eta=5']);
    clearAnswers(s);
    expect(readAnswers(s)).toEqual([]);
  });

  it('skips what is malformed instead of throwing, and keeps only the four fields', () => {
    const s = memoryStore();
    s.setItem(ANSWER_LOG_KEY, '{not json');
    expect(readAnswers(s)).toEqual([]);
    s.setItem(ANSWER_LOG_KEY, JSON.stringify([rec('ok'), { exercise: 1 }, null, 'x', { ...rec('extra'), html: '<img src=x onerror=alert(1)>' }]));
    const read = readAnswers(s);
    expect(read.map((r) => r.answer)).toEqual(['ok', 'extra']);
    expect(Object.keys(read[1])).toEqual(['exercise', 'answer', 'result', 'time']);
  });

  it('keeps the newest records up to the limit, cuts very long fields, and reports a storage that refuses', () => {
    const s = memoryStore();
    s.setItem(ANSWER_LOG_KEY, JSON.stringify(Array.from({ length: ANSWER_LOG_MAX }, (_, i) => rec(`a${i}`))));
    recordAnswer(s, rec('x'.repeat(10_000)));
    const read = readAnswers(s);
    expect(read).toHaveLength(ANSWER_LOG_MAX);
    expect(read[0].answer).toBe('a1');
    expect(read.at(-1)?.answer).toHaveLength(2000);
    expect(recordAnswer(memoryStore(true), rec('eta=1'))).toBe(false);
  });
});

describe('the export', () => {
  it('JSON: every record with the export time', () => {
    const parsed = JSON.parse(answersJson([rec('eta=0.2')], '2026-12-07T17:00:00.000Z'));
    expect(parsed).toEqual({ exported: '2026-12-07T17:00:00.000Z', answers: [rec('eta=0.2')] });
  });

  it('CSV cells are always quoted, with inner quotes doubled: commas, quotes and line breaks stay in their cell', () => {
    expect(csvCell('plain')).toBe('"plain"');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
  });

  it.each(['=1+1', '+1', '-0.5', '@SUM(A1)', '\t=1', '\r=1', '=HYPERLINK("http://x","y")'])(
    'a cell starting like a formula, %j, gets a leading apostrophe',
    (v) => {
      const cell = csvCell(v);
      expect(cell.startsWith(`"'`)).toBe(true);
      expect(cell.slice(2, -1).replaceAll('""', '"')).toBe(v);
    },
  );

  it('CSV: a header, one row per record, CRLF line ends; a hostile answer stays one cell', () => {
    const csv = answersCsv([rec('eta=0.2'), rec('=cmd|"/c calc"!A1,"\r\nx')]);
    const lines = csv.split('\r\n');
    expect(lines[0]).toBe('"exercise","answer","checked result","time"');
    expect(lines[1]).toBe(`"Exercise: find a diverging step","eta=0.2","right: Right: gradient descent diverged at iteration 3.","2026-12-07T16:00:00.000Z"`);
    expect(csv).toContain(`"'=cmd|""/c calc""!A1,""\r\nx"`);
    expect(csv.endsWith('\r\n')).toBe(true);
    expect(answersCsv([])).toBe('"exercise","answer","checked result","time"\r\n');
  });
});
