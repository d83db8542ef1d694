/**
 * Shell commands the site shows for readers to copy ("the same texts on the command
 * line: npm run …"). Their values come from the page's URL, so from whoever wrote the
 * link: every value is quoted for a POSIX shell, so that a copied command runs exactly
 * the program and arguments shown and nothing else (`$(…)`, backticks, `;`, quotes and
 * newlines stay inside their argument).
 *
 * Quoting: a value of only "safe" characters (letters, digits and `_ @ % + = : , . / -`)
 * is shown bare (`--sparsity 0.5`, `--nm 2:4`); any other value is wrapped in single
 * quotes, inside which a POSIX shell takes every character literally, and a single quote
 * is written `'\''` (close, an escaped quote, reopen). The empty string is `''`.
 *
 * Refused (an {@link UnquotableError}): values no command can carry or that a terminal
 * may act on when pasted, whatever the quoting: NUL (an argument cannot hold it), the
 * other control characters except tab and newline (a pasted escape sequence can end a
 * terminal's bracketed paste or run line-editing commands), and the Unicode bidirectional
 * controls (they make the text shown differ from the text copied).
 */

import { GD_DEFAULTS } from '../core/gd.ts';

/** A value that cannot be shown safely in a shell command. */
export class UnquotableError extends Error {
  constructor(
    message: string,
    /** The offending value. */
    readonly value: string,
  ) {
    super(message);
    this.name = 'UnquotableError';
  }
}

const SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;
// C0 controls except tab (\t, U+0009) and newline (\n, U+000A); DEL; C1 controls.
// biome-ignore lint/suspicious/noControlCharactersInRegex: these are exactly the characters refused.
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/u;
// Bidirectional embeddings, overrides and isolates, and the marks.
const BIDI = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;

/** Why a value cannot be quoted, in words (naming the character by code point), or '' if it can. */
export function unquotableReason(value: string): string {
  const c = CONTROL.exec(value) ?? BIDI.exec(value);
  if (!c) return '';
  const code = `U+${c[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
  if (c[0] === '\u0000') return `it contains a NUL character (${code}), which no command-line argument can hold`;
  if (BIDI.test(c[0])) return `it contains a bidirectional-text control (${code}), which would make the command shown differ from the one copied`;
  return `it contains the control character ${code}, which a terminal may act on when the command is pasted`;
}

/** One value as a POSIX shell word; throws {@link UnquotableError} for values it refuses. */
export function shellQuote(value: string | number): string {
  const s = String(value);
  const why = unquotableReason(s);
  if (why) throw new UnquotableError(`cannot show this value in a shell command: ${why}`, s);
  if (SAFE.test(s)) return s;
  return `'${s.replaceAll("'", `'\\''`)}'`;
}

/** A command line from its words, each quoted with {@link shellQuote}. */
export function shellCommand(words: readonly (string | number)[]): string {
  return words.map(shellQuote).join(' ');
}

/** A command line, or the reason it cannot be shown (for the widget to say instead). */
export function tryShellCommand(words: readonly (string | number)[]): { ok: true; command: string } | { ok: false; why: string } {
  try {
    return { ok: true, command: shellCommand(words) };
  } catch (e) {
    if (e instanceof UnquotableError) return { ok: false, why: e.message };
    throw e;
  }
}

/**
 * Gradient descent's flags for a command that reproduces a run with these options: none
 * when they are the CLI's defaults (GD_DEFAULTS), else all five, so that a line beside a
 * table in the paper's form reads `--step fixed --lambda 0.1 --eta 0.05 --iters 300 --score relaxed`.
 */
export function gdFlags(gd: { lambda: number; eta: number; iters: number; step?: string; score?: string }): (string | number)[] {
  const full = { step: GD_DEFAULTS.step, score: GD_DEFAULTS.score, ...gd };
  const same = full.lambda === GD_DEFAULTS.lambda && full.eta === GD_DEFAULTS.eta && full.iters === GD_DEFAULTS.iters;
  if (same && full.step === GD_DEFAULTS.step && full.score === GD_DEFAULTS.score) return [];
  return ['--step', full.step, '--lambda', full.lambda, '--eta', full.eta, '--iters', full.iters, '--score', full.score];
}
