/**
 * The answers a student checked in this browser, kept so a teacher can collect them with
 * no server: every Check of an exercise appends one record (exercise, answer, checked
 * result, time) to the browser's localStorage, and the page exports them as one file,
 * JSON or CSV. No DOM here (the unit tests run it as it is); the storage is passed in.
 *
 * What a student typed is untrusted text: it is stored and exported as text, never
 * turned into markup, and in CSV a cell that a spreadsheet would run as a formula gets a
 * leading apostrophe.
 */

export interface AnswerRecord {
  /** Which exercise (and problem), e.g. "Exercise: predict the winner, problem B". */
  exercise: string;
  /** What the student entered, as text ("method=wanda"). */
  answer: string;
  /** The page's verdict and its one-line reason. */
  result: string;
  /** When it was checked (ISO 8601, UTC). */
  time: string;
}

/** The localStorage key (one per site origin). */
export const ANSWER_LOG_KEY = 'pruning-attention.answers';
/** At most this many records are kept (the oldest go first): a class's worth, far below the storage quota. */
export const ANSWER_LOG_MAX = 1000;
/** A field longer than this is cut (a pasted essay in an η field stays a few kB). */
const FIELD_MAX = 2000;

type Store = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

const FIELDS = ['exercise', 'answer', 'result', 'time'] as const;

function isRecord(x: unknown): x is AnswerRecord {
  return typeof x === 'object' && x !== null && FIELDS.every((k) => typeof (x as Record<string, unknown>)[k] === 'string');
}

/** The stored records; anything malformed (edited by hand, another version) is skipped, never thrown. */
export function readAnswers(store: Store): AnswerRecord[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(store.getItem(ANSWER_LOG_KEY) ?? '[]');
  } catch {
    return [];
  }
  return Array.isArray(parsed) ? parsed.filter(isRecord).map((r) => ({ exercise: r.exercise, answer: r.answer, result: r.result, time: r.time })) : [];
}

/** Append one record (fields cut to a sane length). Returns false when the browser refuses to store it. */
export function recordAnswer(store: Store, record: AnswerRecord): boolean {
  const clean = Object.fromEntries(FIELDS.map((k) => [k, record[k].slice(0, FIELD_MAX)])) as unknown as AnswerRecord;
  const all = [...readAnswers(store), clean].slice(-ANSWER_LOG_MAX);
  try {
    store.setItem(ANSWER_LOG_KEY, JSON.stringify(all));
    return true;
  } catch {
    // Storage disabled (private mode, a policy) or full: the check itself still works.
    return false;
  }
}

export function clearAnswers(store: Store): void {
  store.removeItem(ANSWER_LOG_KEY);
}

/** The export as JSON: `{ exported, answers: [...] }`. */
export function answersJson(records: readonly AnswerRecord[], exported: string): string {
  return `${JSON.stringify({ exported, answers: records }, null, 1)}\n`;
}

/**
 * One CSV cell (RFC 4180): always quoted, inner quotes doubled, so commas and line breaks
 * stay inside it. A cell starting with = + - @ (or a tab or carriage return) is one a
 * spreadsheet may run as a formula: it gets a leading apostrophe, shown as text.
 */
export function csvCell(value: string): string {
  const guarded = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return `"${guarded.replaceAll('"', '""')}"`;
}

/** The export as CSV: a header row, then one row per check, CRLF line ends. */
export function answersCsv(records: readonly AnswerRecord[]): string {
  const rows = [['exercise', 'answer', 'checked result', 'time'], ...records.map((r) => FIELDS.map((k) => r[k]))];
  return rows.map((row) => row.map(csvCell).join(',')).join('\r\n') + '\r\n';
}
