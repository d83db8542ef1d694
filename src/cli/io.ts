/**
 * Safe file input and output for the CLI. Inputs are read only from regular files,
 * with a size limit: a directory, a FIFO (even one with no writer), /dev/zero or any
 * other device is refused at once, never read or waited on. Outputs go only where a
 * write cannot hang or destroy an input: into an existing directory, not onto a
 * directory, FIFO or socket, and never onto a file the command reads. JSON output is
 * checked for non-finite numbers first (JSON.stringify would print NaN as null).
 */
import { closeSync, constants, fstatSync, openSync, readSync, statSync, writeFileSync, type Stats } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { NumericalError } from '../core/errors.ts';
import { UsageError } from './args.ts';

function kindOf(s: Stats): string {
  if (s.isDirectory()) return 'a directory';
  if (s.isFIFO()) return 'a FIFO (named pipe)';
  if (s.isCharacterDevice()) return 'a character device';
  if (s.isBlockDevice()) return 'a block device';
  if (s.isSocket()) return 'a socket';
  return 'not a regular file';
}

function mb(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / (1024 * 1024)).toFixed(1)} MB` : `${bytes} bytes`;
}

/**
 * The text of a regular file of at most `maxBytes` bytes, as UTF-8. `label` names the
 * input in messages (e.g. "--problem P.json"). Every failure is a UsageError (exit 1).
 */
export function readInputFile(path: string, label: string, maxBytes: number, read = true): string {
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO that has no writer returns at once instead of waiting.
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UsageError(`${label}: file not found`);
    if (code === 'EISDIR') throw new UsageError(`${label}: is a directory, not a file`);
    if (code === 'EACCES' || code === 'EPERM') throw new UsageError(`${label}: permission denied`);
    throw new UsageError(`${label}: cannot open (${code ?? (e as Error).message})`);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new UsageError(`${label}: is ${kindOf(st)}; only regular files are read`);
    if (st.size > maxBytes) throw new UsageError(`${label}: file too large (${mb(st.size)}; at most ${mb(maxBytes)})`);
    if (!read) return '';
    // Read at most maxBytes + 1 bytes, whatever the size said (a file may grow while read).
    const buf = Buffer.allocUnsafe(Math.min(st.size, maxBytes) + 1);
    let length = 0;
    for (;;) {
      if (length === buf.length) throw new UsageError(`${label}: file too large (at most ${mb(maxBytes)})`);
      const got = readSync(fd, buf, length, buf.length - length, null);
      if (got === 0) break;
      length += got;
    }
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(buf.subarray(0, length));
    } catch {
      throw new UsageError(`${label}: not valid UTF-8 text`);
    }
  } catch (e) {
    if (e instanceof UsageError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(`${label}: cannot read (${code ?? (e as Error).message})`);
  } finally {
    closeSync(fd);
  }
}

/**
 * Check, without reading it, that `path` (if given) is a regular file within `maxBytes`
 * (the same refusals as readInputFile), so a bad input fails before any slow work. Returns the path.
 */
export function precheckInputFile(path: string | undefined, flag: string, maxBytes: number): string | undefined {
  if (path === undefined) return undefined;
  readInputFile(path, `${flag} ${path}`, maxBytes, false);
  return path;
}

function statOrNull(path: string): Stats | null {
  try {
    return statSync(path);
  } catch {
    return null;
  }
}

/**
 * Refuse an output path before any work: its directory must exist, the path must not be
 * a directory, FIFO or socket, and it must not be one of `inputs` (the same file, also
 * through a link). Character devices (/dev/null, /dev/stdout on a terminal) are allowed.
 */
export function checkOutputPath(path: string, inputs: readonly (string | undefined)[] = [], flag = '--out'): void {
  if (path === '') throw new UsageError(`${flag} needs a file name`);
  const label = `${flag} ${path}`;
  const dir = statOrNull(dirname(resolve(path)));
  if (!dir) throw new UsageError(`${label}: the directory ${dirname(path)} does not exist`);
  if (!dir.isDirectory()) throw new UsageError(`${label}: ${dirname(path)} is not a directory`);
  const st = statOrNull(path);
  if (!st) return;
  if (st.isDirectory() || st.isFIFO() || st.isSocket()) throw new UsageError(`${label}: is ${kindOf(st)}; give a file name`);
  for (const input of inputs) {
    if (input === undefined) continue;
    const s = statOrNull(input);
    if (s && s.dev === st.dev && s.ino === st.ino) throw new UsageError(`${label}: is the input file ${input}; writing it would overwrite the input`);
  }
}

/** Write `text` to an output file after checkOutputPath; failures are exit 1 naming the flag. */
export function writeOutputFile(path: string, text: string, inputs: readonly (string | undefined)[] = [], flag = '--out'): void {
  checkOutputPath(path, inputs, flag);
  try {
    writeFileSync(path, text);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(`${flag} ${path}: cannot write (${code ?? (e as Error).message})`);
  }
}

/** The path of the first non-finite number in a JSON-like value, and the number; null if all are finite. */
export function firstNonFinite(value: unknown, path = '$'): { path: string; value: number } | null {
  if (typeof value === 'number') return Number.isFinite(value) ? null : { path, value };
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const r = firstNonFinite(value[i], `${path}[${i}]`);
      if (r) return r;
    }
    return null;
  }
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    const a = value as unknown as ArrayLike<number>;
    for (let i = 0; i < a.length; i++) if (typeof a[i] === 'number' && !Number.isFinite(a[i])) return { path: `${path}[${i}]`, value: a[i] };
    return null;
  }
  if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const r = firstNonFinite(v, path === '$' ? k : `${path}.${k}`);
      if (r) return r;
    }
  }
  return null;
}

/**
 * JSON.stringify, refusing non-finite numbers (which it would print as null): a
 * NumericalError (exit 2) naming the field. `hint` may add the likely cause.
 */
export function stringifyFinite(value: unknown, hint?: () => string | null): string {
  const bad = firstNonFinite(value);
  if (bad) {
    const cause = hint?.();
    throw new NumericalError(`the result is not finite: ${bad.path} = ${bad.value}${cause ? ` (${cause})` : ''}; no output was written`);
  }
  return JSON.stringify(value);
}
