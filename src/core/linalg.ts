/**
 * Small dense linear algebra for symmetric positive definite matrices, in float64.
 *
 * tfjs has no Cholesky, and SparseGPT needs one (H⁻¹ and its upper factor), so we
 * write it ourselves. Everything is O(d³) with flat Float64Array loops: d is the
 * head width (tens to a few hundred), so this is milliseconds.
 */
import { wasmGram, wasmGramSupported } from './wasmGram.ts';
import { type Matrix, zeros } from './matrix.ts';

function assertSquare(a: Matrix, what: string): void {
  if (a.rows !== a.cols) throw new Error(`${what}: matrix must be square, got ${a.rows}x${a.cols}`);
}

/**
 * Lower Cholesky factor L with L·Lᵀ = A (reads only the lower triangle of A).
 * Returns null when A is not positive definite: a pivot that is ≤ 0, not finite, or
 * ≤ relTol·A_jj. With the default relTol = 0 that is the mathematical test. Callers
 * that need a *numerically* PD matrix pass relTol > 0: an exactly singular PSD matrix
 * (XᵀX with n < d) leaves round-off pivots of about ±1e-15·A_jj, positive half of the
 * time, and accepting one would yield an "inverse" with entries around 1e15.
 */
export function cholesky(a: Matrix, relTol = 0): Matrix | null {
  assertSquare(a, 'cholesky');
  const n = a.rows;
  const A = a.data;
  const l = zeros(n, n);
  const L = l.data;
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    for (let j = 0; j <= i; j++) {
      const rj = j * n;
      let s = A[ri + j];
      for (let k = 0; k < j; k++) s -= L[ri + k] * L[rj + k];
      if (i === j) {
        // `!(s > …)` also catches NaN.
        if (!(s > 0) || s <= relTol * Math.abs(A[ri + i]) || !Number.isFinite(s)) return null;
        L[ri + i] = Math.sqrt(s);
      } else {
        L[ri + j] = s / L[rj + j];
      }
    }
  }
  return l;
}

/** A⁻¹ from the lower Cholesky factor L of A: A⁻¹ = L⁻ᵀ L⁻¹ (exactly symmetric on return). */
export function choleskyInverse(l: Matrix): Matrix {
  assertSquare(l, 'choleskyInverse');
  const n = l.rows;
  const L = l.data;
  // Z = L⁻¹, lower triangular, by forward substitution one column at a time.
  const Z = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    Z[j * n + j] = 1 / L[j * n + j];
    for (let i = j + 1; i < n; i++) {
      let s = 0;
      for (let k = j; k < i; k++) s -= L[i * n + k] * Z[k * n + j];
      Z[i * n + j] = s / L[i * n + i];
    }
  }
  // (A⁻¹)_ij = Σ_k Z_ki Z_kj over k ≥ max(i, j); fill the upper triangle and mirror it.
  const inv = zeros(n, n);
  const V = inv.data;
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      let s = 0;
      for (let k = j; k < n; k++) s += Z[k * n + i] * Z[k * n + j];
      V[i * n + j] = s;
      V[j * n + i] = s;
    }
  }
  return inv;
}

/** Upper Cholesky factor U with Uᵀ·U = A (U = Lᵀ), or null when A is not positive definite (see cholesky). */
export function upperCholesky(a: Matrix, relTol = 0): Matrix | null {
  const l = cholesky(a, relTol);
  if (l === null) return null;
  const n = l.rows;
  const u = zeros(n, n);
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) u.data[j * n + i] = l.data[i * n + j];
  return u;
}

/** Solve A·Z = B for symmetric positive definite A (B may have several columns); null if A is not PD. */
export function solveSym(a: Matrix, b: Matrix): Matrix | null {
  if (b.rows !== a.rows) throw new Error(`solveSym shape mismatch: ${a.rows}x${a.cols} vs ${b.rows}x${b.cols}`);
  const l = cholesky(a);
  if (l === null) return null;
  const n = a.rows;
  const m = b.cols;
  const L = l.data;
  const z = zeros(n, m);
  const Z = z.data;
  for (let c = 0; c < m; c++) {
    // L y = b (forward), then Lᵀ z = y (backward), in place in column c of Z.
    for (let i = 0; i < n; i++) {
      let s = b.data[i * m + c];
      for (let k = 0; k < i; k++) s -= L[i * n + k] * Z[k * m + c];
      Z[i * m + c] = s / L[i * n + i];
    }
    for (let i = n - 1; i >= 0; i--) {
      let s = Z[i * m + c];
      for (let k = i + 1; k < n; k++) s -= L[k * n + i] * Z[k * m + c];
      Z[i * m + c] = s / L[i * n + i];
    }
  }
  return z;
}

