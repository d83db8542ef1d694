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

let cursor: u64 = 0;

/** Reserve `count` f64 at the next 64-byte boundary; the layout is computed in u64 so it cannot wrap. */
function take(count: u64): usize {
  const at = (cursor + 63) & ~(<u64>63);
  cursor = at + count * 8;
  return <usize>at;
}

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
  const base = (<u64>__heap_base + 63) & ~(<u64>63);
  cursor = base;
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
  const end = (cursor + 63) & ~(<u64>63);
  if (end > 0xffff0000) return 0;
  pEnd = <usize>end;
  const needPages = <i32>((end + 0xffff) >> 16);
  const have = memory.size();
  if (needPages > have) {
    if (memory.grow(needPages - have) < 0) return 0;
  }
  memory.fill(<usize>base, 0, <usize>(end - base));
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

// ---------------------------------------------------------------- exp

/** Constants of expv, read with load64_splat (cheaper in V8 than materialising v128 constants). */
const EXPC = memory.data<f64>([
  -708.0, 709.0, // 0, 1: clamps
  1.4426950408889634, // 2: 1/ln2
  6755399441055744.0, // 3: 1.5·2^52, round-to-integer shift
  6.93147180369123816490e-1, // 4: ln2 hi (fdlibm: 21 trailing zero bits, so k·hi is exact)
  1.90821492927058770002e-10, // 5: ln2 lo
  1.0, 0.5, // 6, 7: 1/0! = 1/1!, 1/2!
  0.16666666666666666, 4.1666666666666664e-2, 8.333333333333333e-3, 1.388888888888889e-3, // 8..11: 1/3!..1/6!
  1.984126984126984e-4, 2.48015873015873e-5, 2.7557319223985893e-6, 2.755731922398589e-7, // 12..15: 1/7!..1/10!
  2.505210838544172e-8, 2.08767569878681e-9, 1.6059043836821613e-10, // 16..18: 1/11!..1/13!
]);

@inline function ec(i: i32): v128 {
  return v128.load64_splat(EXPC + <usize>i * 8);
}

/**
 * exp of both lanes, for x ≤ 0 (x = s − rowmax); x < −708 gives 0 (Math.exp gives a
 * subnormal there, below 1e−307), NaN stays NaN. Within ~2 ulp of Math.exp.
 */
@inline function expv(x: v128): v128 {
  // pmax/pmin keep a NaN x (x < c ? c : x) and are one instruction each.
  const xc = f64x2.pmin(f64x2.pmax(x, ec(0)), ec(1));
  // k = round(x / ln2) by the shift; the low bits of kShift hold k in two's complement.
  const kShift = f64x2.add(f64x2.mul(xc, ec(2)), ec(3));
  const kd = f64x2.sub(kShift, ec(3));
  // r = x − k ln2 (Cody–Waite), |r| ≤ ln2/2.
  let r = f64x2.sub(xc, f64x2.mul(kd, ec(4)));
  r = f64x2.sub(r, f64x2.mul(kd, ec(5)));
  // Taylor polynomial of degree 13 (truncation < 1e−17 relative), Estrin's scheme for a
  // short dependency chain.
  const r2 = f64x2.mul(r, r);
  const r4 = f64x2.mul(r2, r2);
  const r8 = f64x2.mul(r4, r4);
  const p01 = f64x2.add(ec(6), r);
  const p23 = f64x2.add(ec(7), f64x2.mul(ec(8), r));
  const p45 = f64x2.add(ec(9), f64x2.mul(ec(10), r));
  const p67 = f64x2.add(ec(11), f64x2.mul(ec(12), r));
  const p89 = f64x2.add(ec(13), f64x2.mul(ec(14), r));
  const pab = f64x2.add(ec(15), f64x2.mul(ec(16), r));
  const pcd = f64x2.add(ec(17), f64x2.mul(ec(18), r));
  const q0 = f64x2.add(p01, f64x2.mul(p23, r2));
  const q1 = f64x2.add(p45, f64x2.mul(p67, r2));
  const q2 = f64x2.add(p89, f64x2.mul(pab, r2));
  const s0 = f64x2.add(q0, f64x2.mul(q1, r4));
  const s1 = f64x2.add(q2, f64x2.mul(pcd, r4));
  const q = f64x2.add(s0, f64x2.mul(s1, r8));
  // 2^k = bits (k + 1023) << 52; the shift drops the high bits of the shift constant.
  const scale = i64x2.shl(i64x2.add(kShift, i64x2.splat(1023)), 52);
  const e = f64x2.mul(q, scale);
  return v128.andnot(e, f64x2.lt(x, ec(0)));
}

