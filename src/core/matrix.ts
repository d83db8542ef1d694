/**
 * Dense row-major float64 matrices. Every numeric routine in src/core works on
 * this one type so that the browser, the CLI and the tests share the same code.
 * Float64 throughout: the solver must agree with an independent float64
 * implementation to ~1e-4 after hundreds of iterations, and mask ties must
 * break identically.
 */
import { InputError } from './errors.ts';
export interface Matrix {
  readonly rows: number;
  readonly cols: number;
  /** Row-major: entry (i, j) is data[i * cols + j]. */
  readonly data: Float64Array;
}

export function zeros(rows: number, cols: number): Matrix {
  return { rows, cols, data: new Float64Array(rows * cols) };
}

export function filled(rows: number, cols: number, value: number): Matrix {
  const m = zeros(rows, cols);
  m.data.fill(value);
  return m;
}

export function identity(n: number): Matrix {
  const m = zeros(n, n);
  for (let i = 0; i < n; i++) m.data[i * n + i] = 1;
  return m;
}

/** Build from nested arrays; throws a readable error on ragged or non-numeric input. */
export function fromNested(rows: readonly (readonly number[])[], name = 'matrix'): Matrix {
  if (!Array.isArray(rows) || rows.length === 0) throw new InputError(`${name} must be a non-empty array of rows`);
  const first = rows[0];
  if (!Array.isArray(first) || first.length === 0) throw new InputError(`${name} must be a non-empty array of rows`);
  const cols = first.length;
  const m = zeros(rows.length, cols);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    if (!Array.isArray(r)) throw new InputError(`${name} row ${i} is not an array`);
    if (r.length !== cols) throw new InputError(`${name} is ragged: row ${i} has ${r.length} entries, row 0 has ${cols}`);
    for (let j = 0; j < cols; j++) {
      const v = r[j];
      if (typeof v !== 'number') throw new InputError(`${name}[${i}][${j}] is not a number`);
      if (!Number.isFinite(v)) throw new InputError(`${name}[${i}][${j}] is not finite (${v})`);
      m.data[i * cols + j] = v;
    }
  }
  return m;
}

export function toNested(m: Matrix): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < m.rows; i++) out.push(Array.from(m.data.subarray(i * m.cols, (i + 1) * m.cols)));
  return out;
}

export function transpose(m: Matrix): Matrix {
  const t = zeros(m.cols, m.rows);
  for (let i = 0; i < m.rows; i++) for (let j = 0; j < m.cols; j++) t.data[j * m.rows + i] = m.data[i * m.cols + j];
  return t;
}

/** C = A · B (plain, cache-friendly i-k-j loop). */
export function matmul(a: Matrix, b: Matrix): Matrix {
  if (a.cols !== b.rows) throw new InputError(`matmul shape mismatch: ${a.rows}x${a.cols} · ${b.rows}x${b.cols}`);
  const c = zeros(a.rows, b.cols);
  const n = b.cols;
  for (let i = 0; i < a.rows; i++) {
    const ci = i * n;
    for (let k = 0; k < a.cols; k++) {
      const aik = a.data[i * a.cols + k];
      if (aik === 0) continue;
      const bk = k * n;
      for (let j = 0; j < n; j++) c.data[ci + j] += aik * b.data[bk + j];
    }
  }
  return c;
}

/** Elementwise product A ∘ B. */
export function hadamard(a: Matrix, b: Matrix): Matrix {
  assertSameShape(a, b, 'hadamard');
  const c = zeros(a.rows, a.cols);
  for (let i = 0; i < c.data.length; i++) c.data[i] = a.data[i] * b.data[i];
  return c;
}

export function frobeniusNorm(m: Matrix): number {
  let s = 0;
  for (let i = 0; i < m.data.length; i++) s += m.data[i] * m.data[i];
  return Math.sqrt(s);
}

export function maxAbs(m: Matrix): number {
  let s = 0;
  for (let i = 0; i < m.data.length; i++) s = Math.max(s, Math.abs(m.data[i]));
  return s;
}

export function assertSameShape(a: Matrix, b: Matrix, what: string): void {
  if (a.rows !== b.rows || a.cols !== b.cols) {
    throw new InputError(`${what}: shape mismatch ${a.rows}x${a.cols} vs ${b.rows}x${b.cols}`);
  }
}
