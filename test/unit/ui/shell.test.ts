import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { shellCommand, shellQuote, tryShellCommand, UnquotableError, unquotableReason } from '../../../src/ui/shell.ts';

/** Values a crafted link could put into a command the page shows. */
const HOSTILE = [
  '$(touch pwned)',
  '`touch pwned`',
  '"; touch pwned; echo "',
  "'; touch pwned; echo '",
  "it's",
  "''",
  "'\\''",
  'a\nb',
  'x\ntouch pwned',
  'a; touch pwned',
  'a && touch pwned',
  'a | touch pwned',
  '$HOME',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell parameter expansion, on purpose.
  '${IFS}touch${IFS}pwned',
  '\\',
  '\\$(touch pwned)',
  '*',
  '~',
  '!!',
  '#comment',
  '> pwned',
  '< /etc/passwd',
  'a\tb',
  ' leading and trailing ',
  '-rf',
  '--prompt=x',
  'Ünïcödé € 🙂 — “quotes” ‘single’',
  '日本語',
  '<img src=x onerror=alert(1)>',
  '',
];

const dir = mkdtempSync(join(tmpdir(), 'shell-quote-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Run `printf '%s\0' <quoted words>` in a real POSIX shell and return the arguments it received. */
function argvThroughShell(words: readonly string[]): string[] {
  const script = `printf '%s\\0' ${words.map((w) => shellQuote(w)).join(' ')}`;
  const out = execFileSync('/bin/sh', ['-c', script], { cwd: dir, encoding: 'utf8' });
  return out.split('\0').slice(0, -1);
}

describe('shell quoting', () => {
  it('leaves plain words bare and quotes everything else', () => {
    expect(shellCommand(['npm', 'run', '--silent', 'cli', '--', 'generate', '--nm', '2:4', '--sparsity', 0.5, '--tokens', 120])).toBe(
      'npm run --silent cli -- generate --nm 2:4 --sparsity 0.5 --tokens 120',
    );
    expect(shellQuote('The jury said')).toBe("'The jury said'");
    expect(shellQuote('')).toBe("''");
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
    expect(shellQuote('$(touch pwned)')).toBe("'$(touch pwned)'");
    expect(shellQuote('`id`')).toBe("'`id`'");
    expect(shellQuote('a\nb')).toBe("'a\nb'");
  });

  it.each(HOSTILE)('a real shell receives %j as one argument, unchanged, and runs nothing', (value) => {
    expect(argvThroughShell(['--prompt', value, '--tokens', '5'])).toEqual(['--prompt', value, '--tokens', '5']);
    expect(existsSync(join(dir, 'pwned'))).toBe(false);
  });

  it('every hostile value at once, in one command', () => {
    expect(argvThroughShell(HOSTILE)).toEqual(HOSTILE);
    expect(existsSync(join(dir, 'pwned'))).toBe(false);
  });

  it.each([
    ['NUL', 'a\u0000b', /NUL character \(U\+0000\)/],
    ['escape (ends bracketed paste)', 'x\u001b[201~touch pwned\n', /control character U\+001B/],
    ['carriage return', 'a\rb', /control character U\+000D/],
    ['backspace', 'a\bb', /U\+0008/],
    ['DEL', 'a\u007fb', /U\+007F/],
    ['C1 control', 'a\u009bb', /U\+009B/],
    ['right-to-left override', "a\u202e'b", /bidirectional-text control \(U\+202E\)/],
    ['isolate', 'a\u2066b', /U\+2066/],
  ])('refuses %s', (_name, value, why) => {
    expect(() => shellQuote(value)).toThrow(UnquotableError);
    expect(unquotableReason(value)).toMatch(why);
    const r = tryShellCommand(['generate', '--prompt', value]);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.why).toMatch(why);
  });

  it('accepts tab and newline, which single quotes carry', () => {
    expect(unquotableReason('a\tb\nc')).toBe('');
    expect(tryShellCommand(['x', 'a\tb\nc'])).toEqual({ ok: true, command: "x 'a\tb\nc'" });
  });
});