@inline function exps(x: f64): f64 {
  return f64x2.extract_lane(expv(f64x2.splat(x)), 0);
}

// ---------------------------------------------------------------- matrix product

/**
 * One 4×4 block of c = a · b over k < kc. a(i, k) at a + i·ars + k·aks; b is one packed
 * panel (k-th row of 4 at b + 32k); c rows at c + i·crs (4 contiguous columns each).
 */
@inline function kernel4(a: usize, ars: usize, aks: usize, b: usize, c: usize, crs: usize, kc: i32): void {
  let c00 = f64x2.splat(0);
  let c01 = f64x2.splat(0);
  let c10 = f64x2.splat(0);
  let c11 = f64x2.splat(0);
  let c20 = f64x2.splat(0);
  let c21 = f64x2.splat(0);
  let c30 = f64x2.splat(0);
  let c31 = f64x2.splat(0);
  const a2 = ars + ars;
  const a3 = a2 + ars;
  let pa = a;
  let pb = b;
  for (let k = 0; k < kc; k++) {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    let x = v128.load64_splat(pa);
    c00 = f64x2.add(c00, f64x2.mul(x, b0));
    c01 = f64x2.add(c01, f64x2.mul(x, b1));
    x = v128.load64_splat(pa + ars);
    c10 = f64x2.add(c10, f64x2.mul(x, b0));
    c11 = f64x2.add(c11, f64x2.mul(x, b1));
    x = v128.load64_splat(pa + a2);
    c20 = f64x2.add(c20, f64x2.mul(x, b0));
    c21 = f64x2.add(c21, f64x2.mul(x, b1));
    x = v128.load64_splat(pa + a3);
    c30 = f64x2.add(c30, f64x2.mul(x, b0));
    c31 = f64x2.add(c31, f64x2.mul(x, b1));
    pa += aks;
    pb += 32;
  }
  v128.store(c, c00);
  v128.store(c, c01, 16);
  let pc = c + crs;
  v128.store(pc, c10);
  v128.store(pc, c11, 16);
  pc += crs;
  v128.store(pc, c20);
  v128.store(pc, c21, 16);
  pc += crs;
  v128.store(pc, c30);
  v128.store(pc, c31, 16);
}

/** One row × 4 columns of c = a · b over k < kc (row tails). */
@inline function kernel1(a: usize, aks: usize, b: usize, c: usize, kc: i32): void {
  let c0 = f64x2.splat(0);
  let c1 = f64x2.splat(0);
  let pa = a;
  let pb = b;
  for (let k = 0; k < kc; k++) {
    const x = v128.load64_splat(pa);
    c0 = f64x2.add(c0, f64x2.mul(x, v128.load(pb)));
    c1 = f64x2.add(c1, f64x2.mul(x, v128.load(pb, 16)));
    pa += aks;
    pb += 32;
  }
  v128.store(c, c0);
  v128.store(c, c1, 16);
}

const PLAIN: i32 = 0;
/** Row i needs columns j ≤ i only (causal logits). */
const CAUSAL_COLS: i32 = 1;
/** Row i sums k ≤ i only (causal P, lower triangular; a's entries above it must be 0 up to the 4-block edge). */
const CAUSAL_INNER: i32 = 2;

