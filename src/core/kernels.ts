/**
 * The float64 kernels behind the objective's hot loop. Plain typed-array loops,
 * written so V8 keeps them monomorphic and bounds-check free: the innermost loop
 * always walks contiguous memory, and dot products use four accumulators.
 * (Measured against tfjs wasm/cpu in `npm run bench`: at these sizes the per-op
 * dispatch of tfjs costs more than the arithmetic.)
 */

/** out(rows×cols) = a(rows×inner) · b(inner×cols), all row-major, out overwritten. */
export function gemmNN(a: Float64Array, b: Float64Array, out: Float64Array, rows: number, inner: number, cols: number): void {
  out.fill(0, 0, rows * cols);
  for (let i = 0; i < rows; i++) {
    const oi = i * cols;
    const ai = i * inner;
    for (let k = 0; k < inner; k++) {
      const aik = a[ai + k];
      if (aik === 0) continue;
      const bk = k * cols;
      for (let j = 0; j < cols; j++) out[oi + j] += aik * b[bk + j];
    }
  }
}

/**
 * out(rows×cols) = a(n×rows)ᵀ · b(n×cols): accumulates rank-one updates row by row
 * of a and b, so both are read contiguously. out overwritten.
 */
export function gemmTN(a: Float64Array, b: Float64Array, out: Float64Array, n: number, rows: number, cols: number): void {
  out.fill(0, 0, rows * cols);
  for (let t = 0; t < n; t++) {
    const at = t * rows;
    const bt = t * cols;
    for (let r = 0; r < rows; r++) {
      const v = a[at + r];
      if (v === 0) continue;
      const o = r * cols;
      for (let c = 0; c < cols; c++) out[o + c] += v * b[bt + c];
    }
  }
}

/** Dot product of a[ao..ao+len) and b[bo..bo+len), four accumulators. */
export function dot(a: Float64Array, ao: number, b: Float64Array, bo: number, len: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let k = 0;
  for (; k + 3 < len; k += 4) {
    s0 += a[ao + k] * b[bo + k];
    s1 += a[ao + k + 1] * b[bo + k + 1];
    s2 += a[ao + k + 2] * b[bo + k + 2];
    s3 += a[ao + k + 3] * b[bo + k + 3];
  }
  for (; k < len; k++) s0 += a[ao + k] * b[bo + k];
  return s0 + s1 + s2 + s3;
}

/**
 * out(n×n) = a(n×d) · b(n×d)ᵀ; with `causal`, only entries j ≤ i are written
 * (the rest are left for the caller to treat as −∞ / 0).
 */
export function gemmNT(a: Float64Array, b: Float64Array, out: Float64Array, n: number, m: number, d: number, causal: boolean): void {
  for (let i = 0; i < n; i++) {
    const jEnd = causal ? Math.min(i + 1, m) : m;
    const oi = i * m;
    const ai = i * d;
    for (let j = 0; j < jEnd; j++) out[oi + j] = dot(a, ai, b, j * d, d);
  }
}

/**
 * In place, row-wise softmax of an n×n logit matrix; with `causal`, entries above
 * the diagonal are set to exactly 0 (they were −∞). Subtracts each row's max first.
 */
export function softmaxRowsInPlace(s: Float64Array, n: number, causal: boolean): void {
  for (let i = 0; i < n; i++) {
    const o = i * n;
    const end = causal ? i + 1 : n;
    let max = -Infinity;
    for (let j = 0; j < end; j++) if (s[o + j] > max) max = s[o + j];
    let sum = 0;
    for (let j = 0; j < end; j++) {
      const e = Math.exp(s[o + j] - max);
      s[o + j] = e;
      sum += e;
    }
    const inv = 1 / sum;
    for (let j = 0; j < end; j++) s[o + j] *= inv;
    for (let j = end; j < n; j++) s[o + j] = 0;
  }
}
