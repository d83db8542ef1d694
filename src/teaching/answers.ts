/**
 * Judging a reader's answers, with no DOM so the unit tests run it as it is: reading
 * numbers as people type them, comparing a matrix entry by entry with a tolerance and
 * naming the usual slips, and ranking the methods of a comparison.
 */

export type ParsedNumber = { ok: true; value: number } | { ok: false; why: string };

/**
 * A number as a reader types it. Accepts a typographic minus (−, as the page prints it),
 * a leading "+", ".5" and exponents (1e-3, 1.5E+2). The decimal mark is the point only:
 * "1,5" is refused with a message saying so (a comma could as well separate two numbers,
 * so reading it as 1.5 would be a guess). Everything else is refused with the reason in
 * words; `examples` are the numbers the messages suggest (ones the field would accept).
 */
export function parseReaderNumber(raw: string, examples: readonly string[] = ['-0.125', '0.5', '1.5e-2']): ParsedNumber {
  const s = raw
    .trim()
    .replace(/[\u2212\u2013\u2012]/g, '-')
    .replace(/\s+/g, '');
  if (s === '') return { ok: false, why: `is empty: enter a number such as ${examples[0]}` };
  if (/^[+-]?\d*,\d+(e[+-]?\d+)?$/i.test(s)) {
    return { ok: false, why: `"${clip(raw.trim())}" has a decimal comma: write the decimal mark as a point (${clip(s.replace(',', '.'))})` };
  }
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(s)) {
    return { ok: false, why: `"${clip(raw.trim())}" is not a number: write it like ${examples.join(', ').replace(/, ([^,]*)$/, ' or $1')}` };
  }
  const value = Number(s);
  if (!Number.isFinite(value)) return { ok: false, why: `"${clip(raw.trim())}" is too large to be a number here` };
  return { ok: true, value };
}

function clip(s: string): string {
  return s.length > 20 ? `${s.slice(0, 20)}…` : s;
}

/** One entry of a reader's matrix against the computed one. */
export interface EntryJudgement {
  row: number;
  col: number;
  given: number;
  expected: number;
  ok: boolean;
  /** Which way a wrong entry is off, without giving the value away. */
  direction?: 'too large' | 'too small';
  /** A recognised slip, in words. */
  hint?: string;
}

export interface MatrixJudgement {
  allRight: boolean;
  entries: EntryJudgement[];
  /** A slip that explains the whole answer (e.g. the transpose). */
  overall?: string;
}

/**
 * Compare a reader's d×d matrix (row-major) with the computed one, entry by entry:
 * |given − expected| ≤ tol. `withoutRegulariser` is the gradient with λ = 0, to
 * recognise an answer that left out the λM term.
 */
export function judgeMatrix(
  given: readonly number[],
  expected: ArrayLike<number>,
  cols: number,
  tol: number,
  withoutRegulariser?: ArrayLike<number>,
): MatrixJudgement {
  if (given.length !== expected.length) throw new Error(`expected ${expected.length} entries, got ${given.length}`);
  const close = (a: number, b: number): boolean => Math.abs(a - b) <= tol;
  const entries: EntryJudgement[] = [];
  for (let i = 0; i < given.length; i++) {
    const g = given[i];
    const e = expected[i];
    const entry: EntryJudgement = { row: Math.floor(i / cols), col: i % cols, given: g, expected: e, ok: close(g, e) };
    if (!entry.ok) {
      entry.direction = g > e ? 'too large' : 'too small';
      if (withoutRegulariser && close(g, withoutRegulariser[i])) entry.hint = 'it matches the gradient without the λM term: add λ times this entry of M';
      else if (close(g, -e)) entry.hint = 'it has the right size but the wrong sign';
    }
    entries.push(entry);
  }
  const allRight = entries.every((x) => x.ok);
  let overall: string | undefined;
  if (!allRight) {
    const rows = expected.length / cols;
    const transposeMatches = given.every((g, i) => close(g, expected[(i % cols) * rows + Math.floor(i / cols)]));
    if (rows === cols && transposeMatches) overall = 'Your matrix is the transpose of the gradient: check which index of Xᵀ P X belongs to the rows of W.';
  }
  return { allRight, entries, overall };
}

/** One method's score in a comparison. */
export interface MethodScore<M extends string = string> {
  method: M;
  error: number;
}

export interface WinnerJudgement<M extends string = string> {
  verdict: 'right' | 'wrong';
  /** The methods with the lowest error (several only on an exact tie). */
  winners: M[];
  /** Every finite score, lowest error first. */
  ranking: MethodScore<M>[];
  /** 1-based place of the reader's pick in the ranking (ties share a place); undefined if it failed. */
  pickPlace?: number;
}

/**
 * Is the reader's pick the method with the lowest error? Errors within a relative
 * `tieTolerance` of the lowest count as tied winners, so a pick is never marked wrong
 * for a difference in the last bits. Non-finite errors (a failed method) rank nowhere.
 */
export function judgeWinner<M extends string>(pick: M, scores: readonly MethodScore<M>[], tieTolerance = 1e-9): WinnerJudgement<M> {
  const ranking = scores.filter((s) => Number.isFinite(s.error)).sort((a, b) => a.error - b.error);
  if (ranking.length === 0) throw new Error('no method produced a finite error');
  const best = ranking[0].error;
  const tied = (e: number, ref: number): boolean => e <= ref + tieTolerance * Math.max(Math.abs(ref), 1e-300);
  const winners = ranking.filter((s) => tied(s.error, best)).map((s) => s.method);
  const mine = ranking.find((s) => s.method === pick);
  const pickPlace = mine ? 1 + ranking.filter((s) => !tied(mine.error, s.error)).length : undefined;
  return { verdict: winners.includes(pick) ? 'right' : 'wrong', winners, ranking, pickPlace };
}