/**
 * c = a · b: rows × (4·panels), inner dimension `inner`. b packed (panel p at b + p·bps);
 * c(i, panel p) at c + i·crs + p·cps (row-major: cps = 32; packed: crs = 32, cps = 32·rows).
 */
function gemm(
  a: usize, ars: usize, aks: usize,
  b: usize, bps: usize,
  c: usize, crs: usize, cps: usize,
  rows: i32, inner: i32, panels: i32, mode: i32,
): void {
  let i = 0;
  for (; i + 4 <= rows; i += 4) {
    let kc = inner;
    let pe = panels;
    if (mode == CAUSAL_COLS) pe = min(panels, (i >> 2) + 1);
    else if (mode == CAUSAL_INNER) kc = min(inner, i + 4);
    const ai = a + <usize>i * ars;
    const ci = c + <usize>i * crs;
    for (let p = 0; p < pe; p++) {
      kernel4(ai, ars, aks, b + <usize>p * bps, ci + <usize>p * cps, crs, kc);
    }
  }
  for (; i < rows; i++) {
    let kc = inner;
    let pe = panels;
    if (mode == CAUSAL_COLS) pe = min(panels, (i >> 2) + 1);
    else if (mode == CAUSAL_INNER) kc = min(inner, i + 1);
    const ai = a + <usize>i * ars;
    const ci = c + <usize>i * crs;
    for (let p = 0; p < pe; p++) {
      kernel1(ai, aks, b + <usize>p * bps, ci + <usize>p * cps, kc);
    }
  }
}

/** Pack rows×cols row-major `src` into panels of 4 columns (rows×4 each), zero-padded. */
function packPanels(src: usize, rows: i32, cols: i32, dst: usize): void {
  const prs = <usize>rows * 32;
  for (let k = 0; k < rows; k++) {
    const s = src + <usize>k * <usize>cols * 8;
    const dk = dst + <usize>k * 32;
    for (let j = 0; j < cols; j++) {
      store<f64>(dk + <usize>(j >> 2) * prs + <usize>(j & 3) * 8, load<f64>(s + <usize>j * 8));
    }
  }
}

/** Pack the transpose of rows×cols row-major `src` (so cols×rows) into panels of 4 columns. */
function packPanelsT(src: usize, rows: i32, cols: i32, dst: usize): void {
  const prs = <usize>cols * 32;
  for (let t = 0; t < rows; t++) {
    const s = src + <usize>t * <usize>cols * 8;
    const dp = dst + <usize>(t >> 2) * prs + <usize>(t & 3) * 8;
    for (let k = 0; k < cols; k++) store<f64>(dp + <usize>k * 32, load<f64>(s + <usize>k * 8));
  }
}

/** S = (X · WMp) · Xᵀ into pS (n×np); causal computes only the blocks touching j ≤ i. */
function logits(): void {
  const dd = <usize>D;
  const dp = <usize>DP;
  // A = X · (M∘W): n × dp row-major.
  gemm(pX, dd * 8, 8, pWMp, dd * 32, pA, dp * 8, 32, N, D, DP >> 2, PLAIN);
  // S = A · Xᵀ: n × np row-major.
  gemm(pA, dp * 8, 8, pXTp, dd * 32, pS, <usize>NP * 8, 32, N, D, NP >> 2, CAUSAL ? CAUSAL_COLS : PLAIN);
}

// ---------------------------------------------------------------- softmax rows

/** Row max of s[0..end). */
@inline function rowMax(s: usize, end: i32): f64 {
  let mv = f64x2.splat(-Infinity);
  let j = 0;
  for (; j + 2 <= end; j += 2) mv = f64x2.max(mv, v128.load(s + <usize>j * 8));
  let m = max(f64x2.extract_lane(mv, 0), f64x2.extract_lane(mv, 1));
  if (j < end) m = max(m, load<f64>(s + <usize>j * 8));
  return m;
}

