// @ts-nocheck -- AssemblyScript, not TypeScript: compiled by scripts/build-wasm.mjs
// (`npm run build:wasm`) into gram.wasm.generated.ts. tsc only parses it.
/**
 * G = XᵀX (d×d, float64, f64x2 SIMD) for a calibration X of n rows: SparseGPT's Hessian and
 * the linear objective's Gram matrix. JS writes X already packed (dp/4 panels of n×4, the
 * format of kernels.as.ts), so both operands stream contiguously: for the 4 columns
 * i..i+3 of X, a(i + r, k) = X[k, i + r] sits in panel i/4 at k·32 + r·8. Only the blocks on
 * and above the diagonal are computed, then mirrored, so G is exactly symmetric.
 */
import { kernel4, layoutEnd, layoutStart, take } from './kernels.as';

let N: i32 = 0;
let D: i32 = 0;
let DP: i32 = 0;
let pXp: usize = 0; // X packed: dp/4 panels of n×4
let pG: usize = 0; //  dp×dp row-major

/** Lay out X (packed) and G; returns 1, or 0 when the memory cannot grow. */
export function setup(n: i32, d: i32): i32 {
  if (n <= 0 || d <= 0) return 0;
  N = n;
  D = d;
  DP = (d + 3) & ~3;
  layoutStart();
  pXp = take(<u64>n * <u64>DP);
  pG = take(<u64>DP * <u64>DP);
  return layoutEnd() == 0 ? 0 : 1;
}

export function xpOffset(): usize { return pXp; }
export function gOffset(): usize { return pG; }

/**
 * Rows 4·bi..4·bi+3 of G on and right of the diagonal block. One call per block (JS loops):
 * V8 runs a call in the code it had when the call began, so a single long call would run
 * entirely in its baseline compiler's code; later calls get the optimised code.
 */
export function gramBlock(bi: i32): void {
  const panels = DP >> 2;
  const ps = <usize>N * 32;
  const grs = <usize>DP * 8;
  const a = pXp + <usize>bi * ps;
  const c = pG + <usize>bi * 4 * grs;
  for (let p = bi; p < panels; p++) kernel4(a, 8, 32, pXp + <usize>p * ps, c + <usize>p * 32, grs, N);
}

/** G's lower triangle from its upper one (after every gramBlock): exactly symmetric. */
export function mirror(): void {
  for (let i = 0; i < DP; i++) {
    for (let j = 0; j < i; j++) store<f64>(pG + (<usize>i * DP + j) * 8, load<f64>(pG + (<usize>j * DP + i) * 8));
  }
}
