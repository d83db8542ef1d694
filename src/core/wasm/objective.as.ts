// @ts-nocheck -- AssemblyScript, not TypeScript: compiled by scripts/build-wasm.mjs
// (`npm run build:wasm`) into objective.wasm.generated.ts. tsc only parses it.
/**
 * The attention objective of SPEC §2 in WebAssembly SIMD (f64x2), float64 throughout:
 *
 *   L(M) = ½‖F(M) − F₀‖²_F + ½λ‖M‖²_F,   F(M) = Softmax(X (M∘W) Xᵀ)
 *   C = F − F₀,  P = F∘C − diag(rowsum(F∘C))·F,  ∇L = W ∘ (Xᵀ P X) + λM
 *
 * Same arithmetic as src/core/objective.ts (AttentionObjective), organised for speed:
 * all four matrix products are one register-blocked kernel, c = a · b, 4 rows × 4 columns
 * (8 f64x2 accumulators) per block, where b is always "packed": split into panels of 4
 * columns, each panel stored k-major (32 contiguous bytes per k), zero-padded to a
 * multiple of 4 columns. So the kernel has no column tails and streams b contiguously.
 *
 *   A  = X · (M∘W)     a = X (row-major)      b = WMp (packed, built with M∘W)
 *   S  = A · Xᵀ        a = A                  b = XTp (packed once in init)
 *   A' = P · X         a = P (in S's buffer)  b = Xp  (packed once in init); A' written packed
 *   G  = Xᵀ · A'       a = X read transposed  b = A' (packed)
 *
 * Causal: S only computes the 4×4 blocks touching j ≤ i, the softmax and P only j ≤ i,
 * and P · X only sums k ≤ i (per 4-row block). Entries of F and F₀ above the diagonal are
 * zeroed at setup and never written, so they stay exactly 0.
 *
 * The exp is our own f64x2 exp (Cody–Waite reduction by ln 2, degree-13 Taylor
 * polynomial by Estrin's scheme, 2^k built in the exponent bits): within ~2 ulp of
 * Math.exp, and ~2× faster per element than AssemblyScript's scalar Math.exp.
 *
 * Memory is managed by hand (runtime stub, no allocations): setup(n, d, causal, lambda)
 * lays out every buffer in linear memory, growing it as needed; JS writes X, W (then calls
 * init) and M (then calls evaluate) through Float64Array views at the exported offsets.
 */

import {
  CAUSAL_COLS, CAUSAL_INNER, PLAIN, gemm, layoutEnd, layoutStart, lossRow, packPanels, packPanelsT, rowExp, rowMax, rowScale, take,
} from './kernels.as';

// ---------------------------------------------------------------- state and layout

let N: i32 = 0;
let D: i32 = 0;
let NP: i32 = 0; // n rounded up to a multiple of 4
let DP: i32 = 0; // d rounded up to a multiple of 4
let CAUSAL: bool = false;
let LAMBDA: f64 = 0;

let pX: usize = 0; //   n×d  row-major (input)
let pW: usize = 0; //   d×d  row-major (input)
let pM: usize = 0; //   d×d  row-major (input)
let pGrad: usize = 0; // d×d row-major (output)
let pF0: usize = 0; //  n×n  row-major
let pF: usize = 0; //   n×n  row-major
let pXTp: usize = 0; // Xᵀ packed: np/4 panels of d×4
let pXp: usize = 0; //  X  packed: dp/4 panels of n×4
let pWMp: usize = 0; // M∘W packed: dp/4 panels of d×4
let pA: usize = 0; //   X·(M∘W) row-major n×dp, then P·X packed (dp/4 panels of n×4)
let pS: usize = 0; //   logits S, then P: row-major n×np
let pG: usize = 0; //   Xᵀ P X row-major d×dp
let pEnd: usize = 0;

let attnLoss: f64 = 0;
let fullLoss: f64 = 0;

/**
 * Lay out the buffers for an n×d problem and zero them. Returns 1, or 0 when the memory
 * could not grow (or would exceed 4 GiB); then nothing else may be called.
 */
export function setup(n: i32, d: i32, causal: i32, lambda: f64): i32 {
  if (n <= 0 || d <= 0) return 0;
  N = n;
  D = d;
  NP = (n + 3) & ~3;
  DP = (d + 3) & ~3;
  CAUSAL = causal != 0;
  LAMBDA = lambda;
  const nn = <u64>n;
  const dd = <u64>d;
  const np = <u64>NP;
  const dp = <u64>DP;
  layoutStart();
  pX = take(nn * dd);
  pW = take(dd * dd);
  pM = take(dd * dd);
  pGrad = take(dd * dd);
  pF0 = take(nn * nn);
  pF = take(nn * nn);
  pXTp = take(dd * np);
  pXp = take(nn * dp);
  pWMp = take(dd * dp);
  pA = take(nn * dp);
  pS = take(nn * np);
  pG = take(dd * dp);
  pEnd = layoutEnd();
  if (pEnd == 0) return 0;
  attnLoss = 0;
  fullLoss = 0;
  return 1;
}

export function xOffset(): usize { return pX; }
export function wOffset(): usize { return pW; }
export function mOffset(): usize { return pM; }
export function gradOffset(): usize { return pGrad; }
export function f0Offset(): usize { return pF0; }
export function fOffset(): usize { return pF; }
export function memoryEnd(): usize { return pEnd; }
/** ½‖F − F₀‖² of the last evaluate. */
export function attentionLoss(): f64 { return attnLoss; }
/** L(M) of the last evaluate. */
export function loss(): f64 { return fullLoss; }

