// @ts-nocheck -- AssemblyScript, not TypeScript: imported by objective.as.ts and factored.as.ts,
// compiled by scripts/build-wasm.mjs (`npm run build:wasm`). tsc only parses it.
/**
 * The float64 SIMD (f64x2) kernels both WebAssembly objectives share: an exp, one
 * register-blocked matrix product over "packed" right operands, packing, and the softmax
 * rows with the loss and P of SPEC §2. Raw loads and stores on linear memory: the caller
 * lays the buffers out (see objective.as.ts for the packed format).
 */

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

@inline export function ec(i: i32): v128 {
  return v128.load64_splat(EXPC + <usize>i * 8);
}

/**
 * exp of both lanes, for x ≤ 0 (x = s − rowmax); x < −708 gives 0 (Math.exp gives a
 * subnormal there, below 1e−307), NaN stays NaN. Within ~2 ulp of Math.exp.
 */
@inline export function expv(x: v128): v128 {
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

@inline export function exps(x: f64): f64 {
  return f64x2.extract_lane(expv(f64x2.splat(x)), 0);
}

// ---------------------------------------------------------------- memory layout

let layoutBase: u64 = 0;
let cursor: u64 = 0;

/** Start laying buffers out from the heap's base (64-byte aligned). */
export function layoutStart(): void {
  layoutBase = (<u64>__heap_base + 63) & ~(<u64>63);
  cursor = layoutBase;
}

/** Reserve `count` f64 at the next 64-byte boundary; the layout is computed in u64 so it cannot wrap. */
export function take(count: u64): usize {
  const at = (cursor + 63) & ~(<u64>63);
  cursor = at + count * 8;
  return <usize>at;
}

/**
 * End the layout: grow the memory to hold every buffer taken and zero them. Returns the
 * layout's end, or 0 when the memory could not grow (or would pass 4 GiB). Grown memory is
 * zero already, so only what was there before is filled (touching ~100 MB of fresh pages only
 * to zero them again cost a GPT-2 head a tenth of a second).
 */
export function layoutEnd(): usize {
  const end = (cursor + 63) & ~(<u64>63);
  if (end > 0xffff0000) return 0;
  const needPages = <i32>((end + 0xffff) >> 16);
  const have = memory.size();
  if (needPages > have) {
    if (memory.grow(needPages - have) < 0) return 0;
  }
  const old = min(<u64>have << 16, end);
  if (old > layoutBase) memory.fill(<usize>layoutBase, 0, <usize>(old - layoutBase));
  return <usize>end;
}

// ---------------------------------------------------------------- matrix product

/**
 * One 4×4 block of c = a · b over k < kc. a(i, k) at a + i·ars + k·aks; b is one packed
 * panel (k-th row of 4 at b + 32k); c rows at c + i·crs (4 contiguous columns each).
 */
@inline export function kernel4(a: usize, ars: usize, aks: usize, b: usize, c: usize, crs: usize, kc: i32): void {
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
@inline export function kernel1(a: usize, aks: usize, b: usize, c: usize, kc: i32): void {
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

export const PLAIN: i32 = 0;
/** Row i needs columns j ≤ i only (causal logits). */
export const CAUSAL_COLS: i32 = 1;
/** Row i sums k ≤ i only (causal P, lower triangular; a's entries above it must be 0 up to the 4-block edge). */
export const CAUSAL_INNER: i32 = 2;

/**
 * c = a · b: rows × (4·panels), inner dimension `inner`. b packed (panel p at b + p·bps);
 * c(i, panel p) at c + i·crs + p·cps (row-major: cps = 32; packed: crs = 32, cps = 32·rows).
 */
export function gemm(
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

/**
 * gemm (plain) where b is a causal P or its transpose, packed: panel p (columns 4p..4p+3)
 * has nonzero rows k ≥ 4p only (`upper`: b = P, b(k, j) = P[k, j]) or k < 4p + 4 only
 * (b = Pᵀ, b(k, j) = P[j, k]); P's entries past its diagonal must be 0 up to the 4-block edge.
 */
export function gemmCausalPanels(
  a: usize, ars: usize, aks: usize,
  b: usize, bps: usize,
  c: usize, crs: usize, cps: usize,
  rows: i32, inner: i32, panels: i32, upper: bool,
): void {
  for (let p = 0; p < panels; p++) {
    const k0 = upper ? min(inner, p << 2) : 0;
    const kc = upper ? inner : min(inner, (p << 2) + 4);
    const bp = b + <usize>p * bps + <usize>k0 * 32;
    const ak = a + <usize>k0 * aks;
    const cp = c + <usize>p * cps;
    let i = 0;
    for (; i + 4 <= rows; i += 4) kernel4(ak + <usize>i * ars, ars, aks, bp, cp + <usize>i * crs, crs, kc - k0);
    for (; i < rows; i++) kernel1(ak + <usize>i * ars, aks, bp, cp + <usize>i * crs, kc - k0);
  }
}

/**
 * gemm (plain) with the loops the other way round: each of b's panels against every row
 * block of a in turn, so that a panel is read from cache by all of them rather than all of b
 * (tens of MB for G = Tᵀ X) streamed from memory once per row block. For few rows and many
 * panels (G: 64 rows, 192 panels of 8 192 × 4) this took the factored gradient from 0.23 to
 * 0.15 s a GPT-2 head. Rows must be a multiple of 4.
 */
export function gemmPanelsOuter(
  a: usize, ars: usize, aks: usize,
  b: usize, bps: usize,
  c: usize, crs: usize, cps: usize,
  rows: i32, inner: i32, panels: i32,
): void {
  for (let p = 0; p < panels; p++) {
    const bp = b + <usize>p * bps;
    const cp = c + <usize>p * cps;
    for (let i = 0; i < rows; i += 4) kernel4(a + <usize>i * ars, ars, aks, bp, cp + <usize>i * crs, crs, inner);
  }
}

/** Pack rows×cols row-major `src` into panels of 4 columns (rows×4 each), zero-padded. */
export function packPanels(src: usize, rows: i32, cols: i32, dst: usize): void {
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
export function packPanelsT(src: usize, rows: i32, cols: i32, dst: usize): void {
  const prs = <usize>cols * 32;
  for (let t = 0; t < rows; t++) {
    const s = src + <usize>t * <usize>cols * 8;
    const dp = dst + <usize>(t >> 2) * prs + <usize>(t & 3) * 8;
    for (let k = 0; k < cols; k++) store<f64>(dp + <usize>k * 32, load<f64>(s + <usize>k * 8));
  }
}

// ---------------------------------------------------------------- softmax rows

/** Row max of s[0..end). */
@inline export function rowMax(s: usize, end: i32): f64 {
  let mv = f64x2.splat(-Infinity);
  let j = 0;
  for (; j + 2 <= end; j += 2) mv = f64x2.max(mv, v128.load(s + <usize>j * 8));
  let m = max(f64x2.extract_lane(mv, 0), f64x2.extract_lane(mv, 1));
  if (j < end) m = max(m, load<f64>(s + <usize>j * 8));
  return m;
}

/** out[j] = exp(s[j] − mx) for j < end; returns the sum. Two vectors per step for ILP. */
@inline export function rowExp(s: usize, out: usize, end: i32, mx: f64): f64 {
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
@inline export function rowScale(out: usize, end: i32, c: f64): void {
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

/**
 * Row i of F, the loss and P: F = softmax(S), C = F − F₀, attn += ΣC², P = F∘C − rowsum(F∘C)·F
 * written over S. Returns the row's ΣC².
 */
@inline export function lossRow(s: usize, f: usize, f0: usize, end: i32, withGrad: bool): f64 {
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