const GRAMS = new WeakMap<Float64Array, Matrix>();

/**
 * XᵀX of a calibration X, computed once per X and then shared: every head of a layer reads
 * the same X, and SparseGPT, the linear objective and the linear refit each need its Gram
 * matrix for W_Q and for W_K. In WebAssembly SIMD where it runs (GPT-2's 8 192 × 768 X: 4.4 s
 * in plain JS, 0.47 s there). Never write to the result: copy it first.
 */
export function sharedGram(x: Matrix): Matrix {
  const hit = GRAMS.get(x.data);
  if (hit && hit.rows === x.cols) return hit;
  const g = wasmGramSupported() ? wasmGram(x) : gram(x);
  GRAMS.set(x.data, g);
  return g;
}

/** G = XᵀX (d×d, exactly symmetric): one pass over the rows of X, upper triangle then mirror. */
export function gram(x: Matrix): Matrix {
  const { rows: n, cols: d } = x;
  const X = x.data;
  const g = zeros(d, d);
  const G = g.data;
  for (let r = 0; r < n; r++) {
    const off = r * d;
    for (let i = 0; i < d; i++) {
      const xi = X[off + i];
      if (xi === 0) continue;
      const gi = i * d;
      for (let j = i; j < d; j++) G[gi + j] += xi * X[off + j];
    }
  }
  for (let i = 0; i < d; i++) for (let j = i + 1; j < d; j++) G[j * d + i] = G[i * d + j];
  return g;
}

/**
 * ‖X‖₂² = λ_max(XᵀX), by power iteration on XᵀX until the Rayleigh quotient ρ stops
 * moving (relative change ≤ tol on three consecutive steps, so one round-off blip does
 * not end it) or maxIter is reached. ρ ≤ λ_max always. The Rayleigh quotient of a
 * symmetric matrix converges like (λ₂/λ₁)^{2k}, so with any ordinary eigengap the result
 * is accurate to ~1e-12 relative. When λ₁ and λ₂ nearly coincide convergence is slow, but
 * the iterate then lies in their span and the error stays below the gap λ₁ − λ₂
 * (observed ≤ ~1e-7 relative for a 2e-7 gap), which is immaterial for a step-size bound.
 * tol must stay well above round-off in ρ (~√d·ε), or the loop would never settle.
 */
export function spectralNormSquared(x: Matrix, tol = 1e-13, maxIter = 20_000): number {
  const d = x.cols;
  if (d === 0 || x.rows === 0) return 0;
  const g = sharedGram(x);
  const G = g.data;
  // Deterministic start vector with no special structure, so it is (generically) not
  // orthogonal to the top eigenvector; all-ones could be, for a centred X.
  let v = new Float64Array(d);
  for (let i = 0; i < d; i++) v[i] = 1 + 0.5 * Math.sin(1.7 * i + 0.3);
  let w = new Float64Array(d);
  let nv = 0;
  for (let i = 0; i < d; i++) nv += v[i] * v[i];
  nv = Math.sqrt(nv);
  for (let i = 0; i < d; i++) v[i] /= nv;
  let rho = 0;
  let calm = 0;
  for (let it = 0; it < maxIter; it++) {
    for (let i = 0; i < d; i++) {
      let s = 0;
      const gi = i * d;
      for (let j = 0; j < d; j++) s += G[gi + j] * v[j];
      w[i] = s;
    }
    let next = 0;
    for (let i = 0; i < d; i++) next += v[i] * w[i]; // Rayleigh quotient vᵀGv (‖v‖ = 1)
    nv = 0;
    for (let i = 0; i < d; i++) nv += w[i] * w[i];
    nv = Math.sqrt(nv);
    if (nv === 0) return 0; // X = 0 (or v ⟂ range, which the start vector avoids)
    for (let i = 0; i < d; i++) w[i] /= nv;
    [v, w] = [w, v];
    if (Math.abs(next - rho) <= tol * Math.abs(next)) {
      if (++calm >= 3) return next;
    } else {
      calm = 0;
    }
    rho = next;
  }
  return rho;
}