/** S = (X · WMp) · Xᵀ into pS (n×np); causal computes only the blocks touching j ≤ i. */
function logits(): void {
  const dd = <usize>D;
  const dp = <usize>DP;
  // A = X · (M∘W): n × dp row-major.
  gemm(pX, dd * 8, 8, pWMp, dd * 32, pA, dp * 8, 32, N, D, DP >> 2, PLAIN);
  // S = A · Xᵀ: n × np row-major.
  gemm(pA, dp * 8, 8, pXTp, dd * 32, pS, <usize>NP * 8, 32, N, D, NP >> 2, CAUSAL ? CAUSAL_COLS : PLAIN);
}

/** Build XTp, Xp from X; F₀ = Softmax(X W Xᵀ). Call after writing X and W. */
export function init(): void {
  packPanelsT(pX, N, D, pXTp);
  packPanels(pX, N, D, pXp);
  packPanels(pW, D, D, pWMp);
  logits();
  const nn = <usize>N;
  const np = <usize>NP;
  for (let i = 0; i < N; i++) {
    const end = CAUSAL ? i + 1 : N;
    const s = pS + <usize>i * np * 8;
    const f0 = pF0 + <usize>i * nn * 8;
    const sum = rowExp(s, f0, end, rowMax(s, end));
    rowScale(f0, end, 1.0 / sum);
  }
}

// ---------------------------------------------------------------- evaluate

/** WMp = pack(M ∘ W); returns ½λ‖M‖². */
function maskWeight(): f64 {
  const d = D;
  const prs = <usize>d * 32;
  let reg = f64x2.splat(0);
  let regTail = 0.0;
  for (let k = 0; k < d; k++) {
    const row = <usize>k * <usize>d * 8;
    const dk = pWMp + <usize>k * 32;
    let j = 0;
    for (; j + 4 <= d; j += 4) {
      const o = row + <usize>j * 8;
      const m0 = v128.load(pM + o);
      const m1 = v128.load(pM + o, 16);
      const dst = dk + <usize>(j >> 2) * prs;
      v128.store(dst, f64x2.mul(m0, v128.load(pW + o)));
      v128.store(dst, f64x2.mul(m1, v128.load(pW + o, 16)), 16);
      reg = f64x2.add(reg, f64x2.add(f64x2.mul(m0, m0), f64x2.mul(m1, m1)));
    }
    for (; j < d; j++) {
      const o = row + <usize>j * 8;
      const m = load<f64>(pM + o);
      store<f64>(dk + <usize>(j >> 2) * prs + <usize>(j & 3) * 8, m * load<f64>(pW + o));
      regTail += m * m;
    }
  }
  if (LAMBDA > 0) {
    return 0.5 * LAMBDA * (f64x2.extract_lane(reg, 0) + f64x2.extract_lane(reg, 1) + regTail);
  }
  return 0;
}

/**
 * L(M) for the M written at mOffset(); with withGrad ≠ 0 also ∇L into gradOffset().
 * Returns L; attentionLoss() returns ½‖F − F₀‖².
 */
export function evaluate(withGrad: i32): f64 {
  const n = N;
  const d = D;
  const nn = <usize>n;
  const np = <usize>NP;
  const dd = <usize>d;
  const dp = <usize>DP;
  const grad = withGrad != 0;
  const reg = maskWeight();
  logits();

  let attn = 0.0;
  for (let i = 0; i < n; i++) {
    const end = CAUSAL ? i + 1 : n;
    const s = pS + <usize>i * np * 8;
    attn += lossRow(s, pF + <usize>i * nn * 8, pF0 + <usize>i * nn * 8, end, grad);
    if (CAUSAL && grad) {
      // P·X sums k < (4-row block end) for this row: those entries past the diagonal must be 0.
      const stop = min(n, (i + 4) & ~3);
      for (let j = i + 1; j < stop; j++) store<f64>(s + <usize>j * 8, 0.0);
    }
  }
  attn *= 0.5;
  attnLoss = attn;
  fullLoss = attn + reg;

  if (grad) {
    // A' = P · X, written packed (dp/4 panels of n×4).
    gemm(pS, np * 8, 8, pXp, nn * 32, pA, 32, nn * 32, n, n, DP >> 2, CAUSAL ? CAUSAL_INNER : PLAIN);
    // G = Xᵀ · A': a(i, k) = X[k, i].
    gemm(pX, 8, dd * 8, pA, nn * 32, pG, dp * 8, 32, d, n, DP >> 2, PLAIN);
    // ∇L = W ∘ G + λM
    const lam = LAMBDA;
    const lv = f64x2.splat(lam);
    for (let r = 0; r < d; r++) {
      const o = <usize>r * dd * 8;
      const go = pG + <usize>r * dp * 8;
      let j = 0;
      for (; j + 2 <= d; j += 2) {
        const oj = o + <usize>j * 8;
        const g = v128.load(go + <usize>j * 8);
        v128.store(pGrad + oj, f64x2.add(f64x2.mul(v128.load(pW + oj), g), f64x2.mul(lv, v128.load(pM + oj))));
      }
      if (j < d) {
        const oj = o + <usize>j * 8;
        store<f64>(pGrad + oj, load<f64>(pW + oj) * load<f64>(go + <usize>j * 8) + lam * load<f64>(pM + oj));
      }
    }
  }
  return fullLoss;
}