/** out[j] = exp(s[j] − mx) for j < end; returns the sum. Two vectors per step for ILP. */
@inline function rowExp(s: usize, out: usize, end: i32, mx: f64): f64 {
  const mvec = f64x2.splat(mx);
  let sv = f64x2.splat(0);
  let sw = f64x2.splat(0);
  let j = 0;
  for (; j + 4 <= end; j += 4) {
    const o = <usize>j * 8;
    const e = expv(f64x2.sub(v128.load(s + o), mvec));
    const e2 = expv(f64x2.sub(v128.load(s + o, 16), mvec));
    v128.store(out + o, e);
    v128.store(out + o, e2, 16);
    sv = f64x2.add(sv, e);
    sw = f64x2.add(sw, e2);
  }
  for (; j + 2 <= end; j += 2) {
    const o = <usize>j * 8;
    const e = expv(f64x2.sub(v128.load(s + o), mvec));
    v128.store(out + o, e);
    sv = f64x2.add(sv, e);
  }
  sv = f64x2.add(sv, sw);
  let sum = f64x2.extract_lane(sv, 0) + f64x2.extract_lane(sv, 1);
  if (j < end) {
    const o = <usize>j * 8;
    const e = exps(load<f64>(s + o) - mx);
    store<f64>(out + o, e);
    sum += e;
  }
  return sum;
}

/** out[j] *= c for j < end. */
@inline function rowScale(out: usize, end: i32, c: f64): void {
  const cv = f64x2.splat(c);
  let j = 0;
  for (; j + 2 <= end; j += 2) {
    const o = out + <usize>j * 8;
    v128.store(o, f64x2.mul(v128.load(o), cv));
  }
  if (j < end) {
    const o = out + <usize>j * 8;
    store<f64>(o, load<f64>(o) * c);
  }
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
 * Row i of F, the loss and P: F = softmax(S), C = F − F₀, attn += ΣC², P = F∘C − rowsum(F∘C)·F
 * written over S. Returns the row's ΣC².
 */
@inline function lossRow(s: usize, f: usize, f0: usize, end: i32, withGrad: bool): f64 {
  const sum = rowExp(s, f, end, rowMax(s, end));
  const inv = 1.0 / sum;
  const iv = f64x2.splat(inv);
  let av = f64x2.splat(0);
  let rv = f64x2.splat(0);
  let j = 0;
  for (; j + 2 <= end; j += 2) {
    const o = <usize>j * 8;
    const fv = f64x2.mul(v128.load(f + o), iv);
    v128.store(f + o, fv);
    const c = f64x2.sub(fv, v128.load(f0 + o));
    av = f64x2.add(av, f64x2.mul(c, c));
    const fc = f64x2.mul(fv, c);
    rv = f64x2.add(rv, fc);
    v128.store(s + o, fc);
  }
  let attn = f64x2.extract_lane(av, 0) + f64x2.extract_lane(av, 1);
  let rowSum = f64x2.extract_lane(rv, 0) + f64x2.extract_lane(rv, 1);
  if (j < end) {
    const o = <usize>j * 8;
    const fj = load<f64>(f + o) * inv;
    store<f64>(f + o, fj);
    const c = fj - load<f64>(f0 + o);
    attn += c * c;
    const fc = fj * c;
    rowSum += fc;
    store<f64>(s + o, fc);
  }
  if (withGrad) {
    const rs = f64x2.splat(rowSum);
    j = 0;
    for (; j + 2 <= end; j += 2) {
      const o = <usize>j * 8;
      v128.store(s + o, f64x2.sub(v128.load(s + o), f64x2.mul(rs, v128.load(f + o))));
    }
    if (j < end) {
      const o = <usize>j * 8;
      store<f64>(s + o, load<f64>(s + o) - rowSum * load<f64>(f + o));
    }
  }
  return attn;
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
